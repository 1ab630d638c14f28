"""Reach and cost planned before approval (issue 15, part 3, first increment): against a known
audience, every figure of the plan is what WhatsApp's limits and prices make of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from broadcasts import audience, lifecycle
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from people.models import Citizen
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


def _known_world(world):  # type: ignore[no-untyped-def]
    """10 recipients (and 2 suppressed); one capped 2 hours ago; in the last 7 days this
    audience's marketing was answered 8 times, 2 of them capped (a quarter); 4 citizens of
    another district were reached today."""
    recipients = [CitizenFactory(station=world.station, phone=f"+9193{i:08d}") for i in range(10)]
    for i in range(2):
        CitizenFactory(
            station=world.station, phone=f"+9192{i:08d}", consent_at=None, consent_source=""
        )
    Citizen.objects.filter(pk=recipients[0].pk).update(
        marketing_capped_at=timezone.now() - timedelta(hours=2)
    )
    template = MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")
    maker = world.user(Role.CYBER_CELL)
    earlier = Broadcast.objects.create(
        district=world.district,
        title="last week",
        template=template,
        created_by=maker,
        status=Broadcast.Status.COMPLETED,
    )
    three_days_ago = timezone.now() - timedelta(days=3)
    for i, citizen in enumerate(recipients[1:9]):
        Delivery.objects.create(
            broadcast=earlier,
            citizen=citizen,
            status=DeliveryStatus.CAPPED if i < 2 else DeliveryStatus.DELIVERED,
            sent_at=three_days_ago,
        )
    elsewhere = [
        CitizenFactory(station=world.other_station, phone=f"+9191{i:08d}") for i in range(4)
    ]
    today = Broadcast.objects.create(
        district=world.other_district,
        title="theirs today",
        template=template,
        created_by=maker,
        status=Broadcast.Status.COMPLETED,
    )
    for citizen in elsewhere:
        Delivery.objects.create(
            broadcast=today, citizen=citizen, status=DeliveryStatus.SENT, sent_at=timezone.now()
        )
    return lifecycle.create_broadcast(
        district=world.district,
        title="Police Mitan: OTP fraud",
        template=template,
        parameters=["Kabirdham"],
        by=maker,
    )


def test_the_plan_of_a_known_audience(world, templates, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_MESSAGING_LIMIT = 10
    settings.WHATSAPP_MESSAGES_PER_SECOND = 3
    settings.WHATSAPP_PRICE_INR = {"MARKETING": 0.8631, "UTILITY": 0.115}
    plan = audience.preview(_known_world(world))

    assert (plan.audience, plan.suppressed, plan.recipients) == (12, 2, 10)
    assert plan.category == "MARKETING"
    assert plan.capped_now == 1
    assert plan.capped_share == pytest.approx(0.25)
    assert plan.expected_capped == 1 + round(9 * 0.25)  # 3
    assert (plan.tier_limit, plan.tier_used) == (10, 4)
    assert plan.deferred == 9 - (10 - 4)  # 3 beyond today's allowance
    assert plan.estimated_seconds == 3  # 9 to send at 3 a second
    assert plan.estimated_cost_inr == pytest.approx(round(7 * 0.8631, 2))


def test_a_utility_alert_is_not_capped_and_costs_the_utility_price(
    world, templates, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_MESSAGING_LIMIT = 0  # unlimited: nothing deferred
    settings.WHATSAPP_PRICE_INR = {"MARKETING": 0.8631, "UTILITY": 0.115}
    broadcast = _known_world(world)
    MessageTemplate.objects.filter(pk=broadcast.template_id).update(
        category=MessageTemplate.Category.UTILITY
    )
    broadcast.refresh_from_db()
    plan = audience.preview(broadcast)
    assert (plan.capped_now, plan.expected_capped, plan.deferred) == (0, 0, 0)
    assert plan.estimated_cost_inr == pytest.approx(round(10 * 0.115, 2))


def test_maker_and_checker_see_the_plan_on_the_page(
    world, templates, checker, settings, login
) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_MESSAGING_LIMIT = 10
    settings.BROADCAST_APPROVAL_THRESHOLD = 1
    broadcast = _known_world(world)
    lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
    for user in (world.user(Role.CYBER_CELL), checker):
        page = login(user).get(reverse("broadcasts:detail", args=[broadcast.pk])).content.decode()
        assert 'data-testid="preview-plan"' in page
        assert 'data-testid="plan-capped-now">1<' in page
        assert 'data-testid="plan-expected-capped">3<' in page
        assert 'data-testid="plan-deferred">3<' in page
