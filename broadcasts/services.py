"""Writes with a rule in the WhatsApp engine: single messages, status updates, suppression."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.services import record_event
from broadcasts.models import (
    STATUS_RANK,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    UnmatchedStatus,
    WhatsAppNumber,
)
from broadcasts.providers.base import MARKETING_CAP_CODE
from people.models import Citizen, OptOutSource
from stations.models import Station

logger = logging.getLogger(__name__)


class TemplateNotAvailable(Exception):
    """No APPROVED template with that name in the citizen's language or English."""


def approved_template(name: str, language: str) -> MessageTemplate:
    """The approved template in the language, falling back to English; else TemplateNotAvailable."""
    templates = {
        t.language: t
        for t in MessageTemplate.objects.filter(
            name=name, status=MessageTemplate.Status.APPROVED, language__in=[language, "en"]
        )
    }
    template = templates.get(language) or templates.get("en")
    if template is None:
        raise TemplateNotAvailable(name)
    return template


def queue_message(
    *,
    citizen: Citizen,
    purpose: str,
    template_name: str,
    parameters: list[str],
    station: Station | None = None,
    by: User | None = None,
) -> Delivery:
    """Queue one template message to a citizen; it is sent after the transaction commits.

    An opted-out or erased citizen gets a `skipped` delivery (visible, never sent). Raises
    TemplateNotAvailable when the template is not approved.
    """
    template = approved_template(template_name, citizen.preferred_language)
    if len(parameters) != template.parameter_count:
        raise ValueError(
            f"Template {template_name} takes {template.parameter_count} parameters, "
            f"got {len(parameters)}."
        )
    suppressed = citizen.opted_out_at is not None or citizen.erased_at is not None
    delivery = Delivery.objects.create(
        citizen=citizen,
        purpose=purpose,
        station=station,
        template=template,
        parameters=[str(p) for p in parameters],
        status=DeliveryStatus.SKIPPED if suppressed else DeliveryStatus.PENDING,
        error_title="opted_out" if suppressed else "",
    )
    record_event(
        actor=by,
        action="broadcasts.message.queued",
        target=delivery,
        data={"purpose": purpose, "template": template_name},
        station=station,
    )
    if not suppressed:
        transaction.on_commit(_kick_single_messages)
    return delivery


def queue_reply(
    *,
    citizen: Citizen,
    purpose: str,
    text: str,
    station: Station | None = None,
    by: User | None = None,
) -> Delivery:
    """Queue a free-text reply to a citizen who wrote to us in the last 24 hours.

    WhatsApp accepts free text only inside its customer service window; the caller checks
    `citizen.reply_window_open` and says why not otherwise. Sent by phone or, for a citizen who
    withheld it, by WhatsApp user id.
    """
    delivery = Delivery.objects.create(
        citizen=citizen, purpose=purpose, station=station, text=text, status=DeliveryStatus.PENDING
    )
    record_event(
        actor=by,
        action="broadcasts.message.queued",
        target=delivery,
        data={"purpose": purpose, "text": True},
        station=station,
    )
    transaction.on_commit(_kick_single_messages)
    return delivery


def _kick_single_messages() -> None:
    from broadcasts import tasks

    tasks.send_single_messages.delay()


@dataclass(frozen=True)
class StatusUpdate:
    """One status from a webhook: matched by our delivery id, or by wamid."""

    status: str  # sent | delivered | read | failed
    wamid: str
    delivery_id: int | None
    timestamp: datetime
    error_code: int | None = None
    error_title: str = ""


_STAMP = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}
_FINAL_NO_EXIT = (
    DeliveryStatus.FAILED,
    DeliveryStatus.CAPPED,
    DeliveryStatus.SKIPPED,
    DeliveryStatus.READ,
)


def record_status_update(update: StatusUpdate, *, recipient_id: str = "") -> bool:
    """Apply a webhook status; one that names no delivery yet is kept to apply later.

    Returns True when a delivery moved. A status matched by delivery id or wamid applies at
    once; one that matches nothing (its wamid is not recorded yet, or its worker died before
    recording) is kept as an UnmatchedStatus: the recorder applies it when the wamid is
    stored, the reaper matches it to an `unknown` row of the recipient before any resend.
    """
    if update.status not in _STAMP:
        return False
    moved = apply_status_update(update)
    if moved or not update.wamid:
        return moved
    rows = Delivery.objects.all()
    rows = (
        rows.filter(pk=update.delivery_id)
        if update.delivery_id
        else rows.filter(wamid=update.wamid)
    )
    if not rows.exists():
        UnmatchedStatus.objects.create(
            wamid=update.wamid[:128],
            recipient_id=recipient_id[:64],
            status=update.status,
            timestamp=update.timestamp,
            error_code=update.error_code,
            error_title=update.error_title[:300],
        )
    return False


