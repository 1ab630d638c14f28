"""The IC dashboard's cached cards: reused while nothing changes, recomputed the moment a write
they show happens, per user, and never for the live SOS / overdue card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from broadcasts import demo
from broadcasts.models import Broadcast, MessageTemplate
from groups.models import NominationSource
from groups.services import submit_nomination
from stations.models import ResourceItem
from stations.services import close_action_item, record_patrol
from tests.factories.fieldwork import ActionItemFactory, HotspotFactory
from tests.factories.groups import GroupFactory
from tests.reports.test_dashboard import complaint

pytestmark = pytest.mark.django_db


def _get(client):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("home"))
    assert page.status_code == 200
    return page, len(ctx.captured_queries)


def _cards(page) -> str:  # type: ignore[no-untyped-def]
    """The page from the first card on (the head carries a fresh CSRF token each time)."""
    html = page.content.decode()
    return html[html.index('data-testid="dash-urgent"') :]


def test_second_request_reuses_the_cards_and_shows_the_same_page(world, login) -> None:
    GroupFactory(station=world.station, name="Not Alone Cantt")
    HotspotFactory(station=world.station, name="Station Road crossing")
    client = login(world.user(Role.STATION_IC))
    first, cold = _get(client)
    second, warm = _get(client)
    # groups, broadcasts, deficits, hotspots and the two return queries are not re-read
    assert warm <= cold - 6
    assert _cards(second) == _cards(first)
    assert "Not Alone Cantt" in second.content.decode()


def test_cache_off_reads_every_card_each_time(world, login, settings) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = login(world.user(Role.STATION_IC))
    _, first = _get(client)
    _, second = _get(client)
    assert first == second


def test_a_new_nomination_shows_at_once(world, login) -> None:
    group = GroupFactory(station=world.station, name="Not Alone Cantt")
    ic = world.user(Role.STATION_IC)
    client = login(ic)
    before, _ = _get(client)
    assert before.context["board"].groups[0].pending_count == 0
    submit_nomination(
        group=group,
        source=NominationSource.OFFICER,
        nominee_name="Sunita Devi",
        nominee_phone="+919812345678",
        nominee_consent=True,
        nominee_district=world.district,
        by=ic,
    )
    after, _ = _get(client)
    assert after.context["board"].groups[0].pending_count == 1
    assert "1 to vet" in after.content.decode()


def test_a_patrol_takes_the_hotspot_off_the_card_at_once(world, login) -> None:
    hotspot = HotspotFactory(station=world.station, name="Station Road crossing")
    ic = world.user(Role.STATION_IC)
    client = login(ic)
    before, _ = _get(client)
    assert [h.pk for h in before.context["board"].unpatrolled] == [hotspot.pk]
    record_patrol(hotspot=hotspot, patrolled_at=timezone.now(), team="Pink patrol", by=ic)
    after, _ = _get(client)
    assert after.context["board"].unpatrolled == []
    assert after.context["board"].unpatrolled_count == 0


def test_a_closed_deficit_leaves_the_card_at_once(world, login) -> None:
    item = ActionItemFactory(
        raised_in__station=world.station, station=world.station, item=ResourceItem.values[0]
    )
    ic = world.user(Role.STATION_IC)
    client = login(ic)
    before, _ = _get(client)
    assert before.context["board"].open_deficits == 1
    close_action_item(item=item, note="New computer installed at the help desk.", by=ic)
    after, _ = _get(client)
    assert after.context["board"].open_deficits == 0


def test_a_district_broadcast_shows_on_its_stations_at_once(world, login) -> None:
    demo.seed_sandbox_templates()
    client = login(world.user(Role.STATION_IC))
    before, _ = _get(client)
    assert before.context["board"].broadcasts == []
    Broadcast.objects.create(
        district=world.district,
        title="Cyber fraud week",
        template=MessageTemplate.objects.filter(status=MessageTemplate.Status.APPROVED).first(),
        parameters=["Varanasi"],
        created_by=world.user(Role.CYBER_CELL),
        status=Broadcast.Status.SCHEDULED,
        scheduled_for=timezone.now() + timedelta(hours=2),
    )
    after, _ = _get(client)
    assert [b.title for b in after.context["board"].broadcasts] == ["Cyber fraud week"]


def test_sos_and_overdue_are_never_cached(world, login) -> None:
    client = login(world.user(Role.STATION_IC))
    _get(client)
    sos = complaint(world.station, due_in=3, sos=True)
    overdue = complaint(world.station, due_in=-2)
    after, _ = _get(client)
    assert [c.pk for c in after.context["board"].urgent] == [sos.pk, overdue.pk]
    assert after.context["board"].complaint_counts["sos"] == 1


def test_each_user_gets_their_own_cards(world, login) -> None:
    GroupFactory(station=world.station, name="Ours")
    GroupFactory(station=world.other_station, name="Theirs")
    ours = login(world.user(Role.STATION_IC))
    _get(ours)
    page, _ = _get(ours)  # cached now
    assert [g.name for g in page.context["board"].groups] == ["Ours"]
    theirs = login(world.strangers[Role.STATION_IC])
    page, _ = _get(theirs)
    assert [g.name for g in page.context["board"].groups] == ["Theirs"]
    assert "Ours" not in page.content.decode()


def test_the_commit_bumps_the_version_again(world, django_capture_on_commit_callbacks) -> None:
    key = f"dashboard:v1:station:{world.station.pk}"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        GroupFactory(station=world.station)
    at_save = cache.get(key)
    assert at_save is not None
    assert len(callbacks) >= 1
    for callback in callbacks:
        callback()
    assert cache.get(key) > at_save
