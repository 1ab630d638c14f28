"""Claim, send, record: the sender loop every worker runs.

1. Claim a batch of ready deliveries (`pending`, `not_before` passed) with
   SELECT ... FOR UPDATE SKIP LOCKED and mark them `sending` in the same transaction: two
   workers never hold the same row.
2. Re-check suppression (opt-out, erasure, cancelled broadcast) on the claimed rows and skip
   those; send the rest through the provider under the shared rate limiter, a few in flight.
3. Record every outcome in one UPDATE ... FROM (VALUES ...) per batch.
A worker that dies between 1 and 3 leaves rows in `sending`; the reaper turns them into
`unknown`, and the status webhook (biz_opaque_callback_data = delivery id) reconciles them.

A stop-and-alert answer (broadcasts.halts) halts every sender of the number or template at
once: the refused message and every one not yet sent go back to `pending` with no attempt
used, so resuming the broadcast reaches them all. A "too fast" answer lowers the shared rate
(broadcasts.ratelimit) and the message is retried as soon as the short hold has passed.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from broadcasts import halts, ratelimit
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from broadcasts.providers import (
    ErrorClass,
    OutgoingMessage,
    Provider,
    ProviderError,
    get_provider,
)
from broadcasts.providers.base import MARKETING_CAP_CODE

logger = logging.getLogger(__name__)

PAIR_LIMIT_BACKOFF = (1, 4, 16, 64)


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to send one claimed delivery (no model instance held)."""

    id: int
    attempts: int
    message: OutgoingMessage | None  # None: suppressed after claim -> skipped
    skip_reason: str = ""
    template_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    id: int
    status: DeliveryStatus
    wamid: str | None = None
    error_code: int | None = None
    error_title: str = ""
    not_before: datetime | None = None
    error_class: ErrorClass | None = None
    defer_reason: str = ""
    uses_attempt: bool = True  # False: held back by us before any request was made
    halt: halts.Halt | None = None  # a stop answer (or a halt seen) sent this one back


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


# --- 1. claim --------------------------------------------------------------------------------


_CLAIM_SQL = """
WITH picked AS (
    SELECT d.id FROM broadcasts_delivery d
    WHERE d.status = 'pending' AND d.not_before <= %(now)s AND {broadcast_filter}
    ORDER BY d.not_before, d.id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE broadcasts_delivery AS d
SET status = 'sending', claimed_at = %(now)s, defer_reason = ''
FROM picked, people_citizen AS c
WHERE d.id = picked.id AND c.id = d.citizen_id
RETURNING d.id, d.attempts, d.template_id, d.parameters, d.text, c.phone, c.whatsapp_user_id,
    c.consent_at IS NOT NULL, c.opted_out_at IS NOT NULL, c.erased_at IS NOT NULL
"""
_SENDING_BROADCAST = (
    "d.broadcast_id = %(broadcast)s AND EXISTS (SELECT 1 FROM broadcasts_broadcast b "
    "WHERE b.id = %(broadcast)s AND b.status = 'sending')"
)


@dataclass
class _Content:
    """Template names and broadcast content, loaded once per sender run."""

    templates: dict[int, tuple[str, str]]
    broadcast: tuple[int, list[str]] | None  # (template id, parameters)

    @classmethod
    def for_broadcast(cls, broadcast_id: int | None) -> _Content:
        if broadcast_id is None:
            return cls({}, None)
        row = Broadcast.objects.filter(pk=broadcast_id).values("template_id", "parameters").first()
        return cls({}, (row["template_id"], row["parameters"]) if row else None)

    def template(self, template_id: int) -> tuple[str, str]:
        if template_id not in self.templates:
            t = MessageTemplate.objects.values("name", "language").get(pk=template_id)
            self.templates[template_id] = (t["name"], t["language"])
        return self.templates[template_id]


