"""WhatsApp's per-person marketing cap (131049) is not a failure: `capped`, never resent within
24 hours, offered first next time (issue 15, part 2).

WhatsApp caps how many marketing templates one person receives from all businesses. It says so
with a `failed` status webhook carrying 131049 (../shared/whatsapp/LIMITS-2026.md), or, less
often, in the send's answer. Before: the row was `failed` like a wrong number, counted as a
failure of the list, and the citizen was sent the next broadcast the same day (drawing more
131049s) or placed anywhere in the queue. Driven against the fake Cloud API over HTTP, with the
webhooks the fake really posted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from broadcasts import audience, lifecycle, sending, webhooks
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from people.models import Citizen
from tests.factories.people import CitizenFactory
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = pytest.mark.django_db(transaction=True)

AUDIENCE = 12
CAPPED = 4


@pytest.fixture
def fake(fake, settings) -> FakeWhatsApp:  # type: ignore[no-untyped-def]
    """conftest's fake Cloud API; one checker's approval is enough here."""
    settings.BROADCAST_APPROVAL_THRESHOLD = 1
    return fake


def _citizens(world) -> list[Citizen]:  # type: ignore[no-untyped-def]
    return [CitizenFactory(station=world.station, phone=f"+9194{i:08d}") for i in range(AUDIENCE)]


def _broadcast(world, checker, title: str) -> Broadcast:  # type: ignore[no-untyped-def]
    maker = world.user(Role.CYBER_CELL)
    template = MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")
    assert template.category == MessageTemplate.Category.MARKETING
    draft = lifecycle.create_broadcast(
        district=world.district, title=title, template=template, parameters=["Kabirdham"], by=maker
    )
    lifecycle.submit_broadcast(broadcast=draft, by=maker)
    lifecycle.approve_broadcast(broadcast=draft, by=checker)
    assert lifecycle.start_broadcast(broadcast_id=draft.pk)
    return Broadcast.objects.get(pk=draft.pk)


def _send_and_apply_webhooks(broadcast: Broadcast, fake: FakeWhatsApp, hooks) -> None:  # type: ignore[no-untyped-def]
    sending.run_sender(broadcast_id=broadcast.pk, time_budget=20)
    fake.wait_idle()
    for received in hooks.received():
        webhooks.process_event(event_id=webhooks.store_event(received.body).event.pk)
    hooks.clear()


def test_a_131049_status_caps_the_citizen_who_is_not_resent_that_day_and_comes_first_later(
    world, checker, fake, hooks
) -> None:
    citizens = _citizens(world)
    capped_phones = {c.phone for c in citizens[-CAPPED:]}  # the last ones: they go first later
    fake.configure(fail_recipients={p.lstrip("+"): 131049 for p in capped_phones})

    first = _broadcast(world, checker, "Police Mitan: OTP fraud")
    _send_and_apply_webhooks(first, fake, hooks)

    rows = Delivery.objects.filter(broadcast=first)
    capped = rows.filter(status=DeliveryStatus.CAPPED)
    assert set(capped.values_list("citizen__phone", flat=True)) == capped_phones
    assert set(capped.values_list("error_code", flat=True)) == {131049}
    assert not rows.filter(status=DeliveryStatus.FAILED).exists()  # before: 4 failed
    assert Citizen.objects.filter(marketing_capped_at__isnull=False).count() == CAPPED
    funnel = audience.funnel(first)
    assert funnel["capped"] == CAPPED and funnel["failed"] == 0
    # Final: the broadcast completes, and nothing sends to a capped row again.
    assert lifecycle.complete_if_done(broadcast_id=first.pk)
    assert sending.run_sender(broadcast_id=first.pk, time_budget=5).claimed == 0

    # A second awareness broadcast the same day: the capped citizens are not sent to at all.
    fake.configure(fail_recipients={})
    sent_before = fake.stats()["per_recipient"]
    second = _broadcast(world, checker, "Police Mitan: loan apps")
    again = Delivery.objects.filter(broadcast=second, citizen__phone__in=capped_phones)
    assert set(again.values_list("status", flat=True)) == {DeliveryStatus.CAPPED}
    _send_and_apply_webhooks(second, fake, hooks)
    sent_after = fake.stats()["per_recipient"]
    for phone in capped_phones:
        assert sent_after.get(phone.lstrip("+"), 0) == sent_before.get(phone.lstrip("+"), 0)
    assert audience.funnel(second)["capped"] == CAPPED

    # A day later: they are offered again, first of everybody (the lowest ids are claimed
    # first, and the messaging-limit tier defers the end of the queue).
    Citizen.objects.filter(phone__in=capped_phones).update(
        marketing_capped_at=timezone.now() - timedelta(hours=25)
    )
    third = _broadcast(world, checker, "Police Mitan: fake KYC")
    order = list(
        Delivery.objects.filter(broadcast=third)
        .order_by("id")
        .values_list("citizen__phone", "status")
    )
    assert {phone for phone, _ in order[:CAPPED]} == capped_phones
    assert {status for _, status in order} == {DeliveryStatus.PENDING}


def test_a_131049_in_the_send_answer_caps_too(world, checker, fake, hooks) -> None:
    citizens = _citizens(world)
    refused = citizens[0].phone
    fake.configure(reject_recipients={refused.lstrip("+"): 131049})
    broadcast = _broadcast(world, checker, "Police Mitan: OTP fraud")
    _send_and_apply_webhooks(broadcast, fake, hooks)
    row = Delivery.objects.get(broadcast=broadcast, citizen__phone=refused)
    assert row.status == DeliveryStatus.CAPPED and row.error_code == 131049
    assert row.failed_at is not None
    assert Citizen.objects.get(phone=refused).marketing_capped_at is not None
    assert lifecycle.complete_if_done(broadcast_id=broadcast.pk)


def test_a_utility_alert_is_not_held_back_by_the_marketing_cap(world, checker, fake) -> None:
    citizens = _citizens(world)
    Citizen.objects.filter(pk=citizens[0].pk).update(marketing_capped_at=timezone.now())
    broadcast = _broadcast(world, checker, "Flood alert")
    MessageTemplate.objects.filter(pk=broadcast.template_id).update(
        category=MessageTemplate.Category.UTILITY
    )
    broadcast.refresh_from_db()
    Delivery.objects.filter(broadcast=broadcast).delete()
    audience.fan_out(broadcast)
    row = Delivery.objects.get(broadcast=broadcast, citizen=citizens[0])
    assert row.status == DeliveryStatus.PENDING  # the cap counts marketing only
