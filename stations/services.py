"""Writes with a rule on field work: hotspots, patrols, CCTV coverage, resource audits.

Every service takes the acting user, checks that they may record field work at the station
(stations.selectors.fieldwork_stations_for), runs in one transaction and writes one audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import record_event
from stations import selectors
from stations.idempotency import create_once
from stations.models import (
    ActionItem,
    CctvCoverage,
    Hotspot,
    Patrol,
    ResourceAudit,
    ResourceCheck,
    ResourceItem,
    Station,
    StationReturn,
)
from stations.uploads import clean_evidence

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=10)


def ensure_may_record(*, user: User, station: Station) -> None:
    """PermissionDenied unless the user may record field work at the station."""
    if not selectors.may_record_at(user, station):
        raise PermissionDenied(_("You may not record field work at this police station."))


def _not_in_future(day: date, field: str) -> None:
    """ValidationError on `field` when the date lies after today."""
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# --- Hotspots, patrols, CCTV -------------------------------------------------------------------


@transaction.atomic
def create_hotspot(
    *,
    station: Station,
    name: str,
    kind: str,
    by: User,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Hotspot:
    """Add a sensitive place to a station's list; ValidationError if the name is taken there."""
    ensure_may_record(user=by, station=station)
    name = " ".join(name.split())
    if Hotspot.objects.filter(station=station, name__iexact=name).exists():
        raise ValidationError({"name": _("This station already has a hotspot with this name.")})
    hotspot = Hotspot(
        station=station,
        name=name,
        kind=kind,
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
    )
    hotspot.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            hotspot.save()
    except IntegrityError as exc:  # a concurrent twin took the name
        raise ValidationError(
            {"name": _("This station already has a hotspot with this name.")}
        ) from exc
    record_event(
        actor=by,
        action="stations.hotspot.created",
        target=hotspot,
        data={"kind": kind},
        station=station,
    )
    return hotspot


@transaction.atomic
def set_hotspot_active(*, hotspot: Hotspot, active: bool, by: User) -> Hotspot:
    """Retire a hotspot (it leaves patrol lists) or bring it back."""
    ensure_may_record(user=by, station=hotspot.station)
    if hotspot.is_active != active:
        hotspot.is_active = active
        hotspot.save(update_fields=["is_active"])
        record_event(
            actor=by,
            action="stations.hotspot.activated" if active else "stations.hotspot.retired",
            target=hotspot,
            station=hotspot.station,
        )
    return hotspot


@transaction.atomic
def record_patrol(
    *,
    hotspot: Hotspot,
    patrolled_at: datetime,
    team: str,
    by: User,
    observations: str = "",
    trouble_seen: bool = False,
    client_token: uuid.UUID | None = None,
) -> Patrol:
    """Log a patrol visit; the same form submitted twice logs it once."""
    ensure_may_record(user=by, station=hotspot.station)
    if patrolled_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"patrolled_at": _("The patrol time cannot be in the future.")})
    if not team.strip():
        raise ValidationError({"team": _("Say who went on the patrol.")})

    def create() -> Patrol:
        return Patrol.objects.create(
            hotspot=hotspot,
            patrolled_at=patrolled_at,
            team=team.strip(),
            observations=observations.strip(),
            trouble_seen=trouble_seen,
            recorded_by=by,
            client_token=client_token,
        )

    try:
        patrol, created = create_once(Patrol, client_token, create)
    except IntegrityError as exc:
        raise ValidationError(
            {"patrolled_at": _("A patrol of this hotspot at this time is already logged.")}
        ) from exc
    if created:
        record_event(
            actor=by,
            action="stations.patrol.recorded",
            target=patrol,
            data={"hotspot": hotspot.pk, "trouble_seen": trouble_seen},
            station=hotspot.station,
        )
    return patrol