def claim(*, broadcast_id: int | None, limit: int, content: _Content) -> list[Claimed]:
    """Claim up to `limit` ready deliveries and build their messages, in one statement.

    SELECT ... FOR UPDATE SKIP LOCKED inside an UPDATE ... RETURNING: two workers never hold
    the same row, and suppression (opt-out, erasure, consent) is read in the same statement,
    just before sending.
    """
    if connection.vendor != "postgresql":
        return load_claimed(claim_batch(broadcast_id=broadcast_id, limit=limit))
    broadcast_filter = "d.broadcast_id IS NULL" if broadcast_id is None else _SENDING_BROADCAST
    sql = _CLAIM_SQL.format(broadcast_filter=broadcast_filter)
    params: dict[str, Any] = {"now": timezone.now(), "limit": limit, "broadcast": broadcast_id}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort(key=lambda r: r[0])
    return [_claimed_from_row(row, broadcast_id, content) for row in rows]


def _claimed_from_row(row: tuple, broadcast_id: int | None, content: _Content) -> Claimed:  # type: ignore[type-arg]
    pk, attempts, template_id, parameters, text, phone, user_id, consent, opted_out, erased = row
    reason = (
        "erased"
        if erased
        else "opted_out"
        if opted_out
        else "no_consent"
        if broadcast_id is not None and not consent
        else ""
    )
    if reason:
        return Claimed(pk, attempts, None, reason)
    if isinstance(parameters, str):
        parameters = json.loads(parameters)
    if template_id is None and content.broadcast is not None:
        template_id, parameters = content.broadcast[0], parameters or content.broadcast[1]
    name, language = content.template(template_id) if template_id else ("", "")
    return Claimed(
        pk,
        attempts,
        OutgoingMessage(
            to=phone or "",
            user_id=user_id or "",
            callback_data=str(pk),
            template_name=name,
            language=language,
            parameters=[str(p) for p in parameters or []],
            text=text,
        ),
        template_id=template_id,
    )


def claim_batch(*, broadcast_id: int | None, limit: int) -> list[int]:
    """Claim up to `limit` ready deliveries (the ORM path, used on SQLite)."""
    now = timezone.now()
    with transaction.atomic():
        ready = Delivery.objects.filter(status=DeliveryStatus.PENDING, not_before__lte=now)
        ready = (
            ready.filter(broadcast__isnull=True)
            if broadcast_id is None
            else ready.filter(broadcast_id=broadcast_id)
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
                    to=row.citizen.phone or "",
                    user_id=row.citizen.whatsapp_user_id or "",
                    callback_data=str(row.id),
                    template_name=template.name if template else "",
                    language=template.language if template else "",
                    parameters=[str(p) for p in parameters],
                    text=row.text,
                ),
                template_id=template.pk if template else None,
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


PAIR_SPACING_REASON = "pair_spacing"
# Errors after which the recipient's spacing window stays taken: the message may have gone
# out (ambiguous), or WhatsApp itself says the pair is still busy (131056).
_KEEP_PAIR_WINDOW = frozenset({ErrorClass.AMBIGUOUS, ErrorClass.PAIR_LIMIT})


class _Slots:
    """Send times handed to the sender threads one at a time, reserved a short span ahead.

    The whole batch is not reserved at once: when WhatsApp refuses a send as too fast the
    shared rate drops, and only the slots reserved before that (LOOKAHEAD seconds' worth) still
    follow the old rate (a hold moves them on). At unpaced rates a chunk is the whole batch:
    one round trip, as before.
    """

    LOOKAHEAD = 0.2

    def __init__(self, limiter: ratelimit.RateLimiter, count: int) -> None:
        self.limiter = limiter
        self.left = count
        self.ready: list[tuple[float, float]] = []
        self.last: tuple[float, float] | None = None
        self.lock = threading.Lock()

    def take(self) -> tuple[float, float]:
        """(slot on time.monotonic(), the schedule shift seen when it was reserved)."""
        with self.lock:
            if not self.ready:
                self._reserve()
            self.left -= 1
            return self.ready.pop(0)

    def _reserve(self) -> None:
        if self.last is not None:  # do not reserve further ahead than LOOKAHEAD
            at, shift_seen = self.last
            ahead = at + (self.limiter.schedule_shift() - shift_seen) - time.monotonic()
            if ahead > self.LOOKAHEAD:
                time.sleep(ahead - self.LOOKAHEAD)
        shift_seen = self.limiter.schedule_shift()
        interval = max(float(getattr(self.limiter, "interval", 0.0)), 1e-9)
        n = max(1, min(self.left, math.ceil(self.LOOKAHEAD / interval)))
        self.ready = [(at, shift_seen) for at in self.limiter.reserve(n)]
        self.last = self.ready[-1]


