"""Celery tasks of the WhatsApp engine: thin, idempotent, taking ids."""

from __future__ import annotations

from celery import shared_task

from broadcasts import sending
from broadcasts.ratelimit import Lease

SINGLE_STREAM_LEASE_TTL = 60.0


@shared_task(name="broadcasts.send_single_messages", ignore_result=True)
def send_single_messages() -> int:
    """Send queued single messages (invites, acknowledgements); one sender at a time."""
    lease = Lease("single-messages", ttl=SINGLE_STREAM_LEASE_TTL)
    if not lease.acquire():
        return 0  # another worker is draining the stream; it will see our rows too
    try:
        report = sending.run_sender(broadcast_id=None, time_budget=25.0, heartbeat=lease)
    finally:
        lease.release()
    return report.sent
