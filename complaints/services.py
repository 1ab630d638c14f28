"""Writes of complaint intake: register, assign, move status, reveal identity, escalate.

Every write is keyword-only, runs in one transaction and appends one AuditEvent whose text
carries only the tracking number (never the victim's identity).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import client_ip, record_event
from broadcasts.services import TemplateNotAvailable, queue_message, queue_reply
from complaints import access as complaint_access
from complaints import timeline
from complaints.models import (
    COMPLAINT_TRANSITIONS,
    OPEN_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintClosure,
    ComplaintEvent,
    ComplaintPriority,
    ComplaintStatus,
    CounsellingOutcome,
    CounsellingSession,
    EscalationLevel,
    Feedback,
    IdentityAccessLog,
    SlaPolicy,
    TrackingCounter,
    UnroutedMessage,
    VictimIdentity,
)
from people.phones import InvalidPhone, normalize_mobile
from people.services import citizen_for_whatsapp_user, note_inbound_message
from stations.models import District
from stations.uploads import clean_image, content_type_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from people.models import Citizen
    from stations.models import Station

logger = logging.getLogger(__name__)

# Whole-word SOS keywords in English, Hindi and Bengali (case-insensitive).
SOS_KEYWORDS = (
    "sos",
    "help",
    "emergency",
    "urgent",
    "बचाओ",
    "मदद",
    "सहायता",
    "आपातकाल",
    "বাঁচাও",
    "সাহায্য",
    "জরুরি",
)
_SOS_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(k) for k in SOS_KEYWORDS) + r")(?!\w)", re.IGNORECASE
)


@dataclass(frozen=True)
class IdentityData:
    """The victim's identity as typed in; stored encrypted, never logged."""

    name: str = ""
    phone: str = ""
    address: str = ""
    family: str = ""
    school_or_workplace: str = ""

    def __repr__(self) -> str:  # never leak into logs or tracebacks
        return "IdentityData(<protected>)"


def phone_lookup_hash(phone: str) -> str:
    """HMAC-SHA256 of the normalised mobile number ('' when it is not a valid number)."""
    try:
        normal = normalize_mobile(phone)
    except InvalidPhone:
        return ""
    key = settings.COMPLAINTS_LOOKUP_KEY.encode()
    return hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()


def is_sos_text(text: str) -> bool:
    """True when the message contains an SOS / help keyword in en, hi or bn."""
    return bool(_SOS_RE.search(text or ""))


def _holidays() -> frozenset[date]:
    return frozenset(date.fromisoformat(str(d)) for d in settings.COMPLAINTS_HOLIDAYS)


def add_working_days(start: date, days: int) -> date:
    """`days` working days after `start`, skipping Sundays and the settings' holidays."""
    holidays = _holidays()
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() != 6 and current not in holidays:
            remaining -= 1
    return current


def _policy_row(category: str) -> SlaPolicy | None:
    return SlaPolicy.objects.filter(category=category).first()


def sla_days(category: str) -> int:
    """Working days allowed for a category: its SlaPolicy row (edited by admins in the Django
    admin), else settings.COMPLAINTS_SLA_WORKING_DAYS (the category, else its "*" default)."""
    row = _policy_row(category)
    if row is not None:
        return int(row.working_days)
    policy: dict[str, int] = settings.COMPLAINTS_SLA_WORKING_DAYS
    return int(policy.get(category, policy.get("*", 7)))


def sos_hours(category: str) -> int:
    """Hours within which an SOS of the category falls due (0, the fallback: the same day)."""
    row = _policy_row(category)
    return int(row.sos_hours) if row is not None else 0


def due_date(
    *,
    category: str,
    registered_on: date,
    is_sos: bool = False,
    registered_at: datetime | None = None,
) -> date:
    """When a complaint falls due: an SOS within the policy's SOS hours (the same day when 0),
    otherwise after the category's working days (Sundays and holidays skipped)."""
    if is_sos:
        hours = sos_hours(category)
        if hours <= 0:
            return registered_on
        start = registered_at or timezone.make_aware(
            datetime.combine(registered_on, timezone.localtime().timetz().replace(tzinfo=None))
        )
        return max(registered_on, timezone.localdate(start + timedelta(hours=hours)))
    return add_working_days(registered_on, sla_days(category))


