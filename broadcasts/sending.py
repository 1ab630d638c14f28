"""Claim, send, record: the sender loop every worker runs.

1. Claim a batch of ready deliveries (`pending`, `not_before` passed) with
   SELECT ... FOR UPDATE SKIP LOCKED and mark them `sending` in the same transaction: two
   workers never hold the same row.
2. Re-check suppression (opt-out, erasure, cancelled broadcast) on the claimed rows and skip
   those; send the rest through the provider under the shared rate limiter, a few in flight.
3. Record every outcome in one UPDATE ... FROM (VALUES ...) per batch.
A worker that dies between 1 and 3 leaves rows in `sending`; the reaper turns them into
`unknown`, and the status webhook (biz_opaque_callback_data = delivery id) reconciles them.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from broadcasts import ratelimit
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from broadcasts.providers import (
    ErrorClass,
    OutgoingMessage,
    Provider,
    ProviderError,
    get_provider,
)

logger = logging.getLogger(__name__)

PAIR_LIMIT_BACKOFF = (1, 4, 16, 64)


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to send one claimed delivery (no model instance held)."""

    id: int
    attempts: int
    message: OutgoingMessage | None  # None: suppressed after claim -> skipped
    skip_reason: str = ""


@dataclass(frozen=True)
class Outcome:
    id: int
    status: DeliveryStatus
    wamid: str | None = None
    error_code: int | None = None
    error_title: str = ""
    not_before: datetime | None = None
    error_class: ErrorClass | None = None


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


# --- 1. claim --------------------------------------------------------------------------------


