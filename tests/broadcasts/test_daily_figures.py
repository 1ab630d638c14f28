"""The cyber cell's daily figures: reached, capped by WhatsApp and failed kept apart (issue 15,
part 2), per Indian calendar day, over the district's broadcasts only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from broadcasts.figures import daily_figures
from broadcasts.models import Broadcast, Delivery, DeliveryStatus
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


def _broadcast(world, awareness, district, started) -> Broadcast:  # type: ignore[no-untyped-def]
    return Broadcast.objects.create(
        district=district,
        title="daily",
        template=awareness,
        created_by=world.user(Role.CYBER_CELL),
        status=Broadcast.Status.COMPLETED,
        started_at=started,
    )


def _deliveries(broadcast, station, statuses, sent_at) -> None:  # type: ignore[no-untyped-def]
    for status in statuses:
        Delivery.objects.create(
            broadcast=broadcast,
            citizen=CitizenFactory(station=station),
            status=status,
            sent_at=None if status == DeliveryStatus.CAPPED else sent_at,
        )


def test_reached_capped_and_failed_are_counted_apart_per_day(world, awareness, login) -> None:
    now = timezone.now()
    today = _broadcast(world, awareness, world.district, now)
    _deliveries(
        today,
        world.station,
        [DeliveryStatus.DELIVERED, DeliveryStatus.READ, DeliveryStatus.READ]
        + [DeliveryStatus.CAPPED] * 2
        + [DeliveryStatus.FAILED, DeliveryStatus.SENT],
        now,
    )
    two_days_ago = _broadcast(world, awareness, world.district, now - timedelta(days=2))
    _deliveries(two_days_ago, world.station, [DeliveryStatus.DELIVERED], now - timedelta(days=2))
    theirs = _broadcast(world, awareness, world.other_district, now)
    _deliveries(theirs, world.other_station, [DeliveryStatus.DELIVERED] * 4, now)

    days = daily_figures(user=world.user(Role.CYBER_CELL))
    assert len(days) == 7 and days[0].day == timezone.localdate()
    first = days[0]
    assert (first.reached, first.capped, first.failed, first.sent) == (3, 2, 1, 1)
    assert days[2].reached == 1 and days[1].total == 0

    page = login(world.user(Role.CYBER_CELL)).get(reverse("broadcasts:list"))
    html = page.content.decode()
    assert 'data-testid="daily-figures"' in html
    assert 'data-testid="daily-capped">2<' in html


def test_another_district_sees_none_of_ours(world, awareness) -> None:
    ours = _broadcast(world, awareness, world.district, timezone.now())
    _deliveries(ours, world.station, [DeliveryStatus.DELIVERED] * 3, timezone.now())
    days = daily_figures(user=world.strangers[Role.CYBER_CELL])
    assert sum(day.total for day in days) == 0


def test_the_figures_are_one_statement_however_many_deliveries(
    world, awareness, django_assert_max_num_queries
) -> None:
    ours = _broadcast(world, awareness, world.district, timezone.now())
    _deliveries(ours, world.station, [DeliveryStatus.DELIVERED] * 30, timezone.now())
    user = world.user(Role.CYBER_CELL)
    with django_assert_max_num_queries(2):  # the user's districts, then the counts
        daily_figures(user=user)
