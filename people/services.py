"""Writes on citizens: registration (one record per phone), consent, opt-out."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_event
from people.models import Citizen, ConsentSource, OptOutSource
from people.phones import normalize_mobile
from stations.models import District, Station


@transaction.atomic
def register_citizen(
    *,
    phone: str,
    name: str,
    station: Station | None = None,
    district: District | None = None,
    locality: str = "",
    preferred_language: str = "hi",
    consent_source: ConsentSource | str = "",
    by: User | None = None,
) -> Citizen:
    """The citizen with this phone, created or brought up to date (phone in any format).

    Raises people.phones.InvalidPhone for an unusable number. Consent, once recorded, keeps its
    first source and date; an opt-out is never undone here.
    """
    e164 = normalize_mobile(phone)
    if district is None:
        if station is None:
            raise ValueError("A citizen needs a station or a district.")
        district = station.district
    citizen, created = Citizen.objects.select_for_update().get_or_create(
        phone=e164,
        defaults={
            "name": name.strip(),
            "station": station,
            "district": district,
            "locality": locality.strip(),
            "preferred_language": preferred_language,
        },
    )
    if not created:
        citizen.name = name.strip() or citizen.name
        citizen.locality = locality.strip() or citizen.locality
        citizen.station = station or citizen.station
        citizen.district = district if station is None else station.district
        citizen.preferred_language = preferred_language or citizen.preferred_language
    if consent_source and not citizen.consent_at:
        citizen.consent_source = str(consent_source)
        citizen.consent_at = timezone.now()
    citizen.save()
    record_event(
        actor=by,
        action="people.citizen.registered" if created else "people.citizen.updated",
        target=citizen,
        station=citizen.station,
        district=citizen.district,
    )
    return citizen


@transaction.atomic
def opt_out_citizen(
    *, citizen: Citizen, source: OptOutSource | str, by: User | None = None
) -> bool:
    """Suppress every future message to the citizen; False when already opted out."""
    updated = Citizen.objects.filter(pk=citizen.pk, opted_out_at__isnull=True).update(
        opted_out_at=timezone.now(), opt_out_source=str(source), updated_at=timezone.now()
    )
    citizen.refresh_from_db(fields=["opted_out_at", "opt_out_source"])
    if updated:
        record_event(
            actor=by,
            action="people.citizen.opted_out",
            target=citizen,
            data={"source": str(source)},
            district=citizen.district,
        )
    return bool(updated)


@transaction.atomic
def resume_citizen(
    *, citizen: Citizen, sources: list[OptOutSource], by: User | None = None
) -> bool:
    """Lift an opt-out that came from one of `sources` (e.g. the citizen sent START again)."""
    updated = Citizen.objects.filter(
        pk=citizen.pk, opted_out_at__isnull=False, opt_out_source__in=[str(s) for s in sources]
    ).update(opted_out_at=None, opt_out_source="", updated_at=timezone.now())
    citizen.refresh_from_db(fields=["opted_out_at", "opt_out_source"])
    if updated:
        record_event(
            actor=by, action="people.citizen.resumed", target=citizen, district=citizen.district
        )
    return bool(updated)