def allocate_tracking_number(*, station: Station, year: int) -> tuple[int, str]:
    """Next sequence for the station and year, atomically (one upsert ... RETURNING)."""
    table = TrackingCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (station_id, year, last_sequence) VALUES (%s, %s, 1)
            ON CONFLICT (station_id, year)
            DO UPDATE SET last_sequence = {table}.last_sequence + 1
            RETURNING last_sequence
            """,  # noqa: S608 - table name from model meta, values parameterised
            [station.pk, year],
        )
        sequence = int(cursor.fetchone()[0])
    return sequence, f"{station.code}-{year}-{sequence:05d}"


def _event(
    complaint: Complaint,
    kind: str,
    *,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    note_params: dict[str, Any] | None = None,
) -> None:
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note[:500],
        note_params=note_params or {},
    )


def _validate(
    *, category: str, channel: str, priority: str, description: str, occurred_on: date | None
) -> None:
    errors: dict[str, str] = {}
    if category not in ComplaintCategory.values:
        errors["category"] = _("Choose a category from the list.")
    if channel not in ComplaintChannel.values:
        errors["channel"] = _("Choose a channel from the list.")
    if priority not in ComplaintPriority.values:
        errors["priority"] = _("Choose a priority from the list.")
    if not description.strip():
        errors["description"] = _("Describe what happened.")
    if occurred_on is not None and occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date of the incident cannot be in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_complaint(
    *,
    station: Station,
    by: User | None,
    channel: str,
    category: str,
    description: str,
    identity: IdentityData | None = None,
    priority: str = ComplaintPriority.NORMAL,
    is_sos: bool = False,
    occurred_on: date | None = None,
    inbound_wamid: str | None = None,
    request: HttpRequest | None = None,
) -> Complaint:
    """Register a complaint with its identity stored apart; one audit event (tracking no. only)."""
    _validate(
        category=category,
        channel=channel,
        priority=priority,
        description=description,
        occurred_on=occurred_on,
    )
    now = timezone.now()
    today = timezone.localdate(now)
    sequence, tracking = allocate_tracking_number(station=station, year=today.year)
    if is_sos:
        priority = ComplaintPriority.URGENT
    complaint = Complaint.objects.create(
        tracking_number=tracking,
        station=station,
        year=today.year,
        sequence=sequence,
        channel=channel,
        category=category,
        description=description.strip(),
        occurred_on=occurred_on,
        priority=priority,
        is_sos=is_sos,
        due_on=due_date(category=category, registered_on=today, is_sos=is_sos, registered_at=now),
        inbound_wamid=inbound_wamid or None,
        created_by=by,
    )
    identity = identity or IdentityData()
    VictimIdentity.objects.create(
        complaint=complaint,
        name=identity.name.strip(),
        phone=identity.phone.strip(),
        address=identity.address.strip(),
        family=identity.family.strip(),
        school_or_workplace=identity.school_or_workplace.strip(),
        phone_hash=phone_lookup_hash(identity.phone) if identity.phone.strip() else "",
    )
    _event(complaint, ComplaintEvent.Kind.REGISTERED, actor=by, to_status=complaint.status)
    record_event(
        actor=by,
        action="complaints.complaint.registered",
        target=complaint,
        data={"tracking_number": tracking, "channel": channel, "sos": is_sos},
        request=request,
        station=station,
    )
    return complaint


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def assign_complaint(
    *, complaint: Complaint, officer: User, by: User, request: HttpRequest | None = None
) -> Complaint:
    """Make an officer of the complaint's station responsible (received -> assigned)."""
    if not complaint_access.can_work_on(by, complaint):
        raise PermissionDenied
    if not complaint_access.can_work_on(officer, complaint):
        raise ValidationError({"officer": _("Choose an officer posted at this station.")})
    locked = _lock(complaint)
    if not locked.is_open:
        raise ValidationError({"officer": _("A closed complaint cannot be reassigned.")})
    previous = locked.status
    locked.assigned_to = officer
    if locked.status == ComplaintStatus.RECEIVED:
        locked.status = ComplaintStatus.ASSIGNED
    locked.save(update_fields=["assigned_to", "status"])
    _event(
        locked,
        ComplaintEvent.Kind.ASSIGNED,
        actor=by,
        from_status=previous,
        to_status=locked.status,
        note=officer.get_full_name() or officer.get_username(),
    )
    record_event(
        actor=by,
        action="complaints.complaint.assigned",
        target=locked,
        data={"tracking_number": locked.tracking_number, "officer_id": officer.pk},
        request=request,
        station=locked.station,
    )
    return locked