def _planned_times(count: int, limiter: ratelimit.RateLimiter) -> list[float]:
    """When each message of a batch will roughly go (for the pair-spacing windows)."""
    now = time.monotonic()
    interval = float(getattr(limiter, "interval", 0.0))
    return [now + i * interval for i in range(count)]


def send_claimed(
    claimed: list[Claimed],
    *,
    provider: Provider,
    limiter: ratelimit.RateLimiter,
    spacing: ratelimit.PairSpacing | None = None,
    pool: ThreadPoolExecutor | None = None,
    watch: halts.HaltWatch | None = None,
    halt_wait: float = 0.0,
) -> list[Outcome]:
    """Send the claimed messages, a few in flight, each in its rate-limiter slot.

    Just before each request the recipient's pair-spacing window is claimed; a recipient who
    got a message less than WHATSAPP_PAIR_SPACING_SECONDS ago (from any worker, either stream)
    is not sent to now: the delivery goes back to pending until the window has passed,
    without using up an attempt. Just before each request the halts are checked too: a stop
    answer to any sender of the number (or template) sends the message back unsent.
    """
    spacing = spacing or ratelimit.pair_spacing()
    watch = watch or halts.HaltWatch(sender_id=provider.sender_id)
    skipped = [
        Outcome(c.id, DeliveryStatus.SKIPPED, error_title=c.skip_reason)
        for c in claimed
        if c.message is None
    ]
    to_send = [c for c in claimed if c.message is not None]
    if not to_send:
        return skipped
    for item in to_send:
        watch.watch_template(item.template_id)
    slots = _Slots(limiter, len(to_send))
    spaced = spacing.claim_many(
        [
            (c.message.recipient_key, at)
            for c, at in zip(to_send, _planned_times(len(to_send), limiter), strict=True)
            if c.message
        ]
    )

    def one(job: tuple[Claimed, datetime | None]) -> Outcome:
        item, spaced_until = job
        assert item.message is not None
        held_until: datetime | None = None
        halt = watch.check(item.template_id)
        if halt is None:
            send_at, shift_seen = slots.take()
            held_until = limiter.wait_until(send_at, shift_seen)
            halt = watch.check(item.template_id)  # a stop may have come while it waited
        if halt is not None:
            if spaced_until is None:
                spacing.release(item.message.recipient_key)
            return halted_outcome(item, halt, wait=halt_wait)
        if held_until is not None:  # WhatsApp said "too fast" meanwhile: do not even try
            if spaced_until is None:
                spacing.release(item.message.recipient_key)  # the window was ours, and nothing went
            return Outcome(
                item.id,
                DeliveryStatus.PENDING,
                not_before=held_until,
                error_class=ErrorClass.THROTTLE,
                error_title="held back after throttling",
            )
        if spaced_until is not None:
            return Outcome(
                item.id,
                DeliveryStatus.PENDING,
                not_before=spaced_until,
                defer_reason=PAIR_SPACING_REASON,
                uses_attempt=False,
            )
        try:
            result = provider.send(item.message)
        except ProviderError as error:
            if error.error_class is ErrorClass.THROTTLE:
                hold = limiter.refused(error.retry_after)
                error = ProviderError(
                    str(error),
                    code=error.code,
                    error_class=error.error_class,
                    retry_after=hold,
                )
            if error.error_class not in _KEEP_PAIR_WINDOW:  # refused: nothing reached her
                spacing.release(item.message.recipient_key)
            if error.error_class is ErrorClass.STOP:
                stop = halts.halt_for(
                    code=error.code,
                    reason=str(error),
                    sender_id=provider.sender_id,
                    template_id=item.template_id,
                )
                watch.trip(stop)
                return halted_outcome(item, stop, wait=halt_wait, refused=error)
            return outcome_of_error(item, error)
        except Exception as error:  # a bug in the provider must not lose the batch
            logger.exception("provider crashed on delivery %s", item.id)
            return outcome_of_error(
                item,
                ProviderError(repr(error)[:200], code=None, error_class=ErrorClass.TRANSIENT),
            )
        return Outcome(item.id, DeliveryStatus.SENT, wamid=result.wamid)

    jobs = list(zip(to_send, spaced, strict=True))
    workers = max(1, int(getattr(provider, "max_in_flight", 1)))
    if workers == 1 or len(to_send) == 1:
        return skipped + [one(job) for job in jobs]
    if pool is not None:  # the sender loop's threads, kept from batch to batch
        return skipped + list(pool.map(one, jobs))
    with ThreadPoolExecutor(max_workers=min(workers, len(to_send))) as own:
        return skipped + list(own.map(one, jobs))


