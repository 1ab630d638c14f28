"""Writes with a rule on outreach: awareness drives, NGOs, members, NGO activities, verification.

Rules:
* police record drives at stations where they do field work; photos must be real JPEG/PNG/WebP
  images within settings.UPLOAD_MAX_BYTES, at most settings.DRIVE_MAX_PHOTOS of them, and every
  photo is checked before anything is saved (a bad one saves nothing);
* an NGO coordinator logs activities for their own NGO only, in a district the NGO works in, at
  a station of that district (optional);
* police of the activity's district (or its station) verify it; a verified entry is frozen for
  the NGO.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from accounts.access import Role, has_role
from accounts.models import User
from accounts.services import record_event
from outreach import selectors
from outreach.models import (
    AwarenessDrive,
    Campaign,
    DrivePhoto,
    DriveTopic,
    Ngo,
    NgoActivity,
    NgoMembership,
    Topic,
    place_key,
)
from stations.idempotency import create_once
from stations.models import District, Hotspot, Station
from stations.services import ensure_may_record
from stations.uploads import clean_image

MAX_PEOPLE_PER_ENTRY = 100_000

DISTRICT_OUTSIDE_NGO = gettext_lazy(
    "Your NGO is not registered to work in this district. Choose one of its districts."
)


def _not_in_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _check_campaign(campaign: Campaign | None, district: District) -> None:
    """An active campaign of the district's state (or a national one)."""
    if campaign is None:
        return
    if not campaign.is_active:
        raise ValidationError({"campaign": _("This campaign has ended.")})
    if campaign.state_id is not None and campaign.state_id != district.state_id:
        raise ValidationError({"campaign": _("This campaign does not run in this state.")})


# --- Awareness drives -------------------------------------------------------------------------


def _clean_photos(photos: Sequence[UploadedFile[bytes]]) -> list[tuple[str, bytes]]:
    """Every photo checked and re-encoded before anything is saved; ValidationError otherwise."""
    if len(photos) > settings.DRIVE_MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(n)d photos per drive.") % {"n": settings.DRIVE_MAX_PHOTOS}}
        )
    cleaned = []
    for photo in photos:
        try:
            safe = clean_image(photo)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
        cleaned.append((str(safe.name), bytes(safe.read())))
    return cleaned


def _check_drive(
    *,
    station: Station,
    held_on: date,
    place: str,
    people_reached: int,
    topics: Sequence[str],
    hotspot: Hotspot | None,
    organiser_ngo: Ngo | None,
    campaign: Campaign | None,
) -> None:
    _not_in_future(held_on, "held_on")
    if not place_key(place):
        raise ValidationError({"place": _("Write where the drive was held.")})
    if not 1 <= people_reached <= MAX_PEOPLE_PER_ENTRY:
        raise ValidationError({"people_reached": _("Give the number of people reached.")})
    if not topics or any(t not in Topic.values for t in topics):
        raise ValidationError({"topics": _("Choose at least one topic covered.")})
    if hotspot is not None and hotspot.station_id != station.pk:
        raise ValidationError({"hotspot": _("This hotspot belongs to another police station.")})
    if (
        organiser_ngo is not None
        and not organiser_ngo.districts.filter(pk=station.district_id).exists()
    ):
        raise ValidationError(
            {"organiser_ngo": _("This NGO does not work in this station's district.")}
        )
    _check_campaign(campaign, station.district)


@transaction.atomic
def record_awareness_drive(
    *,
    station: Station,
    held_on: date,
    place: str,
    audience: str,
    people_reached: int,
    topics: Sequence[str],
    by: User,
    hotspot: Hotspot | None = None,
    organiser_ngo: Ngo | None = None,
    campaign: Campaign | None = None,
    notes: str = "",
    photos: Sequence[UploadedFile[bytes]] = (),
    client_token: uuid.UUID | None = None,
) -> AwarenessDrive:
    """Record a drive with its topics and photos; the same submission twice records it once."""
    ensure_may_record(user=by, station=station)
    _check_drive(
        station=station,
        held_on=held_on,
        place=place,
        people_reached=people_reached,
        topics=topics,
        hotspot=hotspot,
        organiser_ngo=organiser_ngo,
        campaign=campaign,
    )
    cleaned = _clean_photos(photos)

    def create() -> AwarenessDrive:
        drive = AwarenessDrive.objects.create(
            station=station,
            held_on=held_on,
            place=" ".join(place.split()),
            audience=audience,
            people_reached=people_reached,
            hotspot=hotspot,
            organiser_ngo=organiser_ngo,
            campaign=campaign,
            notes=notes.strip(),
            recorded_by=by,
            client_token=client_token,
        )
        DriveTopic.objects.bulk_create(DriveTopic(drive=drive, topic=t) for t in set(topics))
        _store_photos(drive=drive, photos=cleaned, by=by)
        return drive

    drive, created = create_once(AwarenessDrive, client_token, create)
    if created:
        record_event(
            actor=by,
            action="outreach.drive.recorded",
            target=drive,
            data={"reached": people_reached, "photos": len(cleaned)},
            station=station,
        )
    return drive