@transaction.atomic
def change_status(
    *,
    complaint: Complaint,
    status: str,
    by: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> Complaint:
    """Move a complaint along COMPLAINT_TRANSITIONS; anything else is a ValidationError."""
    if not complaint_access.can_work_on(by, complaint):
        raise PermissionDenied
    locked = _lock(complaint)
    if status not in COMPLAINT_TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            {
                "status": _("A complaint that is %(current)s cannot become %(target)s.")
                % {
                    "current": locked.get_status_display(),
                    "target": dict(ComplaintStatus.choices).get(status, status),
                }
            }
        )
    if status == ComplaintStatus.ASSIGNED and locked.assigned_to_id is None:
        raise ValidationError({"status": _("Assign an officer first.")})
    if status == ComplaintStatus.CLOSED and not note.strip():
        # Closing always leaves a summary (complaints.casework.close_complaint also asks for
        # the complainant's feedback; here it is recorded as not given).
        raise ValidationError({"note": _("Write a short summary to close the complaint.")})
    previous = locked.status
    locked.status = status
    if status in {ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN}:
        locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    if status == ComplaintStatus.CLOSED:
        ComplaintClosure.objects.create(
            complaint=locked, summary=note.strip(), feedback=Feedback.NOT_GIVEN, closed_by=by
        )
    _event(
        locked,
        ComplaintEvent.Kind.STATUS,
        actor=by,
        from_status=previous,
        to_status=status,
        note=note,
    )
    record_event(
        actor=by,
        action="complaints.complaint.status_changed",
        target=locked,
        data={"tracking_number": locked.tracking_number, "from": previous, "to": status},
        request=request,
        station=locked.station,
    )
    return locked


@transaction.atomic
def reveal_identity(
    *, complaint: Complaint, by: User, reason: str, request: HttpRequest | None = None
) -> VictimIdentity:
    """The victim's identity for a permitted user with a stated reason; logged every time."""
    if not complaint_access.can_see_identity(by, complaint):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("State why you need to see the identity.")})
    IdentityAccessLog.objects.create(
        user=by, complaint=complaint, reason=reason[:300], ip_address=client_ip(request)
    )
    _event(complaint, ComplaintEvent.Kind.IDENTITY_SHOWN, actor=by)
    record_event(
        actor=by,
        action="complaints.identity.shown",
        target=complaint,
        data={"tracking_number": complaint.tracking_number},
        request=request,
        station=complaint.station,
    )
    return VictimIdentity.objects.get(complaint=complaint)


@dataclass(frozen=True)
class EscalationResult:
    to_station_ic: int
    to_district: int