def apply_unmatched_statuses(*, wamids: list[str]) -> int:
    """Apply (and forget) the kept statuses of these wamids, oldest first; how many moved."""
    kept = list(UnmatchedStatus.objects.filter(wamid__in=wamids).order_by("timestamp", "id"))
    if not kept:
        return 0
    moved = sum(apply_status_update(_update_of(status)) for status in kept)
    UnmatchedStatus.objects.filter(pk__in=[status.pk for status in kept]).delete()
    return moved


def _update_of(status: UnmatchedStatus) -> StatusUpdate:
    return StatusUpdate(
        status=status.status,
        wamid=status.wamid,
        delivery_id=None,
        timestamp=status.timestamp,
        error_code=status.error_code,
        error_title=status.error_title,
    )


# A status proves an `unknown` row was sent when it is for the same recipient and not older
# than the row's claim (less this much, for clocks that disagree a little).
CLAIM_CLOCK_SKEW = timedelta(minutes=2)
UNMATCHED_KEEP = timedelta(days=7)


def reconcile_unknown_from_unmatched(*, limit: int = 5000) -> int:
    """Give each `unknown` row without a wamid the wamid of a kept status of its recipient
    sent after its claim (each status names one row, oldest claims first), and apply the
    statuses: a row a status confirmed is never resent. Returns the rows reconciled."""
    from people.phones import whatsapp_id

    rows = list(
        Delivery.objects.filter(status=DeliveryStatus.UNKNOWN, wamid__isnull=True)
        .select_related("citizen")
        .order_by("claimed_at", "id")[:limit]
    )
    recipients = {whatsapp_id(row.citizen.phone): row for row in rows if row.citizen.phone}
    if not recipients:
        return 0
    kept = UnmatchedStatus.objects.filter(recipient_id__in=list(recipients)).order_by("timestamp")
    first_seen: dict[str, dict[str, datetime]] = {}
    for status in kept:
        first_seen.setdefault(status.recipient_id, {}).setdefault(status.wamid, status.timestamp)
    reconciled = 0
    taken: set[str] = set()
    for row in rows:
        if not row.citizen.phone:
            continue
        claimed = (row.claimed_at or row.created_at) - CLAIM_CLOCK_SKEW
        candidates = first_seen.get(whatsapp_id(row.citizen.phone), {})
        wamid = next((w for w, at in candidates.items() if at >= claimed and w not in taken), None)
        if wamid is None or Delivery.objects.filter(wamid=wamid).exists():
            continue
        taken.add(wamid)
        Delivery.objects.filter(pk=row.pk, wamid__isnull=True).update(wamid=wamid)
        apply_unmatched_statuses(wamids=[wamid])
        reconciled += 1
    return reconciled


def forget_old_unmatched_statuses(*, now: datetime | None = None) -> int:
    """Kept statuses nobody claimed in a week (another system's messages on the number)."""
    cutoff = (now or timezone.now()) - UNMATCHED_KEEP
    deleted, _ = UnmatchedStatus.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def apply_status_update(update: StatusUpdate) -> bool:
    """Move a delivery forward to the webhook's status; never backward. True when it moved.

    Duplicates and out-of-order arrivals are harmless: the UPDATE only matches a row whose
    current rank is lower than the new one and whose status is not final.
    """
    try:
        new = DeliveryStatus(update.status)
    except ValueError:
        return False
    rank = Case(
        *[When(status=s.value, then=Value(r)) for s, r in STATUS_RANK.items()],
        output_field=IntegerField(),
    )
    rows = Delivery.objects.all()
    if update.delivery_id is not None:
        rows = rows.filter(pk=update.delivery_id)
    else:
        rows = rows.filter(wamid=update.wamid)
    stamp = _STAMP[new.value]
    capped = new is DeliveryStatus.FAILED and update.error_code == MARKETING_CAP_CODE
    if capped:  # the person's marketing cap: its own final state, not a failure
        new = DeliveryStatus.CAPPED
    changes: dict[str, object] = {"status": new.value, stamp: update.timestamp}
    if new in (DeliveryStatus.FAILED, DeliveryStatus.CAPPED):
        changes |= {"error_code": update.error_code, "error_title": update.error_title[:300]}
    moved = (
        rows.annotate(current_rank=rank)
        .filter(current_rank__lt=STATUS_RANK[new])
        .exclude(status__in=_FINAL_NO_EXIT)
        .update(**changes)
    )
    # Whatever the order, remember the wamid and the earliest stamp of each step.
    fill = rows.filter(wamid__isnull=True)
    if update.wamid:
        fill.update(wamid=update.wamid)
    if new in (DeliveryStatus.DELIVERED, DeliveryStatus.READ):
        rows.filter(sent_at__isnull=True).update(sent_at=update.timestamp)
    if new is DeliveryStatus.READ:
        rows.filter(delivered_at__isnull=True).update(delivered_at=update.timestamp)
    if capped and moved:
        note_marketing_capped(
            delivery_ids=list(rows.values_list("id", flat=True)), at=update.timestamp
        )
    return bool(moved)


