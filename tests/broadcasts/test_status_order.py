"""Statuses that overtake the send they are about: nothing WhatsApp said is lost or overwritten.

WhatsApp's status webhooks are unordered and may come before the sender has recorded the
send's answer (the fake's `early_status_rate` posts them before it answers; with
`wamid_only_rate` they carry the wamid only, no biz_opaque_callback_data). Each test drives the
real sender steps against the fake over HTTP and applies the webhooks the fake really posted
at the worst moment: after the send, before the record.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadcasts import ratelimit, sending, services, webhooks
from broadcasts.models import Delivery, DeliveryStatus, UnmatchedStatus
from broadcasts.providers import get_provider
from tests.factories.people import CitizenFactory
from tests.fakes.whatsapp_server import FakeWhatsApp, WebhookRecorder

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(world, n: int) -> list[Delivery]:  # type: ignore[no-untyped-def]
    rows = []
    for i in range(n):
        citizen = CitizenFactory(station=world.station, phone=f"+9195{i:08d}")
        rows.append(
            services.queue_message(
                citizen=citizen,
                purpose="complaints.ack",
                template_name="complaint_acknowledgement",
                parameters=["C-1", "Cantt PS"],
            )
        )
    return rows


def _claim_and_send(n: int) -> list[sending.Outcome]:
    """Claim and send, as a sender does, but leave the record to the test."""
    provider = get_provider()
    content = sending._Content.for_broadcast(None)
    claimed = sending.claim(broadcast_id=None, limit=n, content=content)
    return sending.send_claimed(
        claimed,
        provider=provider,
        limiter=ratelimit.limiter_for(provider.sender_id),
        spacing=ratelimit.PairSpacing(0),
    )


def _apply_posted_webhooks(hooks: WebhookRecorder, fake: FakeWhatsApp) -> int:
    """Store and process every webhook the fake posted so far, as the portal would."""
    fake.wait_idle()
    count = 0
    for received in hooks.received():
        stored = webhooks.store_event(received.body)
        count += webhooks.process_event(event_id=stored.event.pk)
    return count


def test_a_failed_status_before_the_record_keeps_its_error_code(world, fake, hooks) -> None:
    rows = _queue(world, 20)
    failing = {r.citizen.phone.lstrip("+"): 131026 for r in rows[:8]}
    fake.configure(early_status_rate=1.0, fail_recipients=failing)
    outcomes = _claim_and_send(20)
    assert {o.status for o in outcomes} == {DeliveryStatus.SENT}  # accepted, then failed
    assert _apply_posted_webhooks(hooks, fake) >= 1
    sending.record_outcomes(outcomes)  # the batch is recorded after its statuses came

    failed = Delivery.objects.filter(status=DeliveryStatus.FAILED)
    assert failed.count() == 8
    # Before the fix the record wrote its own (empty) error over the webhook's.
    assert set(failed.values_list("error_code", flat=True)) == {131026}
    assert all(title for title in failed.values_list("error_title", flat=True))
    assert Delivery.objects.filter(wamid__isnull=True).count() == 0


def test_a_status_by_wamid_alone_before_the_record_is_applied_when_the_wamid_is(
    world, fake, hooks
) -> None:
    _queue(world, 12)
    fake.configure(early_status_rate=1.0, wamid_only_rate=1.0, read_rate=1.0)
    outcomes = _claim_and_send(12)
    _apply_posted_webhooks(hooks, fake)
    # Nothing could name the rows yet: the statuses are kept, not dropped as processed.
    assert UnmatchedStatus.objects.count() == 12 * 3  # sent, delivered, read
    sending.record_outcomes(outcomes)

    rows = Delivery.objects.all()
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.READ}
    assert rows.filter(delivered_at__isnull=True).count() == 0
    assert not UnmatchedStatus.objects.exists()


def test_an_unknown_row_a_status_confirmed_is_reconciled_and_never_resent(
    world, fake, hooks
) -> None:
    rows = _queue(world, 6)
    fake.configure(wamid_only_rate=1.0, read_rate=0.0)
    _claim_and_send(6)  # sent, then the worker "dies" before recording anything
    services.mark_stale_claims_unknown(older_than=timezone.now() + timedelta(seconds=1))
    assert Delivery.objects.filter(status=DeliveryStatus.UNKNOWN).count() == 6
    _apply_posted_webhooks(hooks, fake)  # wamid-only statuses: no row has a wamid yet

    requeued = services.requeue_unconfirmed_unknown(older_than=timezone.now() + timedelta(1))

    assert requeued == 0  # before the fix: all 6 back to pending, sent a second time
    by_id = {d.pk: d for d in Delivery.objects.all()}
    sent = {r["callback_data"]: r["wamid"] for r in fake.requests()}
    for row in rows:
        assert by_id[row.pk].status == DeliveryStatus.DELIVERED
        assert by_id[row.pk].wamid == sent[str(row.pk)]
    assert len(fake.requests()) == 6


def test_an_unknown_row_nothing_confirmed_is_still_resent_after_the_grace(world, fake) -> None:
    _queue(world, 2)
    fake.inject("drop_before", count=2)  # nothing reached WhatsApp; no answer came either
    outcomes = _claim_and_send(2)
    assert {o.status for o in outcomes} == {DeliveryStatus.UNKNOWN}
    sending.record_outcomes(outcomes)
    assert services.requeue_unconfirmed_unknown(older_than=timezone.now() + timedelta(1)) == 2