@transaction.atomic
def set_cctv_coverage(
    *,
    hotspot: Hotspot,
    status: str,
    cameras: int,
    by: User,
    checked_on: date | None = None,
    notes: str = "",
) -> CctvCoverage:
    """Record whether the place has CCTV (installed, with cameras working) or it is pending."""
    ensure_may_record(user=by, station=hotspot.station)
    checked_on = checked_on or timezone.localdate()
    _not_in_future(checked_on, "checked_on")
    if status == CctvCoverage.Status.INSTALLED and cameras < 1:
        raise ValidationError({"cameras": _("Installed CCTV needs at least one camera.")})
    if cameras < 0:
        raise ValidationError({"cameras": _("The number of cameras cannot be negative.")})
    coverage, _created = CctvCoverage.objects.select_for_update().update_or_create(
        hotspot=hotspot,
        defaults={
            "status": status,
            "cameras": cameras,
            "checked_on": checked_on,
            "checked_by": by,
            "notes": notes.strip(),
        },
    )
    record_event(
        actor=by,
        action="stations.cctv.recorded",
        target=coverage,
        data={"status": status, "cameras": cameras},
        station=hotspot.station,
    )
    return coverage


# --- Resource audits and action items ---------------------------------------------------------


@dataclass(frozen=True)
class CheckInput:
    """One checklist line as the auditor filled it in."""

    item: str
    status: str
    count: int | None = None
    notes: str = ""


def _validate_checklist(checks: Sequence[CheckInput]) -> None:
    """Every resource exactly once, with a known status."""
    items = [c.item for c in checks]
    if sorted(items) != sorted(ResourceItem.values):
        raise ValidationError(_("The checklist must cover every resource exactly once."))
    if any(c.status not in ResourceCheck.Status.values for c in checks):
        raise ValidationError(_("Each resource is either OK or a deficit."))


def _deficit_description(check: CheckInput) -> str:
    """What the action item asks for: the auditor's note, else the resource's name."""
    label = ResourceItem(check.item).label
    return (check.notes.strip() or _("Make good the deficit: %(item)s") % {"item": label})[:300]


def _action_item_for(
    *, station: Station, audit: ResourceAudit, check: CheckInput, owner: User, due_on: date
) -> ActionItem:
    """The open action item for this station's resource, raised now if there is none."""
    existing = (
        ActionItem.objects.select_for_update()
        .filter(station=station, item=check.item, status=ActionItem.Status.OPEN)
        .first()
    )
    if existing is not None:
        return existing
    return ActionItem.objects.create(
        station=station,
        item=check.item,
        raised_in=audit,
        description=_deficit_description(check),
        owner=owner,
        due_on=due_on,
    )


def _ensure_owner_eligible(*, owner: User, station: Station) -> None:
    """ValidationError unless the owner is an officer of the station or its district."""
    if not selectors.station_staff(station=station).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("The owner must be an officer of this station or its district.")}
        )


@transaction.atomic
def record_resource_audit(
    *,
    station: Station,
    audited_on: date,
    checks: Sequence[CheckInput],
    owner: User,
    by: User,
    due_on: date | None = None,
    notes: str = "",
) -> ResourceAudit:
    """Record a station's checklist; every deficit becomes (or stays) an open action item.

    A deficit whose resource already has an open item joins that item (owner and due date
    unchanged); otherwise a new item is raised for `owner`, due on `due_on` (default: the audit
    date plus settings.AUDIT_DEFICIT_DUE_DAYS). One audit per station per day.
    """
    ensure_may_record(user=by, station=station)
    _not_in_future(audited_on, "audited_on")
    _validate_checklist(checks)
    due_on = due_on or audited_on + timedelta(days=settings.AUDIT_DEFICIT_DUE_DAYS)
    if due_on < audited_on:
        raise ValidationError({"due_on": _("The due date cannot be before the audit date.")})
    if any(c.status == ResourceCheck.Status.DEFICIT for c in checks):
        _ensure_owner_eligible(owner=owner, station=station)
    try:
        with transaction.atomic():
            audit = ResourceAudit.objects.create(
                station=station, audited_on=audited_on, audited_by=by, notes=notes.strip()
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"audited_on": _("This station already has an audit on this date.")}
        ) from exc
    rows = []
    raised = 0
    for check in checks:
        item = None
        if check.status == ResourceCheck.Status.DEFICIT:
            item = _action_item_for(
                station=station, audit=audit, check=check, owner=owner, due_on=due_on
            )
            raised += item.raised_in_id == audit.pk
        rows.append(
            ResourceCheck(
                audit=audit,
                item=check.item,
                status=check.status,
                count=check.count,
                notes=check.notes.strip()[:300],
                action_item=item,
            )
        )
    ResourceCheck.objects.bulk_create(rows)
    record_event(
        actor=by,
        action="stations.audit.recorded",
        target=audit,
        data={"deficits": sum(r.action_item is not None for r in rows), "items_raised": raised},
        station=station,
    )
    return audit


