"""Screening a person against the exclusion register: phone exactly, name across scripts.

Pure reads, no writes: the services decide what a hit means. The register is district-scoped;
a station group screens against its district, a district group against its own, and a state
coordination group against every district of its state.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from groups.matching import best_name_hits
from groups.models import (
    CommunityGroup,
    ExclusionEntry,
    ExclusionName,
    ExclusionPhone,
    ExclusionUserId,
)
from stations.models import District


class Hit(TypedDict):
    """One register match as stored on a nomination (never the restricted note)."""

    entry: int
    by: str  # "phone" (the phone or the WhatsApp user id, exactly) | "name"
    score: int
    matched: str  # the register name that matched, or the masked phone
    category: str


def in_force(today: date | None = None) -> Q:
    """Filter for register entries in force today (prefix 'entry__' where needed)."""
    today = today or timezone.localdate()
    return Q(withdrawn_at__isnull=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def district_ids_for_group(group: CommunityGroup) -> list[int]:
    """Ids of the districts whose register applies to the group."""
    if group.station is not None:
        return [group.station.district_id]
    if group.district_id is not None:
        return [group.district_id]
    return list(District.objects.filter(state=group.state).values_list("pk", flat=True))


def _masked(identifier: str) -> str:
    if identifier.startswith("+"):
        return f"{identifier[:3]}••••••{identifier[-4:]}"
    return f"WhatsApp {identifier[:3]}…{identifier[-4:]}"


def screen_person(
    *, district_ids: list[int], name: str, phone: str, user_id: str = ""
) -> list[Hit]:
    """Register entries in force in these districts matching the person's phone or WhatsApp
    user id exactly, across the identities of their citizen record (a username user's number
    may be learned later, and the other way round), or their name."""
    from people.models import Citizen

    entries = ExclusionEntry.objects.filter(in_force(), district_id__in=district_ids)
    hits: dict[tuple[int, str], Hit] = {}
    phones, user_ids = [phone] if phone else [], [user_id] if user_id else []
    # One statement: the citizen record's other identities are subqueries of it.
    phone_of_user = Citizen.objects.filter(whatsapp_user_id__in=user_ids).values("phone")
    user_of_phone = Citizen.objects.filter(phone__in=phones, whatsapp_user_id__isnull=False)
    by_phone = ExclusionPhone.objects.filter(entry__in=entries).filter(
        Q(phone__in=phones) | Q(phone__in=phone_of_user)
    )
    by_user_id = ExclusionUserId.objects.filter(entry__in=entries).filter(
        Q(whatsapp_user_id__in=user_ids)
        | Q(whatsapp_user_id__in=user_of_phone.values("whatsapp_user_id"))
    )
    rows = (
        by_phone.values_list("entry_id", "phone", "entry__category")
        .order_by()
        .union(by_user_id.values_list("entry_id", "whatsapp_user_id", "entry__category").order_by())
    )
    for entry_id, identifier, category in rows:
        hits[(entry_id, "phone")] = Hit(
            entry=entry_id,
            by="phone",
            score=100,
            matched=_masked(identifier),
            category=category,
        )
    names = list(
        ExclusionName.objects.filter(entry__in=entries).values_list(
            "pk", "key", "name", "entry_id", "entry__category"
        )
    )
    by_pk = {pk: (label, entry_id, category) for pk, _, label, entry_id, category in names}
    threshold = float(settings.GROUPS_NAME_MATCH_THRESHOLD)
    for hit in best_name_hits(name, [(pk, key) for pk, key, *_ in names], threshold=threshold):
        label, entry_id, category = by_pk[hit.ref]
        current = hits.get((entry_id, "name"))
        if current is None or current["score"] < hit.score:
            hits[(entry_id, "name")] = Hit(
                entry=entry_id, by="name", score=round(hit.score), matched=label, category=category
            )
    return sorted(hits.values(), key=lambda h: (h["by"] != "phone", -h["score"], h["entry"]))
