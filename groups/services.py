"""Writes with a rule on community groups. Each service: one transaction, one audit row.

Lock order, everywhere: the group row, then the nomination, then the membership. Seats are
taken with a conditional UPDATE (seats_taken < capacity) under the group lock, and the
database's CHECK (seats_taken <= capacity) refuses any over-fill no matter what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import record_event
from broadcasts.services import TemplateNotAvailable, queue_message
from groups import exports, rules, selectors
from groups.matching import name_key
from groups.models import (
    NOMINATION_TRANSITIONS,
    OPEN_STATUSES,
    CommunityGroup,
    ConductIncident,
    ExclusionCategory,
    ExclusionEntry,
    ExclusionName,
    ExclusionPhone,
    ExclusionUserId,
    Membership,
    MembershipStatus,
    Nomination,
    NominationSource,
    NominationStatus,
    Nominator,
)
from groups.screening import Hit, district_ids_for_group, screen_person
from groups.texts import warning_text
from people.models import ConsentSource
from people.phones import normalize_mobile
from people.services import register_citizen
from stations.models import District, State, Station

INVITE_TEMPLATE = "community_group_invite"
INVITE_PURPOSE = "groups.invite"


class GroupsError(Exception):
    """A rule refused the action; `message` is translated and safe to show to the officer."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotAllowed(GroupsError):
    """The user may see the object but not do this to it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You are not allowed to do this."), code="not_allowed")


@dataclass(frozen=True)
class NominatorDetails:
    """A civic volunteer or party representative not yet on record."""

    kind: str
    name: str
    phone: str
    organisation: str = ""


@dataclass(frozen=True)
class Decision:
    """What an approval did: seated, waitlisted, or blocked by the register."""

    nomination: Nomination
    outcome: str  # "approved" | "waitlisted" | "blocked"
    membership: Membership | None = None
    invite_problem: str = ""


def invite_problem_text(code: str) -> str:
    """A translated explanation of why an invite was not queued ('' when it was)."""
    texts = {
        "no_invite_link": _(
            "The member was approved, but the group has no WhatsApp invite link yet: add it "
            "to the group and send the invite again."
        ),
        "template_not_approved": _(
            "The member was approved, but the WhatsApp invite template is not approved yet. "
            "The approval stands; send the invite again once the template is approved."
        ),
    }
    return texts.get(code, "")


# --- helpers --------------------------------------------------------------------------------


def _district_of(group: CommunityGroup) -> District | None:
    if group.station is not None:
        return group.station.district
    return group.district


def _audit(
    action: str,
    *,
    actor: User | None,
    group: CommunityGroup,
    target: models.Model,
    data: dict[str, object] | None = None,
    request: HttpRequest | None = None,
) -> None:
    district = _district_of(group)
    record_event(
        actor=actor,
        action=action,
        target=target,
        data=data or {},
        request=request,
        station=group.station,
        district=district if group.station_id is None else None,
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed()


def _lock_group(group_id: int) -> CommunityGroup:
    return (
        CommunityGroup.objects.select_for_update(of=("self",))
        .select_related("station__district", "district", "state")
        .get(pk=group_id)
    )


def _lock_nomination(nomination_id: int) -> Nomination:
    return Nomination.objects.select_for_update(of=("self",)).get(pk=nomination_id)


def _lock_membership(membership_id: int) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("citizen", "nomination")
        .get(pk=membership_id)
    )


def _move(nomination: Nomination, to: str) -> None:
    """Apply a status change the machine allows; GroupsError otherwise."""
    if to not in NOMINATION_TRANSITIONS[nomination.status]:
        raise GroupsError(
            _("This nomination is %(status)s and cannot be changed that way.")
            % {"status": nomination.get_status_display()},
            code="invalid_transition",
        )
    nomination.status = to


def _required_text(value: str, message: str) -> str:
    text = value.strip()
    if not text:
        raise GroupsError(message, code="reason_required")
    return text


def _default_revet_on() -> date:
    return timezone.localdate() + timedelta(days=settings.GROUPS_REVET_AFTER_DAYS)


def _station_name(group: CommunityGroup) -> str:
    unit = group.unit
    return unit.name


def _take_seat(group: CommunityGroup) -> bool:
    """Take one seat if one is free (conditional UPDATE; the CHECK constraint backs it)."""
    taken = CommunityGroup.objects.filter(pk=group.pk, seats_taken__lt=F("capacity")).update(
        seats_taken=F("seats_taken") + 1
    )
    if taken:
        group.seats_taken += 1
    return bool(taken)


def _free_seat(group: CommunityGroup) -> None:
    freed = CommunityGroup.objects.filter(pk=group.pk, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    )
    group.seats_taken -= freed


def _is_active_member(group: CommunityGroup, phone: str) -> bool:
    return Membership.objects.filter(
        group=group, citizen__phone=phone, status=MembershipStatus.ACTIVE
    ).exists()


def _screen(nomination: Nomination, group: CommunityGroup) -> list[Hit]:
    """Run the register check and store the result on the nomination (not saved)."""
    hits = screen_person(
        district_ids=district_ids_for_group(group),
        name=nomination.nominee_name,
        phone=nomination.nominee_phone,
    )
    nomination.screening = [dict(hit) for hit in hits]
    nomination.screened_at = timezone.now()
    return hits


# --- groups ---------------------------------------------------------------------------------


def _check_admins(unit: Station | District | State, admins: list[User]) -> None:
    eligible = set(selectors.eligible_admins(units=[unit]).values_list("pk", flat=True))
    if any(admin.pk not in eligible for admin in admins):
        raise GroupsError(
            _("Group admins must be officers posted to the group's unit."), code="bad_admin"
        )


def _check_applications(level: str, accepts_applications: bool) -> None:
    if level == "state" and accepts_applications:
        raise GroupsError(
            _("State coordination groups take nominations only, not public applications."),
            code="no_public_form",
        )


@transaction.atomic
def create_group(
    *,
    unit: Station | District | State,
    by: User,
    kind: str,
    name: str,
    rules_text: str,
    purpose: str = "",
    capacity: int | None = None,
    invite_link: str = "",
    accepts_applications: bool = False,
    admins: list[User] | None = None,
    request: HttpRequest | None = None,
) -> CommunityGroup:
    """A new group run by the unit's head (who becomes its first admin)."""
    level = {Station: "station", District: "district", State: "state"}[type(unit)]
    _require((level, unit.pk) in rules.head_units(by))
    _check_applications(level, accepts_applications)
    admins = list(admins or [])
    _check_admins(unit, admins)
    group = CommunityGroup(
        **{level: unit},
        kind=kind,
        name=_required_text(name, _("Enter a name.")),
        purpose=purpose.strip(),
        rules=_required_text(rules_text, _("Enter the rules shown to members.")),
        capacity=capacity or settings.GROUPS_DEFAULT_CAPACITY,
        invite_link=invite_link.strip(),
        accepts_applications=accepts_applications,
        created_by=by,
    )
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise GroupsError(_("The station already has a group with this name."), code="dup") from exc
    group.admins.set({by, *admins})
    _audit(
        "groups.group.created",
        actor=by,
        group=group,
        target=group,
        data={"kind": kind, "capacity": group.capacity},
        request=request,
    )
    return group