def may_manage_action_item(*, user: User, item: ActionItem) -> bool:
    """The owner, or anyone who may record field work at the station, may close or reassign."""
    return item.owner_id == user.pk or selectors.may_record_at(user, item.station)


@transaction.atomic
def close_action_item(
    *, item: ActionItem, note: str, by: User, evidence: UploadedFile[bytes] | None = None
) -> ActionItem:
    """Close a deficit with evidence: a written note, optionally a photo or PDF.

    Raises ValidationError for a missing note, a bad file or an item already closed (the
    database refuses a closed item without evidence as well).
    """
    if not may_manage_action_item(user=by, item=item):
        raise PermissionDenied(_("You may not close this action item."))
    if not note.strip():
        raise ValidationError({"note": _("Describe what was done: closing needs evidence.")})
    try:
        stored = clean_evidence(evidence) if evidence is not None else None
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    locked = ActionItem.objects.select_for_update().get(pk=item.pk)
    if not locked.may_become(ActionItem.Status.CLOSED):
        raise ValidationError(_("This action item is already closed."))
    locked.status = ActionItem.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.closure_note = note.strip()
    if stored is not None:
        locked.closure_file.save(stored.name or "evidence", stored, save=False)
    locked.save()
    record_event(
        actor=by,
        action="stations.action_item.closed",
        target=locked,
        data={"with_file": stored is not None},
        station=locked.station,
    )
    return locked


@transaction.atomic
def reassign_action_item(*, item: ActionItem, owner: User, due_on: date, by: User) -> ActionItem:
    """Give an open action item a new owner or due date."""
    if not may_manage_action_item(user=by, item=item):
        raise PermissionDenied(_("You may not change this action item."))
    if item.status != ActionItem.Status.OPEN:
        raise ValidationError(_("Only an open action item can be reassigned."))
    _ensure_owner_eligible(owner=owner, station=item.station)
    if due_on < item.raised_in.audited_on:
        raise ValidationError({"due_on": _("The due date cannot be before the audit date.")})
    item.owner = owner
    item.due_on = due_on
    item.save(update_fields=["owner", "due_on"])
    record_event(
        actor=by,
        action="stations.action_item.reassigned",
        target=item,
        data={"owner": owner.username, "due_on": due_on.isoformat()},
        station=item.station,
    )
    return item


# --- Monthly returns ------------------------------------------------------------------------------


@transaction.atomic
def submit_return(*, user: User, station: Station, month: date, remarks: str = "") -> StationReturn:
    """Submit a station's Mission Shakti return for `month` (any day of it; stored as the 1st).

    Only the station's IC or Mission Shakti in-charge may submit (PermissionDenied otherwise).
    A month that has not ended yet, or one already submitted, is refused with a ValidationError;
    a concurrent double submit is caught by the unique constraint and refused the same way.
    """
    if not selectors.return_stations_for(user).filter(pk=station.pk).exists():
        raise PermissionDenied(
            _("Only the station's in-charge or Mission Shakti in-charge may submit its return.")
        )
    month = selectors.month_start(month)
    if selectors.next_month(month) > timezone.localdate():
        raise ValidationError(
            {"month": _("This month has not ended yet; its return cannot be submitted.")}
        )
    already = _("The return for this month was already submitted.")
    if StationReturn.objects.filter(station=station, month=month).exists():
        raise ValidationError({"month": already})
    station_return = StationReturn(
        station=station,
        month=month,
        due_on=selectors.return_due_on(month),
        submitted_at=timezone.now(),
        submitted_by=user,
        remarks=remarks.strip(),
    )
    try:
        with transaction.atomic():
            station_return.save()
    except IntegrityError as exc:  # a concurrent twin got there first
        raise ValidationError({"month": already}) from exc
    record_event(
        actor=user,
        action="stations.return.submitted",
        target=station_return,
        data={"month": month.isoformat(), "late": station_return.is_late},
        station=station,
    )
    return station_return