def learn_user_id(*, citizen_id: int, user_id: str) -> bool:
    """Remember a citizen's business-scoped user id, unless another citizen holds it (then
    the first holder keeps it: a user id names one person, and a clash is logged to review)."""
    return _learn_user_id(Citizen.objects.filter(pk=citizen_id), user_id)


def learn_user_id_of_delivery(*, update: StatusUpdate, user_id: str) -> bool:
    """A status names its recipient's user id: remember it on the delivery's citizen (so a
    STOP that later comes by user id alone still finds them). One UPDATE: this runs for the
    `sent` status of every message."""
    rows = Delivery.objects.filter(
        **({"pk": update.delivery_id} if update.delivery_id else {"wamid": update.wamid})
    )
    return _learn_user_id(Citizen.objects.filter(pk__in=rows.values("citizen_id")[:1]), user_id)


def _learn_user_id(citizens: QuerySet[Citizen], user_id: str) -> bool:
    """Set the id on these citizens (one), where it is not set already; the unique constraint
    refuses it when another citizen holds it."""
    try:
        with transaction.atomic():
            return bool(citizens.exclude(whatsapp_user_id=user_id).update(whatsapp_user_id=user_id))
    except IntegrityError:
        logger.warning("user id %s already belongs to another citizen", user_id[:12])
        return False


def move_user_id(*, wa_id: str, previous: str, current: str) -> bool:
    """user_id_update: the citizen known by the previous id (or by the phone) takes the new
    one; one person stays one citizen."""
    citizen = None
    if previous:
        citizen = Citizen.objects.filter(whatsapp_user_id=previous).first()
    if citizen is None and wa_id:
        citizen = Citizen.objects.filter(phone="+" + wa_id.lstrip("+")).first()
    if citizen is None or citizen.whatsapp_user_id == current:
        return False
    with transaction.atomic():
        # Whoever held the new id before (a citizen we only knew by it) is this person.
        holder = Citizen.objects.filter(whatsapp_user_id=current).exclude(pk=citizen.pk).first()
        if holder is not None:
            logger.warning(
                "user id %s moved from citizen %s to %s", current[:12], holder.pk, citizen.pk
            )
            Citizen.objects.filter(pk=holder.pk).update(whatsapp_user_id=None)
        Citizen.objects.filter(pk=citizen.pk).update(whatsapp_user_id=current)
    return True


def note_marketing_capped(*, delivery_ids: list[int], at: datetime) -> int:
    """WhatsApp capped these deliveries' citizens (131049): remember when, so no marketing
    reaches them for MARKETING_CAP_WAIT and the next broadcast offers them first."""
    earlier = Q(marketing_capped_at__isnull=True) | Q(marketing_capped_at__lt=at)
    return (
        Citizen.objects.filter(deliveries__id__in=delivery_ids)
        .filter(earlier)
        .update(marketing_capped_at=at)
    )


def mark_stale_claims_unknown(*, older_than: datetime) -> int:
    """Rows stuck in `sending` (their worker died) become `unknown`: never blindly resent."""
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=older_than).update(
        status=DeliveryStatus.UNKNOWN
    )


def requeue_unconfirmed_unknown(*, older_than: datetime) -> int:
    """`unknown` rows that no webhook confirmed within the grace period were never sent.

    WhatsApp reports `sent` within seconds of accepting a message; after the grace period
    (settings.WHATSAPP_UNKNOWN_GRACE_SECONDS) silence means the request never reached it.
    Every kept status that can name such a row is matched to it first, and a row any status
    has touched (a wamid, a sent/delivered/read stamp) is never resent.
    """
    reconcile_unknown_from_unmatched()
    return Delivery.objects.filter(
        status=DeliveryStatus.UNKNOWN,
        claimed_at__lt=older_than,
        wamid__isnull=True,
        sent_at__isnull=True,
        delivered_at__isnull=True,
        read_at__isnull=True,
    ).update(status=DeliveryStatus.PENDING, not_before=timezone.now())


def suppress_opted_out_deliveries(*, citizen_ids: list[int]) -> int:
    """Skip every not-yet-sent delivery of citizens who opted out."""
    return Delivery.objects.filter(
        citizen_id__in=citizen_ids, status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.SKIPPED, error_title="opted_out")