@transaction.atomic
def escalate_overdue(*, now: datetime | None = None) -> EscalationResult:
    """Overdue open complaints go to the station IC, then (after a grace) to the district."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    grace = timedelta(hours=settings.COMPLAINTS_DISTRICT_GRACE_HOURS)
    overdue = Complaint.objects.select_for_update(skip_locked=True).filter(
        status__in=OPEN_STATUSES, due_on__lt=today
    )
    counts = {EscalationLevel.STATION_IC: 0, EscalationLevel.DISTRICT: 0}
    for complaint in overdue.filter(escalation_level=EscalationLevel.NONE).select_related(
        "station"
    ):
        _escalate(complaint, EscalationLevel.STATION_IC, now)
        counts[EscalationLevel.STATION_IC] += 1
    for complaint in overdue.filter(
        escalation_level=EscalationLevel.STATION_IC, escalated_at__lte=now - grace
    ).select_related("station"):
        _escalate(complaint, EscalationLevel.DISTRICT, now)
        counts[EscalationLevel.DISTRICT] += 1
    return EscalationResult(
        to_station_ic=counts[EscalationLevel.STATION_IC],
        to_district=counts[EscalationLevel.DISTRICT],
    )


def _escalate(complaint: Complaint, level: EscalationLevel, now: datetime) -> None:
    complaint.escalation_level = level
    complaint.escalated_at = now
    complaint.save(update_fields=["escalation_level", "escalated_at"])
    _event(
        complaint,
        ComplaintEvent.Kind.ESCALATED,
        actor=None,
        note=str(level.label),
        note_params=timeline.choice_params(ComplaintEvent.Kind.ESCALATED, int(level)),
    )
    record_event(
        actor=None,
        action="complaints.complaint.escalated",
        target=complaint,
        data={"tracking_number": complaint.tracking_number, "level": int(level)},
        station=complaint.station,
    )


def _whatsapp_district(citizen: Citizen | None, to_phone_number_id: str = "") -> District | None:
    """The district an unrouted WhatsApp message belongs to: the citizen's; else the district
    whose own helpline number received it (District.whatsapp_phone_number_id); else the
    district of settings.COMPLAINTS_WHATSAPP_DISTRICT (the deployment's one number)."""
    if citizen is not None and citizen.district_id is not None:
        return citizen.district
    if to_phone_number_id:
        district = District.objects.filter(whatsapp_phone_number_id=to_phone_number_id).first()
        if district is not None:
            return district
    code = str(getattr(settings, "COMPLAINTS_WHATSAPP_DISTRICT", "") or "")
    return District.objects.filter(code=code).first() if code else None


def _acknowledge(citizen: Citizen | None, complaint: Complaint) -> None:
    """The acknowledgement template with the tracking number (known citizens only)."""
    if citizen is None:
        return
    try:
        queue_message(
            citizen=citizen,
            purpose="complaints.ack",
            template_name="complaint_acknowledgement",
            parameters=[complaint.tracking_number, complaint.station.name],
            station=complaint.station,
        )
    except TemplateNotAvailable:
        logger.warning(
            "complaints: acknowledgement template missing for %s", complaint.tracking_number
        )


def complaint_from_whatsapp(
    *,
    message_id: str,
    from_phone: str,
    text: str,
    citizen: Citizen | None,
    received_at: datetime | None = None,
    to_phone_number_id: str = "",
    from_user_id: str = "",
    sender_profile: dict[str, str] | None = None,
) -> Complaint | None:
    """One complaint per inbound WhatsApp message (dedupe on the wamid), acknowledged by
    template. The station is the citizen's station. When it cannot be determined (an unknown
    sender, or a citizen without a station) the message waits in its district's unassigned
    queue (UnroutedMessage) for the district head or a Mission Shakti in-charge to route; when
    not even the district is known it is dropped with a log line carrying the message id only.
    Returns the complaint, or None when none was created now."""
    if not message_id:
        return None
    if (
        Complaint.objects.filter(inbound_wamid=message_id).exists()
        or UnroutedMessage.objects.filter(inbound_wamid=message_id).exists()
    ):
        return None
    sos = is_sos_text(text)
    body = text.strip() or _("(WhatsApp message without text)")
    if citizen is None and from_user_id:
        # A sender behind a username, number withheld: known from now on by their user id.
        district = _whatsapp_district(None, to_phone_number_id)
        if district is not None:
            profile = sender_profile or {}
            citizen = citizen_for_whatsapp_user(
                user_id=from_user_id,
                name=profile.get("name") or profile.get("username") or "",
                district=district,
            )
            note_inbound_message(citizen_id=citizen.pk, at=received_at or timezone.now())
    if citizen is None or citizen.station_id is None:
        district = _whatsapp_district(citizen, to_phone_number_id)
        if district is None:
            logger.info("complaints: inbound message %s has no known district; dropped", message_id)
            return None
        try:
            with transaction.atomic():
                unrouted = UnroutedMessage.objects.create(
                    district=district,
                    inbound_wamid=message_id,
                    from_phone=from_phone.strip(),
                    citizen=citizen,
                    sender_name=citizen.name if citizen is not None else "",
                    text=body,
                    is_sos=sos,
                    received_at=received_at or timezone.now(),
                )
                record_event(
                    actor=None,
                    action="complaints.whatsapp.unrouted",
                    target=unrouted,
                    data={"district": district.code, "sos": sos},
                )
        except IntegrityError:
            return None
        return None
    station = citizen.station
    assert station is not None
    try:
        with transaction.atomic():
            complaint = register_complaint(
                station=station,
                by=None,
                channel=ComplaintChannel.WHATSAPP,
                category=ComplaintCategory.OTHER,
                description=body,
                identity=IdentityData(name=citizen.name, phone=from_phone),
                is_sos=sos,
                inbound_wamid=message_id,
            )
            Complaint.objects.filter(pk=complaint.pk).update(whatsapp_citizen=citizen)
            complaint.whatsapp_citizen = citizen
            _acknowledge(citizen, complaint)
    except IntegrityError:
        # The same message delivered twice at once: the other delivery created it.
        return None
    return complaint


REPLY_MAX_CHARS = 4096  # WhatsApp's limit for a text message body


@transaction.atomic
def reply_on_whatsapp(
    *, complaint: Complaint, by: User, text: str, request: HttpRequest | None = None
) -> None:
    """Send the complainant a free-text WhatsApp reply, inside the 24-hour window.

    Reaches a complainant who withheld their number too (by WhatsApp user id). Refused, with
    the reason, when the complaint did not come from WhatsApp, the window has closed (WhatsApp
    then accepts only approved templates), or the citizen asked us to stop.
    """
    if not complaint_access.can_work_on(by, complaint):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Type the reply.")})
    if len(text) > REPLY_MAX_CHARS:
        raise ValidationError(
            {"text": _("A WhatsApp reply holds at most %(n)s characters.") % {"n": REPLY_MAX_CHARS}}
        )
    from people.models import Citizen as CitizenModel

    # Read afresh: a STOP may have come in since the page (or the caller) loaded it.
    citizen = (
        CitizenModel.objects.filter(pk=complaint.whatsapp_citizen_id).first()
        if complaint.whatsapp_citizen_id is not None
        else None
    )
    if citizen is None:
        raise ValidationError(
            _("This complaint did not come from WhatsApp: there is nobody to reply to there.")
        )
    if citizen.erased_at is not None or citizen.opted_out_at is not None:
        raise ValidationError(_("The complainant asked not to be messaged on WhatsApp."))
    if not citizen.reply_window_open:
        raise ValidationError(
            _(
                "More than 24 hours have passed since their last WhatsApp message: WhatsApp "
                "allows free text only within 24 hours. Call them, or wait for them to write."
            )
        )
    queue_reply(
        citizen=citizen, purpose="complaints.reply", text=text, station=complaint.station, by=by
    )
    _event(complaint, ComplaintEvent.Kind.REPLIED, actor=by, note=text[:200])
    record_event(
        actor=by,
        action="complaints.whatsapp.replied",
        target=complaint,
        request=request,
        station=complaint.station,
    )


@transaction.atomic
def route_unrouted(
    *,
    message: UnroutedMessage,
    station: Station,
    by: User,
    category: str = ComplaintCategory.OTHER,
    request: HttpRequest | None = None,
) -> Complaint:
    """Give a message of the district queue to one of the district's stations: it becomes a
    complaint there (tracking number, SLA, SOS flag), and a known sender gets the usual
    acknowledgement with the tracking number."""
    if not complaint_access.can_route_in(by, message.district_id):
        raise PermissionDenied
    locked = UnroutedMessage.objects.select_for_update().get(pk=message.pk)
    errors: dict[str, str] = {}
    if locked.complaint_id is not None:
        errors["__all__"] = _("This message has already been given to a station.")
    if station.district_id != locked.district_id or not station.is_active:
        errors["station"] = _("Choose a station of this district.")
    if category not in ComplaintCategory.values:
        errors["category"] = _("Choose a category from the list.")
    if errors:
        raise ValidationError(errors)
    complaint = register_complaint(
        station=station,
        by=by,
        channel=ComplaintChannel.WHATSAPP,
        category=category,
        description=locked.text,
        identity=IdentityData(name=locked.sender_name or "", phone=locked.from_phone or ""),
        is_sos=locked.is_sos,
        inbound_wamid=locked.inbound_wamid,
        request=request,
    )
    locked.complaint = complaint
    locked.routed_by = by
    locked.routed_at = timezone.now()
    locked.save(update_fields=["complaint", "routed_by", "routed_at"])
    _event(complaint, ComplaintEvent.Kind.ROUTED, actor=by, note=locked.district.name)
    from people.models import Citizen

    sender = locked.citizen
    if sender is None and (locked.from_phone or "").strip():
        sender = Citizen.objects.filter(phone=(locked.from_phone or "").strip()).first()
    if sender is not None:
        Complaint.objects.filter(pk=complaint.pk).update(whatsapp_citizen=sender)
        complaint.whatsapp_citizen = sender
    _acknowledge(sender, complaint)
    return complaint


def public_status(*, tracking_number: str, phone: str) -> Complaint | None:
    """The complaint whose tracking number and victim phone both match, else None."""
    digest = phone_lookup_hash(phone)
    if not digest:
        return None
    return (
        Complaint.objects.filter(
            tracking_number__iexact=tracking_number.strip(), identity__phone_hash=digest
        )
        .only("id", "tracking_number", "status")
        .first()
    )


# Statuses from which logging a counselling session moves the complaint to `counselling`.
_INTO_COUNSELLING = frozenset({ComplaintStatus.UNDER_ENQUIRY})
# Statuses in which a counselling session may be logged.
COUNSELLING_ALLOWED = frozenset(
    {ComplaintStatus.ASSIGNED, ComplaintStatus.UNDER_ENQUIRY, ComplaintStatus.COUNSELLING}
)


@dataclass(frozen=True)
class Availability:
    """Whether a casework action may be taken now and, when it may be later, why not yet.

    No reason: the action is not in the complaint's future (it is over, or the complaint is
    closed, transferred or withdrawn), so the page does not offer it at all.
    """

    available: bool
    reason: str = ""

    @property
    def shown(self) -> bool:
        return self.available or bool(self.reason)


def not_started_reason(status: str) -> str:
    """Why an action that needs the enquiry under way is not available yet ('' once it is)."""
    if status == ComplaintStatus.RECEIVED:
        return _("Assign the complaint first.")
    if status == ComplaintStatus.ASSIGNED:
        return _("Available once the complaint is under enquiry: update its status above.")
    return ""


def next_step(status: str) -> str:
    """What moves a complaint that is just in forward ('' once the enquiry has started)."""
    if status == ComplaintStatus.RECEIVED:
        return _("Next: assign an officer. Counselling needs an assigned complaint.")
    if status == ComplaintStatus.ASSIGNED:
        return _(
            "Next: start the enquiry (status “Under enquiry”). The FIR and closure are "
            "recorded once the enquiry is under way."
        )
    return ""


def counselling_availability(status: str) -> Availability:
    """A session may be logged on an assigned complaint until action is taken."""
    if status in COUNSELLING_ALLOWED:
        return Availability(True)
    if status == ComplaintStatus.RECEIVED:
        return Availability(False, _("Assign the complaint first."))
    return Availability(False)


@transaction.atomic
def log_counselling(
    *,
    complaint: Complaint,
    by: User,
    held_on: date,
    parties: str,
    outcome: str,
    notes: str = "",
    follow_up_on: date | None = None,
    request: HttpRequest | None = None,
) -> CounsellingSession:
    """Record a counselling session; an enquiry moves into counselling (through the machine)."""
    if not complaint_access.can_work_on(by, complaint):
        raise PermissionDenied
    locked = _lock(complaint)
    errors: dict[str, str] = {}
    availability = counselling_availability(locked.status)
    if not availability.available:
        errors["__all__"] = availability.reason or _(
            "Counselling can be logged only on an assigned, open complaint."
        )
    if held_on > timezone.localdate():
        errors["held_on"] = _("The session date cannot be in the future.")
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = _("The follow-up cannot be before the session.")
    if not parties.strip():
        errors["parties"] = _("Say who took part (by role).")
    if outcome not in CounsellingOutcome.values:
        errors["outcome"] = _("Choose an outcome from the list.")
    if errors:
        raise ValidationError(errors)
    session = CounsellingSession.objects.create(
        complaint=locked,
        held_on=held_on,
        parties=parties.strip(),
        outcome=outcome,
        notes=notes.strip(),
        follow_up_on=follow_up_on,
        recorded_by=by,
    )
    previous = locked.status
    if locked.status in _INTO_COUNSELLING and locked.can_move_to(ComplaintStatus.COUNSELLING):
        locked.status = ComplaintStatus.COUNSELLING
        locked.save(update_fields=["status"])
    _event(
        locked,
        ComplaintEvent.Kind.COUNSELLING,
        actor=by,
        from_status=previous if previous != locked.status else "",
        to_status=locked.status if previous != locked.status else "",
        note=str(session.get_outcome_display()),
        note_params=timeline.choice_params(ComplaintEvent.Kind.COUNSELLING, session.outcome),
    )
    record_event(
        actor=by,
        action="complaints.counselling.logged",
        target=locked,
        data={"tracking_number": locked.tracking_number, "outcome": outcome},
        request=request,
        station=locked.station,
    )
    return session


def _identity_cipher() -> Fernet | MultiFernet:
    """The Fernet of the identity fields (SECRET_KEY x SALT_KEY; rotation keeps old keys)."""
    field = VictimIdentity._meta.get_field("name")
    cipher: Fernet | MultiFernet = field.f  # type: ignore[union-attr]
    return cipher


@transaction.atomic
def attach_identity_photo(
    *,
    complaint: Complaint,
    by: User,
    upload: UploadedFile[bytes],
    request: HttpRequest | None = None,
) -> None:
    """Add (or replace) the victim's photo: checked and re-encoded without metadata
    (stations.uploads.clean_image), then stored Fernet-encrypted in private storage. Only those
    who may see the identity may add it; nothing about the photo is logged but the number."""
    if not complaint_access.can_see_identity(by, complaint):
        raise PermissionDenied
    try:
        clean = clean_image(upload)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    identity = VictimIdentity.objects.select_for_update().get(complaint=complaint)
    old_name = identity.photo.name if identity.photo else ""
    cipher = _identity_cipher().encrypt(clean.read())
    identity.photo.save(f"{uuid.uuid4().hex}.enc", ContentFile(cipher), save=False)
    identity.photo_content_type = content_type_for(clean.name or "")
    identity.save(update_fields=["photo", "photo_content_type"])
    if old_name:
        storage = identity.photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    _event(complaint, ComplaintEvent.Kind.PHOTO, actor=by)
    record_event(
        actor=by,
        action="complaints.identity.photo_added",
        target=complaint,
        data={"tracking_number": complaint.tracking_number},
        request=request,
        station=complaint.station,
    )


def identity_photo_data_uri(identity: VictimIdentity) -> str:
    """The decrypted photo as a data: URI for the page that reveal_identity rendered ('' when
    there is none or it cannot be read). Never a URL: nothing to cache, share or guess."""
    if not identity.photo:
        return ""
    try:
        with identity.photo.open("rb") as handle:
            plain = _identity_cipher().decrypt(handle.read())
    except (OSError, InvalidToken):
        logger.warning(
            "complaints: identity photo of complaint %s unreadable", identity.complaint_id
        )
        return ""
    encoded = base64.b64encode(plain).decode()
    return f"data:{identity.photo_content_type or 'image/jpeg'};base64,{encoded}"