@transaction.atomic
def update_group(
    *,
    group: CommunityGroup,
    by: User,
    name: str,
    kind: str,
    rules_text: str,
    purpose: str,
    capacity: int,
    invite_link: str,
    accepts_applications: bool,
    is_active: bool,
    admins: list[User],
    request: HttpRequest | None = None,
) -> CommunityGroup:
    """Change a group's settings; a bigger capacity seats people from the waiting list."""
    group = _lock_group(group.pk)
    _require(rules.may_edit_group(by, group))
    _check_admins(group.unit, admins)
    _check_applications("state" if group.state_id else "below", accepts_applications)
    if capacity < group.seats_taken:
        raise GroupsError(
            _("%(taken)s members hold seats: the capacity cannot be lower than that.")
            % {"taken": group.seats_taken},
            code="capacity_below_members",
        )
    values = {
        "name": _required_text(name, _("Enter a name.")),
        "kind": kind,
        "rules": _required_text(rules_text, _("Enter the rules shown to members.")),
        "purpose": purpose.strip(),
        "capacity": capacity,
        "invite_link": invite_link.strip(),
        "accepts_applications": accepts_applications,
        "is_active": is_active,
    }
    changed = sorted(field for field, value in values.items() if getattr(group, field) != value)
    for field, value in values.items():
        setattr(group, field, value)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise GroupsError(_("The station already has a group with this name."), code="dup") from exc
    group.admins.set(admins)
    _audit(
        "groups.group.updated",
        actor=by,
        group=group,
        target=group,
        data={"changed": changed, "admins": sorted(a.pk for a in admins)},
        request=request,
    )
    _fill_seats_from_waitlist(group, by=by)
    return group