def _store_photos(*, drive: AwarenessDrive, photos: Iterable[tuple[str, bytes]], by: User) -> None:
    """Write the already-checked photos to private storage and their rows to the database."""
    for name, data in photos:
        photo = DrivePhoto(drive=drive, uploaded_by=by)
        photo.image.save(name, ContentFile(data), save=False)
        photo.save()


@transaction.atomic
def add_drive_photos(
    *, drive: AwarenessDrive, photos: Sequence[UploadedFile[bytes]], by: User
) -> list[DrivePhoto]:
    """Attach more photos to a drive, within the per-drive limit."""
    ensure_may_record(user=by, station=drive.station)
    if not photos:
        raise ValidationError({"photos": _("Choose a photo to upload.")})
    existing = drive.photos.count()
    if existing + len(photos) > settings.DRIVE_MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("At most %(n)d photos per drive.") % {"n": settings.DRIVE_MAX_PHOTOS}}
        )
    cleaned = _clean_photos(photos)
    _store_photos(drive=drive, photos=cleaned, by=by)
    record_event(
        actor=by,
        action="outreach.drive.photos_added",
        target=drive,
        data={"photos": len(cleaned)},
        station=drive.station,
    )
    return list(drive.photos.order_by("-id")[: len(cleaned)])


# --- NGOs and members -------------------------------------------------------------------------


@transaction.atomic
def register_ngo(
    *,
    name: str,
    registration_number: str,
    districts: Sequence[District],
    by: User | None,
    name_local: str = "",
    contact_person: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
) -> Ngo:
    """Add an NGO to the registry (state HQ of those districts, or a system job with by=None).

    ValidationError when the registration number is taken.
    """
    if by is not None and not access.is_system_admin(by):
        mine = set(access.districts_for(by).values_list("pk", flat=True))
        if not has_role(by, Role.STATE_HQ) or any(d.pk not in mine for d in districts):
            raise PermissionDenied(_("Only the state HQ may register NGOs in these districts."))
    number = " ".join(registration_number.split()).upper()
    if not number:
        raise ValidationError({"registration_number": _("Give the registration number.")})
    if not districts:
        raise ValidationError({"districts": _("Choose at least one district of work.")})
    if Ngo.objects.filter(registration_number__iexact=number).exists():
        raise ValidationError(
            {"registration_number": _("An NGO with this registration number is registered.")}
        )
    ngo = Ngo(
        name=" ".join(name.split()),
        name_local=name_local.strip(),
        registration_number=number,
        contact_person=contact_person.strip(),
        phone=phone,
        email=email.strip(),
        address=address.strip(),
    )
    ngo.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            ngo.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"registration_number": _("An NGO with this registration number is registered.")}
        ) from exc
    ngo.districts.set(districts)
    record_event(
        actor=by,
        action="outreach.ngo.registered",
        target=ngo,
        data={"districts": sorted(d.code for d in districts)},
    )
    return ngo


@transaction.atomic
def add_ngo_member(*, ngo: Ngo, user: User, by: User | None) -> NgoMembership:
    """Bind an NGO coordinator to their NGO (idempotent; reactivates a lapsed membership)."""
    if not has_role(user, Role.NGO_COORDINATOR):
        raise ValidationError(_("Only a user posted as NGO coordinator can be an NGO member."))
    membership, created = NgoMembership.objects.select_for_update().get_or_create(
        ngo=ngo, user=user
    )
    if created or not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        record_event(
            actor=by,
            action="outreach.ngo_member.added",
            target=membership,
            data={"ngo": ngo.pk, "user": user.username},
        )
    return membership


# --- NGO activities ---------------------------------------------------------------------------