HALTED_REASON = "halted"


def halted_outcome(
    item: Claimed, halt: halts.Halt, *, wait: float = 0.0, refused: ProviderError | None = None
) -> Outcome:
    """Back to `pending`, no attempt used: a halt is about the number or template, not about
    the citizen, and resuming must reach them. A broadcast's rows wait for its resume (wait 0:
    it is stopped); a single message, whose stream nobody resumes, waits `wait` seconds."""
    return Outcome(
        item.id,
        DeliveryStatus.PENDING,
        error_code=halt.code,
        error_title=(str(refused) if refused else halt.reason)[:300],
        not_before=timezone.now() + timedelta(seconds=wait),
        error_class=ErrorClass.STOP,
        defer_reason=HALTED_REASON,
        uses_attempt=False,
        halt=halt,
    )


def outcome_of_error(item: Claimed, error: ProviderError) -> Outcome:
    """Retry later (pending + not_before) or fail, by error class and attempts so far."""
    now = timezone.now()
    max_attempts = int(_setting("WHATSAPP_MAX_ATTEMPTS", 6))
    title = str(error)[:300]
    retry_at: datetime | None = None
    if error.error_class is ErrorClass.THROTTLE:
        # retry_after is the hold the limiter applied (at least WhatsApp's Retry-After): the
        # message goes again right after it, spread a little so the retries do not bunch.
        retry_at = now + timedelta(seconds=(error.retry_after or 1.0) * random.uniform(1.0, 1.5))
    elif error.error_class is ErrorClass.PAIR_LIMIT:
        # item.attempts counts the attempts before this one: the first 131056 waits 1 s, then
        # 4, 16, 64 (an index of -1 here once made the first retry wait 64 s).
        step = PAIR_LIMIT_BACKOFF[min(max(0, item.attempts), len(PAIR_LIMIT_BACKOFF) - 1)]
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
    capped = error.code == MARKETING_CAP_CODE  # the person's cap, not a failure (issue 15)
    return Outcome(
        item.id,
        DeliveryStatus.CAPPED if capped else DeliveryStatus.FAILED,
        error_code=error.code,
        error_title=title,
        error_class=error.error_class,
    )


# --- 3. record -------------------------------------------------------------------------------