# --- nominations ----------------------------------------------------------------------------


def _resolve_nominator(
    *,
    group: CommunityGroup,
    source: str,
    nominator: Nominator | None,
    details: NominatorDetails | None,
) -> Nominator | None:
    if source not in (NominationSource.CIVIC_VOLUNTEER, NominationSource.PARTY_REPRESENTATIVE):
        return None
    district = _district_of(group)
    if nominator is not None:
        if district is None or nominator.district_id != district.pk:
            raise GroupsError(_("Choose a nominator of this district."), code="bad_nominator")
        return nominator
    if details is None or district is None:
        raise GroupsError(_("Name the person who nominated."), code="nominator_required")
    found, _created = Nominator.objects.get_or_create(
        district=district,
        phone=normalize_mobile(details.phone),
        defaults={
            "kind": source,
            "name": _required_text(details.name, _("Name the person who nominated.")),
            "organisation": details.organisation.strip(),
            "station": group.station,
        },
    )
    return found


def _nominee_district(group: CommunityGroup, district: District | None) -> District:
    own = _district_of(group)
    if own is not None:
        return own
    if district is None or district.state_id != group.state_id:
        raise GroupsError(_("Choose the nominee's district in this state."), code="district")
    return district


@transaction.atomic
def submit_nomination(
    *,
    group: CommunityGroup,
    source: str,
    nominee_name: str,
    nominee_phone: str,
    nominee_consent: bool,
    nominee_language: str = "hi",
    nominee_locality: str = "",
    nominee_district: District | None = None,
    note: str = "",
    nominator: Nominator | None = None,
    nominator_details: NominatorDetails | None = None,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Nomination:
    """Record a nomination (or a public self-application) and screen it against the register.

    Raises InvalidPhone for an unusable number and GroupsError (code 'duplicate' or
    'already_member') when the person is already waiting or in the group.
    """
    if source == NominationSource.SELF_APPLICATION:
        if not (group.accepts_applications and group.is_active):
            raise GroupsError(_("This group does not take applications."), code="closed")
        by = None
    else:
        _require(by is not None and rules.may_nominate(by, group))
    if not group.is_active:
        raise GroupsError(_("This group is closed."), code="closed")
    if not nominee_consent:
        raise GroupsError(_("The nominee must agree to join and be contacted."), code="consent")
    phone = normalize_mobile(nominee_phone)
    if _is_active_member(group, phone):
        raise GroupsError(_("This person is already a member of the group."), code="already_member")
    nomination = Nomination(
        group=group,
        source=source,
        nominator=_resolve_nominator(
            group=group, source=source, nominator=nominator, details=nominator_details
        ),
        recorded_by=by,
        nominee_name=_required_text(nominee_name, _("Enter the nominee's name.")),
        nominee_phone=phone,
        nominee_locality=nominee_locality.strip(),
        nominee_district=_nominee_district(group, nominee_district),
        nominee_language=nominee_language,
        note=note.strip(),
        nominee_consent=True,
    )
    hits = _screen(nomination, group)
    _move(nomination, NominationStatus.SCREENED)
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as exc:
        raise GroupsError(
            _("This person is already nominated and waiting for a decision."), code="duplicate"
        ) from exc
    _audit(
        "groups.nomination.submitted",
        actor=by,
        group=group,
        target=nomination,
        data={"source": source, "register_matches": len(hits)},
        request=request,
    )
    return nomination


@transaction.atomic
def override_screening(
    *, nomination: Nomination, by: User, reason: str, request: HttpRequest | None = None
) -> Nomination:
    """Let the IC approve despite the register matches found so far, with a recorded reason."""
    group = _lock_group(nomination.group_id)
    nomination = _lock_nomination(nomination.pk)
    _require(rules.may_override(by, group))
    if nomination.status not in OPEN_STATUSES:
        raise GroupsError(_("This nomination is already decided."), code="decided")
    if not nomination.register_match_ids:
        raise GroupsError(_("There is no register match to override."), code="no_match")
    nomination.override_reason = _required_text(reason, _("Give the reason for the override."))
    nomination.override_entry_ids = nomination.register_match_ids
    nomination.overridden_by = by
    nomination.overridden_at = timezone.now()
    nomination.save()
    _audit(
        "groups.nomination.override_recorded",
        actor=by,
        group=group,
        target=nomination,
        data={"entries": nomination.override_entry_ids, "reason": nomination.override_reason},
        request=request,
    )
    return nomination


def approve_nomination(
    *,
    nomination: Nomination,
    by: User,
    revet_on: date | None = None,
    request: HttpRequest | None = None,
) -> Decision:
    """Seat the nominee (invite queued after commit), or waitlist when the group is full.

    The register is checked again first: an entry added since the nomination was screened
    blocks it too, unless the IC's override covers it. A blocked attempt is recorded.
    """
    with transaction.atomic():
        group = _lock_group(nomination.group_id)
        nomination = _lock_nomination(nomination.pk)
        _require(rules.may_decide(by, group))
        if NominationStatus.APPROVED not in NOMINATION_TRANSITIONS[nomination.status]:
            _move(nomination, NominationStatus.APPROVED)  # raises the translated refusal
        revet_on = revet_on or _default_revet_on()
        if revet_on <= timezone.localdate():
            raise GroupsError(_("The re-vetting date must be in the future."), code="revet")
        _screen(nomination, group)
        if nomination.is_blocked:
            nomination.save(update_fields=["screening", "screened_at"])
            _audit("groups.nomination.approval_blocked", actor=by, group=group, target=nomination)
            return Decision(nomination=nomination, outcome="blocked")
        if _is_active_member(group, nomination.nominee_phone):
            raise GroupsError(
                _("This person is already a member of the group."), code="already_member"
            )
        if _take_seat(group):
            decision = _seat(nomination, group, by=by, revet_on=revet_on)
            action = "groups.nomination.approved"
        elif nomination.status == NominationStatus.WAITLISTED:
            raise GroupsError(
                _("No seat is free: the nominee stays on the waiting list."), code="full"
            )
        else:
            _waitlist(nomination, by=by, revet_on=revet_on)
            decision = Decision(nomination=nomination, outcome="waitlisted")
            action = "groups.nomination.waitlisted"
        _audit(
            action,
            actor=by,
            group=group,
            target=nomination,
            data={
                "seats_left": group.seats_left,
                "override": bool(nomination.override_reason),
                "invite_problem": decision.invite_problem,
            },
            request=request,
        )
    return decision


def _waitlist(nomination: Nomination, *, by: User, revet_on: date) -> None:
    _move(nomination, NominationStatus.WAITLISTED)
    now = timezone.now()
    nomination.waitlisted_at = now
    nomination.decided_by = by
    nomination.decided_at = now
    nomination.revet_on = revet_on
    nomination.save()


def _seat(nomination: Nomination, group: CommunityGroup, *, by: User, revet_on: date) -> Decision:
    """Turn a nomination whose seat is taken into a citizen, a membership and an invite."""
    citizen = register_citizen(
        phone=nomination.nominee_phone,
        name=nomination.nominee_name,
        station=group.station,
        district=nomination.nominee_district,
        locality=nomination.nominee_locality,
        preferred_language=nomination.nominee_language,
        consent_source=ConsentSource.GROUP_NOMINATION,
        by=by,
    )
    first_decider = nomination.decided_by
    _move(nomination, NominationStatus.APPROVED)
    nomination.citizen = citizen
    nomination.decided_by = first_decider or by
    nomination.decided_at = timezone.now()
    nomination.revet_on = nomination.revet_on or revet_on
    nomination.save()
    membership = Membership.objects.create(
        group=group, citizen=citizen, nomination=nomination, joined_on=timezone.localdate()
    )
    problem = _queue_invite(membership, group, by=by)
    return Decision(
        nomination=nomination, outcome="approved", membership=membership, invite_problem=problem
    )


def _queue_invite(membership: Membership, group: CommunityGroup, *, by: User | None) -> str:
    """Queue the invite message (sent after commit); the problem code when it cannot be."""
    problem = ""
    if not group.invite_link:
        problem = "no_invite_link"
    else:
        try:
            with transaction.atomic():
                membership.invite_delivery = queue_message(
                    citizen=membership.citizen,
                    purpose=INVITE_PURPOSE,
                    template_name=INVITE_TEMPLATE,
                    parameters=[
                        membership.citizen.name,
                        _station_name(group),
                        group.name,
                        group.invite_link,
                    ],
                    station=group.station,
                    by=by,
                )
        except TemplateNotAvailable:
            problem = "template_not_approved"
    membership.invite_error = problem
    membership.save(update_fields=["invite_delivery", "invite_error"])
    return problem


def _fill_seats_from_waitlist(group: CommunityGroup, *, by: User) -> list[Decision]:
    """Offer free seats to the waiting list, first come first served (group row locked).

    Each waiting nominee is screened again; one who now matches the register keeps waiting
    (shown as blocked) and the next is seated.
    """
    seated: list[Decision] = []
    passed: list[int] = []
    while group.seats_left > 0:
        nomination = (
            Nomination.objects.select_for_update(of=("self",))
            .filter(group=group, status=NominationStatus.WAITLISTED)
            .exclude(pk__in=passed)
            .order_by("waitlisted_at", "id")
            .first()
        )
        if nomination is None:
            break
        _screen(nomination, group)
        if nomination.is_blocked or _is_active_member(group, nomination.nominee_phone):
            nomination.save(update_fields=["screening", "screened_at"])
            passed.append(nomination.pk)
            continue
        if not _take_seat(group):
            break
        decision = _seat(nomination, group, by=by, revet_on=_default_revet_on())
        _audit(
            "groups.nomination.promoted",
            actor=by,
            group=group,
            target=nomination,
            data={"seats_left": group.seats_left, "invite_problem": decision.invite_problem},
        )
        seated.append(decision)
    return seated


@transaction.atomic
def reject_nomination(
    *, nomination: Nomination, by: User, reason: str, request: HttpRequest | None = None
) -> Nomination:
    """Refuse a nomination with a recorded reason (the nominee is not told about the register)."""
    group = _lock_group(nomination.group_id)
    nomination = _lock_nomination(nomination.pk)
    _require(rules.may_decide(by, group))
    text = _required_text(reason, _("Give the reason for the rejection."))
    _move(nomination, NominationStatus.REJECTED)
    nomination.decision_reason = text
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.save()
    _audit(
        "groups.nomination.rejected",
        actor=by,
        group=group,
        target=nomination,
        data={"reason": text},
        request=request,
    )
    return nomination


# --- members --------------------------------------------------------------------------------


def _active_membership(membership: Membership) -> tuple[CommunityGroup, Membership]:
    group = _lock_group(membership.group_id)
    locked = _lock_membership(membership.pk)
    if locked.status != MembershipStatus.ACTIVE:
        raise GroupsError(_("This person is no longer a member."), code="not_active")
    return group, locked


@dataclass(frozen=True)
class ExclusionRequest:
    """Put a removed member on the district's exclusion register."""

    category: str = ExclusionCategory.REMOVED_FOR_MISCONDUCT
    note: str = ""


def remove_member(
    *,
    membership: Membership,
    by: User,
    reason: str,
    exclude: ExclusionRequest | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Take a member out (seat freed, next waiting nominee seated); optionally exclude them."""
    with transaction.atomic():
        group, membership = _active_membership(membership)
        _require(rules.may_administer(by, group))
        membership.status = MembershipStatus.REMOVED
        membership.removal_reason = _required_text(reason, _("Give the reason for the removal."))
        membership.ended_at = timezone.now()
        membership.ended_by = by
        membership.save()
        _free_seat(group)
        entry = None
        if exclude is not None:
            entry = _write_entry(
                entry=ExclusionEntry(
                    district=_district_of(group) or membership.nomination.nominee_district,
                    added_by=by,
                    from_membership=membership,
                ),
                category=exclude.category,
                note=exclude.note,
                expires_on=None,
                names=[membership.citizen.name],
                phones=[membership.citizen.phone] if membership.citizen.phone else [],
                user_ids=[membership.citizen.whatsapp_user_id or ""],
            )
        _audit(
            "groups.membership.removed",
            actor=by,
            group=group,
            target=membership,
            data={
                "reason": membership.removal_reason,
                "excluded_entry": entry.pk if entry else None,
            },
            request=request,
        )
        _fill_seats_from_waitlist(group, by=by)
    return membership


def record_member_left(
    *, membership: Membership, by: User, request: HttpRequest | None = None
) -> Membership:
    """The member left the WhatsApp group: free the seat for the next waiting nominee."""
    with transaction.atomic():
        group, membership = _active_membership(membership)
        _require(rules.may_administer(by, group))
        membership.status = MembershipStatus.LEFT
        membership.ended_at = timezone.now()
        membership.ended_by = by
        membership.save()
        _free_seat(group)
        _audit("groups.membership.left", actor=by, group=group, target=membership, request=request)
        _fill_seats_from_waitlist(group, by=by)
    return membership


@transaction.atomic
def resend_invite(*, membership: Membership, by: User, request: HttpRequest | None = None) -> str:
    """Queue the invite again (e.g. after the template was approved); the problem code or ''."""
    group, membership = _active_membership(membership)
    _require(rules.may_administer(by, group))
    problem = _queue_invite(membership, group, by=by)
    _audit(
        "groups.membership.invite_sent",
        actor=by,
        group=group,
        target=membership,
        data={"invite_problem": problem},
        request=request,
    )
    return problem


@transaction.atomic
def revet_membership(
    *,
    membership: Membership,
    by: User,
    revet_on: date | None = None,
    request: HttpRequest | None = None,
) -> list[Hit]:
    """Screen a member again; when clear, set the next re-vetting date. Returns the matches."""
    group, membership = _active_membership(membership)
    _require(rules.may_decide(by, group))
    nomination = _lock_nomination(membership.nomination_id)
    hits = screen_person(
        district_ids=district_ids_for_group(group),
        name=membership.citizen.name,
        phone=membership.citizen.phone or "",
        user_id=membership.citizen.whatsapp_user_id or "",
    )
    nomination.screening = [dict(hit) for hit in hits]
    nomination.screened_at = timezone.now()
    if not nomination.is_blocked:
        nomination.revet_on = revet_on or _default_revet_on()
    nomination.save(update_fields=["screening", "screened_at", "revet_on"])
    _audit(
        "groups.membership.revetted",
        actor=by,
        group=group,
        target=membership,
        data={"clear": not nomination.is_blocked, "matches": len(hits)},
        request=request,
    )
    return hits


@transaction.atomic
def log_incident(
    *,
    membership: Membership,
    by: User,
    kind: str,
    occurred_on: date,
    description: str = "",
    request_token: UUID | None = None,
    request: HttpRequest | None = None,
) -> ConductIncident:
    """Log a strike with a ready warning in the member's language; propose removal at N."""
    if request_token is not None:
        existing = ConductIncident.objects.filter(request_token=request_token).first()
        if existing is not None:
            return existing  # a double submit of the same form
    group, membership = _active_membership(membership)
    _require(rules.may_administer(by, group))
    if request_token is not None:  # again under the lock: a parallel double submit waited here
        existing = ConductIncident.objects.filter(request_token=request_token).first()
        if existing is not None:
            return existing
    if occurred_on > timezone.localdate():
        raise GroupsError(_("The date cannot be in the future."), code="future")
    strike = membership.incidents.count() + 1
    limit = settings.GROUPS_STRIKES_BEFORE_REMOVAL
    citizen = membership.citizen
    incident = ConductIncident.objects.create(
        membership=membership,
        kind=kind,
        occurred_on=occurred_on,
        description=description.strip(),
        strike_number=strike,
        warning_text=warning_text(
            kind=kind,
            member_name=citizen.name,
            group_name=group.name,
            station_name=_station_name(group),
            strike=strike,
            limit=limit,
            language=citizen.preferred_language,
        ),
        warning_language=citizen.preferred_language,
        logged_by=by,
        request_token=request_token,
    )
    proposed = strike >= limit and membership.removal_proposed_at is None
    if proposed:
        membership.removal_proposed_at = timezone.now()
        membership.save(update_fields=["removal_proposed_at"])
    _audit(
        "groups.incident.logged",
        actor=by,
        group=group,
        target=incident,
        data={"kind": kind, "strike": strike, "removal_proposed": proposed},
        request=request,
    )
    return incident


# --- roster export --------------------------------------------------------------------------


@transaction.atomic
def export_roster(
    *, group: CommunityGroup, by: User, fmt: str, request: HttpRequest | None = None
) -> exports.Export:
    """The active members as CSV or vCard, for the admins' phones (audited)."""
    _require(rules.may_administer(by, group))
    members = list(selectors.roster(group=group))
    export = exports.render(group=group, members=members, fmt=fmt)
    _audit(
        "groups.roster.exported",
        actor=by,
        group=group,
        target=group,
        data={"format": fmt, "members": len(members)},
        request=request,
    )
    return export


# --- exclusion register ---------------------------------------------------------------------


def _write_entry(
    *,
    entry: ExclusionEntry,
    category: str,
    note: str,
    expires_on: date | None,
    names: list[str],
    phones: list[str],
    user_ids: list[str] | None = None,
) -> ExclusionEntry:
    clean_names = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    clean_phones = list(dict.fromkeys(normalize_mobile(p) for p in phones if p.strip()))
    clean_ids = list(dict.fromkeys(u for u in user_ids or [] if u))
    if not clean_names and not clean_phones and not clean_ids:
        raise GroupsError(_("Give at least one name or phone number."), code="empty")
    entry.category = category
    entry.note = note.strip()
    entry.expires_on = expires_on
    entry.save()
    entry.names.exclude(name__in=clean_names).delete()
    entry.phones.exclude(phone__in=clean_phones).delete()
    have_names = set(entry.names.values_list("name", flat=True))
    have_phones = set(entry.phones.values_list("phone", flat=True))
    ExclusionName.objects.bulk_create(
        ExclusionName(entry=entry, name=n, key=name_key(n))
        for n in clean_names
        if n not in have_names
    )
    ExclusionPhone.objects.bulk_create(
        ExclusionPhone(entry=entry, phone=p) for p in clean_phones if p not in have_phones
    )
    if user_ids is not None:  # None: the officer's form, which does not show them
        entry.user_ids.exclude(whatsapp_user_id__in=clean_ids).delete()
        have_ids = set(entry.user_ids.values_list("whatsapp_user_id", flat=True))
        ExclusionUserId.objects.bulk_create(
            ExclusionUserId(entry=entry, whatsapp_user_id=u) for u in clean_ids if u not in have_ids
        )
    return entry


@transaction.atomic
def save_exclusion_entry(
    *,
    district: District,
    by: User,
    category: str,
    names: list[str],
    phones: list[str],
    note: str = "",
    expires_on: date | None = None,
    entry: ExclusionEntry | None = None,
    request_token: UUID | None = None,
    request: HttpRequest | None = None,
) -> ExclusionEntry:
    """Add a register entry (or change one): names and aliases, phones, reason, expiry."""
    _require(rules.may_edit_register(by, district.pk))
    if entry is None:
        if request_token is not None:
            existing = ExclusionEntry.objects.filter(request_token=request_token).first()
            if existing is not None:
                return existing  # a double submit of the same form
        entry = ExclusionEntry(district=district, added_by=by, request_token=request_token)
        action = "groups.register.entry_added"
        try:
            with transaction.atomic():
                entry = _write_entry(
                    entry=entry, category=category, note=note, expires_on=expires_on,
                    names=names, phones=phones,
                )  # fmt: skip
        except IntegrityError:
            if request_token is None:
                raise
            # The same form submitted twice at once: the other request created the entry.
            return ExclusionEntry.objects.get(request_token=request_token)
    else:
        entry = ExclusionEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.district_id != district.pk:
            raise NotAllowed()
        action = "groups.register.entry_changed"
        entry = _write_entry(
            entry=entry,
            category=category,
            note=note,
            expires_on=expires_on,
            names=names,
            phones=phones,
        )
    # The audit row never carries the restricted note, names or phones.
    record_event(
        actor=by,
        action=action,
        target=entry,
        data={"category": category, "names": entry.names.count(), "phones": entry.phones.count()},
        district=district,
        request=request,
    )
    return entry


@transaction.atomic
def withdraw_exclusion_entry(
    *, entry: ExclusionEntry, by: User, reason: str, request: HttpRequest | None = None
) -> ExclusionEntry:
    """Take an entry out of force (kept for the record), with a reason."""
    entry = ExclusionEntry.objects.select_for_update().get(pk=entry.pk)
    _require(rules.may_edit_register(by, entry.district_id))
    if entry.withdrawn_at is not None:
        return entry
    entry.withdraw_reason = _required_text(reason, _("Give the reason for the withdrawal."))
    entry.withdrawn_at = timezone.now()
    entry.withdrawn_by = by
    entry.save()
    record_event(
        actor=by,
        action="groups.register.entry_withdrawn",
        target=entry,
        data={"reason": entry.withdraw_reason},
        district=entry.district,
        request=request,
    )
    return entry
