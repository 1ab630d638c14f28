"""Celery tasks of the WhatsApp engine: thin, idempotent, taking ids.

- `dispatch` (beat, every few seconds): starts due broadcasts and makes sure each sending
  broadcast has its sender slots filled; safe to run any number of times.
- `send_broadcast(id, slot)`: one sender; a lease per (broadcast, slot) keeps it unique.
- `reap` (beat): in-doubt rows become `unknown`; unconfirmed `unknown` rows are requeued.
- `process_webhook_event(id)`: applies one stored webhook.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from broadcasts import audience, lifecycle, sending, services, webhooks
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, WebhookEvent
from broadcasts.ratelimit import Lease

logger = logging.getLogger(__name__)

SENDER_TIME_BUDGET = 50.0
DEFER_FOR = timedelta(minutes=10)


def _lease(broadcast_id: int, slot: int) -> Lease:
    return Lease(
        f"broadcast:{broadcast_id}:slot:{slot}", ttl=settings.WHATSAPP_SENDER_LEASE_SECONDS
    )


@shared_task(name="broadcasts.send_single_messages", ignore_result=True)
def send_single_messages() -> int:
    """Send queued single messages (invites, acknowledgements); one sender at a time."""
    lease = Lease("single-messages", ttl=settings.WHATSAPP_SENDER_LEASE_SECONDS)
    if not lease.acquire():
        return 0  # another worker is draining the stream; it will see our rows too
    try:
        report = sending.run_sender(broadcast_id=None, time_budget=25.0, heartbeat=lease)
        _after_run(None, report)
    finally:
        lease.release()
    return report.sent


@shared_task(name="broadcasts.dispatch", ignore_result=True)
def dispatch() -> dict[str, int]:
    """Start due broadcasts and fill every sending broadcast's sender slots."""
    quiet = lifecycle.in_quiet_hours()
    started = [] if quiet else lifecycle.start_due_broadcasts()
    kicked = 0
    for broadcast_id in Broadcast.objects.filter(status=Broadcast.Status.SENDING).values_list(
        "id", flat=True
    ):
        if quiet:
            _defer_ready(broadcast_id, reason="quiet_hours")
            continue
        for slot in range(settings.BROADCAST_SENDERS_PER_BROADCAST):
            if not _lease(broadcast_id, slot).is_held():
                send_broadcast.delay(broadcast_id, slot)
                kicked += 1
    if Delivery.objects.filter(
        broadcast__isnull=True, status=DeliveryStatus.PENDING, not_before__lte=timezone.now()
    ).exists():
        send_single_messages.delay()
    return {"started": len(started), "senders": kicked}


@shared_task(name="broadcasts.send_broadcast", ignore_result=True)
def send_broadcast(broadcast_id: int, slot: int = 0) -> int:
    """One sender slot of one broadcast: claim-send-record until done or out of time."""
    lease = _lease(broadcast_id, slot)
    if not lease.acquire():
        return 0
    sent = 0
    try:
        deadline = time.monotonic() + SENDER_TIME_BUDGET
        while time.monotonic() < deadline and not lifecycle.in_quiet_hours():
            allowance = _tier_allowance()
            if allowance is not None and allowance <= 0:
                _defer_ready(broadcast_id, reason="messaging_limit")
                break
            report = sending.run_sender(
                broadcast_id=broadcast_id,
                time_budget=min(10.0, deadline - time.monotonic()),
                heartbeat=lease,
                max_messages=allowance,
            )
            sent += report.sent
            _after_run(broadcast_id, report)
            _add_timings(broadcast_id, report)
            if report.stop is not None:
                break
            if report.claimed == 0 and not _wait_for_retries(broadcast_id, deadline):
                break
        lifecycle.complete_if_done(broadcast_id=broadcast_id)
    finally:
        lease.release()
    return sent


RETRY_WAIT_LIMIT = 15.0