def _check_activity(
    *,
    ngo: Ngo,
    district: District,
    station: Station | None,
    held_on: date,
    persons_reached: int,
    persons_rescued: int,
    campaign: Campaign | None,
) -> None:
    if not ngo.districts.filter(pk=district.pk).exists():
        raise ValidationError({"district": DISTRICT_OUTSIDE_NGO})
    if station is not None and station.district_id != district.pk:
        raise ValidationError({"station": _("This police station is not in the district.")})
    _not_in_future(held_on, "held_on")
    if persons_reached < 0 or persons_rescued < 0:
        raise ValidationError(_("Numbers of persons cannot be negative."))
    if persons_reached + persons_rescued < 1 or max(persons_reached, persons_rescued) > (
        MAX_PEOPLE_PER_ENTRY
    ):
        raise ValidationError(
            {"persons_reached": _("Give the number of persons reached or rescued.")}
        )
    _check_campaign(campaign, district)


def _ensure_member(*, user: User, ngo: Ngo) -> None:
    if not selectors.is_ngo_member(user, ngo):
        raise PermissionDenied(_("You may only keep your own NGO's records."))


@transaction.atomic
def record_ngo_activity(
    *,
    ngo: Ngo,
    kind: str,
    district: District,
    held_on: date,
    by: User,
    station: Station | None = None,
    campaign: Campaign | None = None,
    place: str = "",
    persons_reached: int = 0,
    persons_rescued: int = 0,
    description: str = "",
    client_token: uuid.UUID | None = None,
) -> NgoActivity:
    """Log a piece of NGO work (by a member of that NGO); the same submission twice logs once."""
    _ensure_member(user=by, ngo=ngo)
    _check_activity(
        ngo=ngo,
        district=district,
        station=station,
        held_on=held_on,
        persons_reached=persons_reached,
        persons_rescued=persons_rescued,
        campaign=campaign,
    )

    def create() -> NgoActivity:
        return NgoActivity.objects.create(
            ngo=ngo,
            kind=kind,
            district=district,
            station=station,
            campaign=campaign,
            held_on=held_on,
            place=" ".join(place.split()),
            persons_reached=persons_reached,
            persons_rescued=persons_rescued,
            description=description.strip(),
            recorded_by=by,
            client_token=client_token,
        )

    activity, created = create_once(NgoActivity, client_token, create)
    if created:
        record_event(
            actor=by,
            action="outreach.ngo_activity.recorded",
            target=activity,
            data={"ngo": ngo.pk, "kind": kind},
            station=station,
            district=district,
        )
    return activity


@transaction.atomic
def update_ngo_activity(
    *,
    activity: NgoActivity,
    by: User,
    kind: str,
    district: District,
    held_on: date,
    station: Station | None = None,
    campaign: Campaign | None = None,
    place: str = "",
    persons_reached: int = 0,
    persons_rescued: int = 0,
    description: str = "",
) -> NgoActivity:
    """Correct an entry before the police verify it; a verified entry cannot be changed."""
    _ensure_member(user=by, ngo=activity.ngo)
    locked = NgoActivity.objects.select_for_update().get(pk=activity.pk)
    if locked.is_verified:
        raise ValidationError(
            _("The police have verified this entry; it can no longer be changed.")
        )
    _check_activity(
        ngo=locked.ngo,
        district=district,
        station=station,
        held_on=held_on,
        persons_reached=persons_reached,
        persons_rescued=persons_rescued,
        campaign=campaign,
    )
    locked.kind = kind
    locked.district = district
    locked.station = station
    locked.campaign = campaign
    locked.held_on = held_on
    locked.place = " ".join(place.split())
    locked.persons_reached = persons_reached
    locked.persons_rescued = persons_rescued
    locked.description = description.strip()
    locked.save()
    record_event(
        actor=by,
        action="outreach.ngo_activity.updated",
        target=locked,
        station=station,
        district=district,
    )
    return locked


@transaction.atomic
def verify_ngo_activity(*, activity: NgoActivity, by: User, note: str = "") -> NgoActivity:
    """Mark an NGO entry verified by the police of its district or station (idempotent)."""
    if not selectors.may_verify(by, activity):
        raise PermissionDenied(_("Only the police of this district or station may verify it."))
    locked = NgoActivity.objects.select_for_update().get(pk=activity.pk)
    if locked.is_verified:
        return locked  # verified already (a double click, or a colleague was quicker)
    locked.verified_by = by
    locked.verified_at = timezone.now()
    locked.verification_note = note.strip()[:300]
    locked.save(update_fields=["verified_by", "verified_at", "verification_note", "updated_at"])
    record_event(
        actor=by,
        action="outreach.ngo_activity.verified",
        target=locked,
        station=locked.station,
        district=locked.district,
    )
    return locked