def opt_out_from_failed_deliveries(*, delivery_ids: list[int]) -> int:
    """Error 131050 at send time: the citizen stopped marketing messages -> the same opt-out."""
    from people.services import opt_out_citizen

    citizens = Citizen.objects.filter(deliveries__id__in=delivery_ids).distinct()
    count = 0
    for citizen in citizens:
        count += opt_out_citizen(citizen=citizen, source=OptOutSource.ERROR_131050)
    suppress_opted_out_deliveries(citizen_ids=[c.pk for c in citizens])
    return count


# --- what WhatsApp says of templates and numbers ---------------------------------------------

# message_template_status_update events -> our status. Events not listed (FLAGGED: quality
# dropped but still sendable; PENDING_DELETION, LOCKED, ...) are recorded in the audit log only.
TEMPLATE_EVENTS = {
    "APPROVED": MessageTemplate.Status.APPROVED,
    "REINSTATED": MessageTemplate.Status.APPROVED,
    "UNPAUSED": MessageTemplate.Status.APPROVED,
    "PAUSED": MessageTemplate.Status.PAUSED,
    "DISABLED": MessageTemplate.Status.DISABLED,
    "REJECTED": MessageTemplate.Status.REJECTED,
    "PENDING": MessageTemplate.Status.PENDING,
    "IN_APPEAL": MessageTemplate.Status.PENDING,
}


def apply_template_event(
    *, event: str, provider_id: str, name: str, language: str, reason: str = ""
) -> list[MessageTemplate]:
    """A template's status as WhatsApp now says, at once: broadcasts using a template that is
    no longer approved stop (and their officers are told); new ones cannot use it; when it is
    approved again its halt is lifted (stopped broadcasts wait for an officer to resume)."""
    from broadcasts import halts, lifecycle

    status = TEMPLATE_EVENTS.get(event.upper())
    rows = MessageTemplate.objects.all()
    if provider_id:
        rows = rows.filter(provider_id=provider_id) | rows.filter(name=name, language=language)
    else:
        rows = rows.filter(name=name, language=language)
    templates = list(rows.distinct())
    for template in templates:
        record_event(
            actor=None,
            action="broadcasts.template.status_event",
            target=template,
            data={"event": event, "reason": reason, "was": template.status},
        )
        if status is None or template.status == status:
            continue
        MessageTemplate.objects.filter(pk=template.pk).update(
            status=status, synced_at=timezone.now()
        )
        template.status = status
        if status == MessageTemplate.Status.APPROVED:
            transaction.on_commit(partial(halts.clear_halts, template_ids=[template.pk]))
            continue
        halt = halts.Halt(
            "template",
            None,
            f"{event}: {reason}"[:300] if reason and reason != "NONE" else event,
            "",
            template.pk,
        )
        transaction.on_commit(partial(halts.raise_halt, halt))
        lifecycle.stop_for_halt(halt=halt)
    return templates


# Meta's tiers (max_daily_conversations_per_business, formerly current_limit) -> unique
# recipients per moving 24 h; 0 = unlimited.
TIER_LIMITS = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1000,
    "TIER_2K": 2000,
    "TIER_10K": 10000,
    "TIER_100K": 100000,
    "TIER_UNLIMITED": 0,
}


def apply_quality_update(*, display_phone_number: str, event: str, limit: str) -> WhatsAppNumber:
    """Record the number's quality event and messaging tier (the sender defers by it)."""
    event = event.upper()[:40]
    number, _created = WhatsAppNumber.objects.get_or_create(
        display_phone_number=display_phone_number[:20],
        defaults={"business_account_id": settings.WHATSAPP_BUSINESS_ACCOUNT_ID},
    )
    tier = limit.upper()
    if tier in TIER_LIMITS:
        number.messaging_tier, number.messaging_limit = tier, TIER_LIMITS[tier]
    elif tier:
        logger.warning("unknown messaging tier %r for %s", tier, display_phone_number)
    if event == "FLAGGED":
        number.flagged = True
    elif event == "UNFLAGGED":
        number.flagged = False
    elif event == "THROUGHPUT_UPGRADE":
        number.throughput_upgraded = True
    number.last_event = event
    number.save()
    record_event(
        actor=None,
        action="broadcasts.number.quality_event",
        target=number,
        data={"event": event, "tier": number.messaging_tier},
    )
    return number


def messaging_limit() -> int:
    """Unique recipients per 24 h the account may reach now (0 = unlimited): the latest tier
    WhatsApp announced for our number(s), else WHATSAPP_MESSAGING_LIMIT."""
    announced = (
        WhatsAppNumber.objects.filter(messaging_limit__isnull=False)
        .order_by("-updated_at")
        .values_list("messaging_limit", flat=True)
        .first()
    )
    return int(settings.WHATSAPP_MESSAGING_LIMIT if announced is None else announced)