def _wait_for_retries(broadcast_id: int, deadline: float) -> bool:
    """Sleep until the next deferred delivery is due if that is soon; False when none is."""
    due = (
        Delivery.objects.filter(broadcast_id=broadcast_id, status=DeliveryStatus.PENDING)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    if due is None:
        return False
    wait = (due - timezone.now()).total_seconds()
    if wait > RETRY_WAIT_LIMIT or time.monotonic() + wait > deadline:
        return False
    time.sleep(max(0.0, wait))
    return True


def _add_timings(broadcast_id: int, report: sending.RunReport) -> None:
    """Accumulate where sender time went (ms), for the delivery dashboard and benchmarks."""
    for name, seconds in (
        ("db", report.db_seconds),
        ("send", report.send_seconds),
        ("wall", report.wall_seconds),
    ):
        key = f"broadcast:{broadcast_id}:{name}_ms"
        try:
            cache.add(key, 0, timeout=7 * 24 * 3600)
            cache.incr(key, int(seconds * 1000))
        except Exception:
            logger.debug("timings not recorded for broadcast %s", broadcast_id)


def sender_timings(broadcast_id: int) -> dict[str, int]:
    """Milliseconds all senders of a broadcast spent in the database, in sending, and in all."""
    return {
        name: int(cache.get(f"broadcast:{broadcast_id}:{name}_ms") or 0)
        for name in ("db", "send", "wall")
    }


def _tier_allowance() -> int | None:
    """How many more unique recipients the messaging-limit tier allows today (None: unlimited)."""
    limit = services.messaging_limit()  # the tier WhatsApp announced, else the setting
    if not limit:
        return None
    return max(0, limit - audience.recipients_in_last_day())


def _defer_ready(broadcast_id: int, *, reason: str) -> int:
    """Hold ready deliveries back with a reason the dashboard shows."""
    return Delivery.objects.filter(
        Q(defer_reason="") | ~Q(defer_reason=reason),
        broadcast_id=broadcast_id,
        status=DeliveryStatus.PENDING,
        not_before__lte=timezone.now(),
    ).update(defer_reason=reason, not_before=timezone.now() + DEFER_FOR)


def _after_run(broadcast_id: int | None, report: sending.RunReport) -> None:
    """Act on what the provider said: opt-outs (131050) and stop-and-alert errors (every
    sending broadcast of the number, or of the template, stops and its officers are told)."""
    if report.opted_out_ids:
        services.opt_out_from_failed_deliveries(delivery_ids=list(report.opted_out_ids))
    if report.stop is not None:
        lifecycle.stop_for_halt(halt=report.stop)


@shared_task(name="broadcasts.reap", ignore_result=True)
def reap() -> dict[str, int]:
    """Resolve rows whose worker died: sending -> unknown -> (no webhook after grace) pending.

    Stored webhooks whose task was lost are processed first: a row WhatsApp did accept must
    be reconciled by its 'sent' status before anything decides it was never sent.
    """
    now = timezone.now()
    stale = WebhookEvent.objects.filter(
        processed_at__isnull=True,
        received_at__lt=now - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS),
    ).values_list("id", flat=True)[:2000]
    swept = sum(webhooks.process_event(event_id=event_id) for event_id in stale)
    unknown = services.mark_stale_claims_unknown(
        older_than=now - timedelta(seconds=settings.WHATSAPP_CLAIM_LEASE_SECONDS)
    )
    requeued = services.requeue_unconfirmed_unknown(
        older_than=now - timedelta(seconds=settings.WHATSAPP_UNKNOWN_GRACE_SECONDS)
    )
    services.forget_old_unmatched_statuses(now=now)
    completed = 0
    for broadcast_id in Broadcast.objects.filter(status=Broadcast.Status.SENDING).values_list(
        "id", flat=True
    ):
        completed += lifecycle.complete_if_done(broadcast_id=broadcast_id)
    return {"unknown": unknown, "requeued": requeued, "completed": completed, "webhooks": swept}


@shared_task(name="broadcasts.process_webhook_event", ignore_result=True)
def process_webhook_event(event_id: int) -> None:
    """Apply one stored webhook (statuses, opt-outs, inbound messages); idempotent."""
    webhooks.process_event(event_id=event_id)


@shared_task(name="broadcasts.launch_series_run", ignore_result=True)
def launch_series_run(series_id: int) -> int | None:
    """Beat calls this daily per series (its crontab is editable in the admin)."""
    run = lifecycle.launch_series_run(series_id=series_id)
    return run.pk if run else None