# One array per column, unnested into rows: the statement text is the same for every batch,
# so psycopg parses it once (a VALUES list with 9 placeholders per row was re-parsed for every
# batch, ~15% of a sender's CPU time), and the arrays are adapted in C.
# A status webhook may have got there first (a row no longer `sending`/`unknown`): then it
# keeps that status, its error code and title, and its stamps; the send only adds its wamid
# and the attempt it used. (Every SET expression reads the row as it was before the UPDATE.)
_RECORD_SQL = """
UPDATE broadcasts_delivery AS d SET
    status = CASE WHEN d.status IN ('sending', 'unknown') THEN v.status ELSE d.status END,
    wamid = COALESCE(d.wamid, v.wamid),
    error_code = CASE WHEN d.status IN ('sending', 'unknown') THEN v.error_code
        ELSE d.error_code END,
    error_title = CASE WHEN d.status IN ('sending', 'unknown') THEN v.error_title
        ELSE d.error_title END,
    not_before = CASE WHEN d.status IN ('sending', 'unknown')
        THEN COALESCE(v.not_before, d.not_before) ELSE d.not_before END,
    defer_reason = CASE WHEN d.status IN ('sending', 'unknown') THEN v.defer_reason
        ELSE d.defer_reason END,
    attempts = CASE WHEN v.counts THEN d.attempts + 1 ELSE d.attempts END,
    sent_at = CASE WHEN v.wamid IS NOT NULL THEN COALESCE(d.sent_at, %(at)s) ELSE d.sent_at END,
    failed_at = CASE WHEN v.status IN ('failed', 'capped') AND d.status IN ('sending', 'unknown')
        THEN %(at)s ELSE d.failed_at END
FROM unnest(
    %(ids)s::bigint[], %(statuses)s::text[], %(wamids)s::text[], %(error_codes)s::integer[],
    %(error_titles)s::text[], %(not_befores)s::timestamptz[], %(counts)s::boolean[],
    %(defer_reasons)s::text[]
) AS v(id, status, wamid, error_code, error_title, not_before, counts, defer_reason)
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
    ids = [o.id for o in outcomes]
    params: dict[str, Any] = {
        "at": now,
        "ids": ids,
        "statuses": [o.status.value for o in outcomes],
        "wamids": [o.wamid for o in outcomes],
        "error_codes": [o.error_code for o in outcomes],
        "error_titles": [o.error_title for o in outcomes],
        "not_befores": [o.not_before for o in outcomes],
        "counts": [_counts_attempt(o) for o in outcomes],
        "defer_reasons": [o.defer_reason for o in outcomes],
    }
    # Lock the rows in id order first: webhook processing locks them in the same order, so
    # the two never deadlock.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM broadcasts_delivery WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [sorted(ids)],
        )
        cursor.execute(_RECORD_SQL, params)
        _apply_early_statuses([o.wamid for o in outcomes if o.wamid])
        _note_capped(outcomes, now)


def _note_capped(outcomes: list[Outcome], now: datetime) -> None:
    """Citizens WhatsApp capped at send time: no marketing to them for 24 hours."""
    capped = [o.id for o in outcomes if o.status is DeliveryStatus.CAPPED]
    if capped:
        from broadcasts import services

        services.note_marketing_capped(delivery_ids=capped, at=now)


def _apply_early_statuses(wamids: list[str]) -> None:
    """Statuses that came by wamid alone before this batch was recorded apply now."""
    if wamids:
        from broadcasts import services

        services.apply_unmatched_statuses(wamids=wamids)


def _counts_attempt(outcome: Outcome) -> bool:
    """Skips, throttling (our fault) and our own pair spacing do not use up an attempt."""
    return (
        outcome.uses_attempt
        and outcome.status is not DeliveryStatus.SKIPPED
        and outcome.error_class is not ErrorClass.THROTTLE
    )


def _record_one_by_one(outcomes: list[Outcome], now: datetime) -> None:
    """The same rules, row by row, for SQLite in the embedded setup."""
    for o in outcomes:
        row = Delivery.objects.get(pk=o.id)
        in_flight = row.status in (DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN)
        if in_flight:  # else a status webhook got there first: keep what it said
            row.status = o.status
            row.error_code, row.error_title = o.error_code, o.error_title
            row.not_before = o.not_before or row.not_before
            row.defer_reason = o.defer_reason
            if o.status in (DeliveryStatus.FAILED, DeliveryStatus.CAPPED):
                row.failed_at = now
        row.wamid = row.wamid or o.wamid
        if _counts_attempt(o):
            row.attempts += 1
        if o.wamid and not row.sent_at:
            row.sent_at = now
        row.save()
    _apply_early_statuses([o.wamid for o in outcomes if o.wamid])
    _note_capped(outcomes, now)


# --- the loop --------------------------------------------------------------------------------


@dataclass
class RunReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    stop: halts.Halt | None = None  # a stop answer (ours or another sender's) ended the run
    halted: int = 0  # deliveries handed back unsent because of it
    opted_out_ids: tuple[int, ...] = ()
    db_seconds: float = 0.0  # claim + load + record (the record overlaps the next batch's sends)
    send_seconds: float = 0.0  # provider calls, rate-limiter waits included
    wall_seconds: float = 0.0  # the whole run, start to last outcome written


def run_sender(
    *,
    broadcast_id: int | None,
    time_budget: float = 30.0,
    batch_size: int | None = None,
    provider: Provider | None = None,
    heartbeat: ratelimit.Lease | None = None,
    max_messages: int | None = None,
) -> RunReport:
    """Claim-send-record until nothing is ready, the time budget is spent or a stop error.

    With a provider that sends from a thread pool (the Cloud API), the sender keeps its requests
    busy across batches: while one batch is being sent, the next one is claimed, and the batch
    before is recorded by a recorder thread (claim and record were ~15% of a sender's time,
    with no request in flight). At most one batch waits to be recorded and one is claimed
    ahead; a worker that dies with them leaves those rows in `sending`, which the reaper and the
    status webhooks reconcile as before. A batch claimed ahead is still sent when the time
    budget runs out, and handed back to `pending` after a stop error.
    Inside an enclosing transaction (a test, a caller's atomic block), and for a provider that
    sends inline (the database-backed sandbox), and on SQLite (one writer at a time), everything
    stays on the caller's connection;
    nothing is claimed ahead at paced rates (a batch taking a second or more) or with a claim
    lease too short for a batch to wait in (WHATSAPP_CLAIM_LEASE_SECONDS).
    """
    provider = provider or get_provider()
    limiter = ratelimit.limiter_for(provider.sender_id)
    spacing = ratelimit.pair_spacing()
    content = _Content.for_broadcast(broadcast_id)
    watch = halts.HaltWatch(sender_id=provider.sender_id)
    if content.broadcast is not None:
        watch.watch_template(content.broadcast[0])
    # Single messages wait out a halt (nobody resumes their stream); a broadcast's wait for it.
    halt_wait = float(halts.HALT_SECONDS) if broadcast_id is None else 0.0
    size = batch_size or int(_setting("WHATSAPP_BATCH_SIZE", 200))
    deadline = time.monotonic() + time_budget
    report = RunReport()
    opted_out: list[int] = []
    run_started = time.perf_counter()
    in_flight = max(1, int(getattr(provider, "max_in_flight", 1)))
    pipelined = (
        in_flight > 1 and not connection.in_atomic_block and connection.vendor == "postgresql"
    )
    recorder = _Recorder(inline=not pipelined)
    senders = ThreadPoolExecutor(max_workers=in_flight) if in_flight > 1 else None
    # Claiming ahead pays only when a batch goes out fast (under a second at the configured
    # rate): then the claim's few milliseconds are a real share of the time. At paced rates
    # (80 msg/s: a batch takes seconds) it gains nothing and only keeps rows in `sending`
    # longer. A batch claimed ahead waits in `sending` while the one before goes out, which
    # must stay well inside the claim lease after which the reaper calls a row abandoned.
    batch_seconds = size * float(getattr(limiter, "interval", 0.0))
    claim_ahead = (
        pipelined
        and batch_seconds < 1.0
        and batch_seconds + ratelimit.MAX_INLINE_HOLD
        < _setting("WHATSAPP_CLAIM_LEASE_SECONDS", 120) / 2
    )
    dispatcher = ThreadPoolExecutor(max_workers=1) if claim_ahead else None
    claimed_total = 0

    def claim_next() -> list[Claimed]:
        nonlocal claimed_total
        limit = size if max_messages is None else min(size, max_messages - claimed_total)
        if limit <= 0:
            return []
        started = time.perf_counter()
        rows = claim(broadcast_id=broadcast_id, limit=limit, content=content)
        report.db_seconds += time.perf_counter() - started
        claimed_total += len(rows)
        return rows

    def send(batch: list[Claimed]) -> list[Outcome]:
        return send_claimed(
            batch,
            provider=provider,
            limiter=limiter,
            spacing=spacing,
            pool=senders,
            watch=watch,
            halt_wait=halt_wait,
        )

    ahead: list[Claimed] = []
    try:
        # A halt already in force (another sender's stop answer): claim nothing, report it.
        standing = watch.check(content.broadcast[0] if content.broadcast else None)
        if standing is not None and (broadcast_id is not None or standing.scope == "number"):
            report.stop = standing
            return report
        claimed = claim_next() if time.monotonic() < deadline else []
        while claimed:
            started = time.perf_counter()
            if dispatcher is not None:
                sending_now = dispatcher.submit(send, claimed)
                if time.monotonic() < deadline:
                    ahead = claim_next()  # while this batch's requests are in flight
                outcomes = sending_now.result()
            else:
                outcomes = send(claimed)
            report.send_seconds += time.perf_counter() - started
            recorder.submit(outcomes)  # waits for the batch before, if still being written
            _tally(report, outcomes, opted_out)
            if heartbeat is not None:
                heartbeat.renew()
            if report.stop is not None and (
                broadcast_id is not None or report.stop.scope == "number"
            ):
                break
            if dispatcher is not None:
                claimed, ahead = ahead, []
            else:
                claimed = claim_next() if time.monotonic() < deadline else []
    finally:
        for pool in (dispatcher, senders):
            if pool is not None:
                pool.shutdown(wait=True)
        report.db_seconds += recorder.close()  # every outcome written before we return
        if ahead:  # claimed ahead but not sent (a stop error, or an exception): hand back
            try:
                release_claimed([c.id for c in ahead])
            except Exception:  # the reaper turns them to `unknown` later; never lose the cause
                logger.exception("could not hand back %s claimed deliveries", len(ahead))
        report.wall_seconds = time.perf_counter() - run_started
    report.opted_out_ids = tuple(opted_out)
    return report


def release_claimed(ids: list[int]) -> int:
    """Hand claimed, unsent deliveries back to `pending` (no attempt used)."""
    return Delivery.objects.filter(id__in=ids, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, claimed_at=None
    )


class _Recorder:
    """Writes each batch's outcomes (record_outcomes) on its own thread and connection."""

    def __init__(self, *, inline: bool) -> None:
        self.inline = inline
        self.pool = None if inline else ThreadPoolExecutor(max_workers=1)
        self.pending: Any = None
        self.seconds = 0.0

    def _record(self, outcomes: list[Outcome]) -> float:
        started = time.perf_counter()
        record_outcomes(outcomes)
        return time.perf_counter() - started

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.seconds += pending.result()  # re-raises a failed write here

    def submit(self, outcomes: list[Outcome]) -> None:
        if self.pool is None:
            self.seconds += self._record(outcomes)
            return
        self._wait()
        self.pending = self.pool.submit(self._record, outcomes)

    def close(self) -> float:
        if self.pool is not None:
            try:
                self._wait()
            finally:
                # The lambda looks `connection` up on the recorder thread: its own connection.
                self.pool.submit(lambda: connection.close()).result()
                self.pool.shutdown(wait=True)
        return self.seconds


def _tally(report: RunReport, outcomes: list[Outcome], opted_out: list[int]) -> None:
    report.claimed += len(outcomes)
    for o in outcomes:
        if o.halt is not None:
            report.halted += 1
            # The stop answer itself (it carries the refusal) wins over a halt only seen.
            if report.stop is None or (o.error_code is not None and report.stop.code is None):
                report.stop = o.halt
        elif o.status is DeliveryStatus.SENT:
            report.sent += 1
        elif o.status is DeliveryStatus.PENDING:
            report.retried += 1
        elif o.status is DeliveryStatus.SKIPPED:
            report.skipped += 1
        else:
            report.failed += 1
            if o.error_class is ErrorClass.OPTED_OUT:
                opted_out.append(o.id)