def claim_batch(*, broadcast_id: int | None, limit: int) -> list[int]:
    """Claim up to `limit` ready deliveries of one broadcast (None: single messages)."""
    now = timezone.now()
    with transaction.atomic():
        ready = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, not_before__lte=now, broadcast_id=broadcast_id
        )
        if broadcast_id is not None:
            ready = ready.filter(broadcast__status=Broadcast.Status.SENDING)
        ids = list(
            ready.order_by("not_before", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(id__in=ids).update(
                status=DeliveryStatus.SENDING, claimed_at=now, defer_reason=""
            )
    return ids


def load_claimed(ids: list[int]) -> list[Claimed]:
    """Build the messages of claimed rows, re-checking suppression just before sending."""
    rows = (
        Delivery.objects.filter(id__in=ids)
        .select_related("citizen", "template", "broadcast__template")
        .order_by("id")
    )
    claimed = []
    for row in rows:
        reason = suppression_reason(row)
        if reason:
            claimed.append(Claimed(row.id, row.attempts, None, reason))
            continue
        template: MessageTemplate | None = row.template or (
            row.broadcast.template if row.broadcast else None
        )
        parameters = row.parameters or (row.broadcast.parameters if row.broadcast else [])
        claimed.append(
            Claimed(
                row.id,
                row.attempts,
                OutgoingMessage(
                    to=row.citizen.phone,
                    callback_data=str(row.id),
                    template_name=template.name if template else "",
                    language=template.language if template else "",
                    parameters=[str(p) for p in parameters],
                    text=row.text,
                ),
            )
        )
    return claimed


def suppression_reason(delivery: Delivery) -> str:
    """Why this delivery must not be sent now ('' when it may)."""
    citizen = delivery.citizen
    if citizen.erased_at is not None:
        return "erased"
    if citizen.opted_out_at is not None:
        return "opted_out"
    if delivery.broadcast_id is not None and not citizen.consent_at:
        return "no_consent"
    return ""


# --- 2. send ---------------------------------------------------------------------------------


def send_claimed(
    claimed: list[Claimed], *, provider: Provider, limiter: ratelimit.RateLimiter
) -> list[Outcome]:
    """Send the claimed messages, a few in flight, each after taking a rate-limiter token."""
    skipped = [
        Outcome(c.id, DeliveryStatus.SKIPPED, error_title=c.skip_reason)
        for c in claimed
        if c.message is None
    ]
    to_send = [c for c in claimed if c.message is not None]
    if not to_send:
        return skipped

    def one(item: Claimed) -> Outcome:
        assert item.message is not None
        limiter.acquire()
        try:
            result = provider.send(item.message)
        except ProviderError as error:
            if error.error_class is ErrorClass.THROTTLE:
                limiter.penalise(error.retry_after or 1.0)
            return outcome_of_error(item, error)
        except Exception as error:  # a bug in the provider must not lose the batch
            logger.exception("provider crashed on delivery %s", item.id)
            return outcome_of_error(
                item,
                ProviderError(repr(error)[:200], code=None, error_class=ErrorClass.TRANSIENT),
            )
        return Outcome(item.id, DeliveryStatus.SENT, wamid=result.wamid)

    workers = max(1, int(getattr(provider, "max_in_flight", 1)))
    if workers == 1 or len(to_send) == 1:
        return skipped + [one(item) for item in to_send]
    with ThreadPoolExecutor(max_workers=min(workers, len(to_send))) as pool:
        return skipped + list(pool.map(one, to_send))


def outcome_of_error(item: Claimed, error: ProviderError) -> Outcome:
    """Retry later (pending + not_before) or fail, by error class and attempts so far."""
    now = timezone.now()
    max_attempts = int(_setting("WHATSAPP_MAX_ATTEMPTS", 6))
    title = str(error)[:300]
    retry_at: datetime | None = None
    if error.error_class is ErrorClass.THROTTLE:
        retry_at = now + timedelta(seconds=(error.retry_after or 1.0) + random.uniform(0, 1))
    elif error.error_class is ErrorClass.PAIR_LIMIT:
        step = PAIR_LIMIT_BACKOFF[min(item.attempts - 1, len(PAIR_LIMIT_BACKOFF) - 1)]
        retry_at = now + timedelta(seconds=step)
    elif error.error_class is ErrorClass.TRANSIENT:
        base = _setting("WHATSAPP_RETRY_BASE_SECONDS", 2.0)
        delay = min(300.0, base * 2 ** max(0, item.attempts - 1))
        retry_at = now + timedelta(seconds=delay * random.uniform(0.5, 1.5))
    if error.error_class is ErrorClass.AMBIGUOUS:
        # Maybe sent: leave it to the status webhook (biz_opaque_callback_data) to say.
        return Outcome(
            item.id,
            DeliveryStatus.UNKNOWN,
            error_code=error.code,
            error_title=title,
            error_class=error.error_class,
        )
    # Throttling is the sender's fault, not the message's: it does not use up attempts.
    out_of_attempts = item.attempts >= max_attempts and error.error_class is not ErrorClass.THROTTLE
    if retry_at is not None and not out_of_attempts:
        return Outcome(
            item.id,
            DeliveryStatus.PENDING,
            error_code=error.code,
            error_title=title,
            not_before=retry_at,
            error_class=error.error_class,
        )
    return Outcome(
        item.id,
        DeliveryStatus.FAILED,
        error_code=error.code,
        error_title=title,
        error_class=error.error_class,
    )


# --- 3. record -------------------------------------------------------------------------------

_RECORD_SQL = """
UPDATE broadcasts_delivery AS d SET
    status = CASE WHEN d.status IN ('sending', 'unknown') THEN v.status ELSE d.status END,
    wamid = COALESCE(d.wamid, v.wamid),
    error_code = v.error_code,
    error_title = v.error_title,
    not_before = COALESCE(v.not_before, d.not_before),
    attempts = CASE WHEN v.counts THEN d.attempts + 1 ELSE d.attempts END,
    sent_at = CASE WHEN v.wamid IS NOT NULL THEN COALESCE(d.sent_at, v.at) ELSE d.sent_at END,
    failed_at = CASE WHEN v.status = 'failed' THEN v.at ELSE d.failed_at END
FROM (VALUES {rows}) AS v(id, status, wamid, error_code, error_title, not_before, counts, at)
WHERE d.id = v.id
"""


def record_outcomes(outcomes: Iterable[Outcome]) -> None:
    """Write every outcome of a batch in one statement (a late webhook may already be there)."""
    outcomes = list(outcomes)
    if not outcomes:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        _record_one_by_one(outcomes, now)
        return
    placeholders = ", ".join(
        ["(%s::bigint, %s, %s, %s::integer, %s, %s::timestamptz, %s::boolean, %s::timestamptz)"]
        * len(outcomes)
    )
    params: list[object] = []
    for o in outcomes:
        counts = o.status is not DeliveryStatus.SKIPPED and o.error_class is not ErrorClass.THROTTLE
        params += [
            o.id,
            o.status.value,
            o.wamid,
            o.error_code,
            o.error_title,
            o.not_before,
            counts,
            now,
        ]
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_SQL.format(rows=placeholders), params)


def _record_one_by_one(outcomes: list[Outcome], now: datetime) -> None:
    """The same rules, row by row, for SQLite in the embedded setup."""
    for o in outcomes:
        row = Delivery.objects.get(pk=o.id)
        if row.status in (DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN):
            row.status = o.status
        row.wamid = row.wamid or o.wamid
        row.error_code, row.error_title = o.error_code, o.error_title
        row.not_before = o.not_before or row.not_before
        if o.status is not DeliveryStatus.SKIPPED and o.error_class is not ErrorClass.THROTTLE:
            row.attempts += 1
        if o.wamid and not row.sent_at:
            row.sent_at = now
        if o.status is DeliveryStatus.FAILED:
            row.failed_at = now
        row.save()


# --- the loop --------------------------------------------------------------------------------


@dataclass
class RunReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    stop: ProviderError | None = None
    opted_out_ids: tuple[int, ...] = ()


def run_sender(
    *,
    broadcast_id: int | None,
    time_budget: float = 30.0,
    batch_size: int | None = None,
    provider: Provider | None = None,
    heartbeat: ratelimit.Lease | None = None,
    max_messages: int | None = None,
) -> RunReport:
    """Claim-send-record until nothing is ready, the time budget is spent or a stop error."""
    provider = provider or get_provider()
    limiter = ratelimit.limiter_for(provider.sender_id)
    size = batch_size or int(_setting("WHATSAPP_BATCH_SIZE", 200))
    deadline = time.monotonic() + time_budget
    report = RunReport()
    opted_out: list[int] = []
    while time.monotonic() < deadline:
        if max_messages is not None:
            size = min(size, max_messages - report.claimed)
            if size <= 0:
                break
        ids = claim_batch(broadcast_id=broadcast_id, limit=size)
        if not ids:
            break
        outcomes = send_claimed(load_claimed(ids), provider=provider, limiter=limiter)
        record_outcomes(outcomes)
        _tally(report, outcomes, opted_out)
        if heartbeat is not None:
            heartbeat.renew()
        if report.stop is not None:
            break
    report.opted_out_ids = tuple(opted_out)
    return report


def _tally(report: RunReport, outcomes: list[Outcome], opted_out: list[int]) -> None:
    report.claimed += len(outcomes)
    for o in outcomes:
        if o.status is DeliveryStatus.SENT:
            report.sent += 1
        elif o.status is DeliveryStatus.PENDING:
            report.retried += 1
        elif o.status is DeliveryStatus.SKIPPED:
            report.skipped += 1
        else:
            report.failed += 1
            if o.error_class is ErrorClass.STOP and report.stop is None:
                report.stop = ProviderError(
                    o.error_title, code=o.error_code, error_class=ErrorClass.STOP
                )
            if o.error_class is ErrorClass.OPTED_OUT:
                opted_out.append(o.id)
