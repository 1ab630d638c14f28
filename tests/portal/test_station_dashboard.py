"""The station landing page: groups to vet, unpatrolled hotspots, open deficits, broadcasts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories.fieldwork import ActionItemFactory, HotspotFactory
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def our_station_work(world):  # type: ignore[no-untyped-def]
    GroupFactory(station=world.station, name="Not Alone Cantt", capacity=250)
    HotspotFactory(station=world.station, name="Girls' Inter College Cantt")
    ActionItemFactory(raised_in__station=world.station, station=world.station)
    GroupFactory(station=world.other_station, name="Their group")
    HotspotFactory(station=world.other_station, name="Their bus stand")


def test_the_ic_sees_groups_hotspots_and_deficits_of_the_station(
    world, login, our_station_work
) -> None:
    page = login(world.user(Role.STATION_IC)).get(reverse("home"))
    html = page.content.decode()
    assert [g.name for g in page.context["groups"]] == ["Not Alone Cantt"]
    assert page.context["groups"][0].seats_left == 250
    assert [h.name for h in page.context["unpatrolled"]] == ["Girls' Inter College Cantt"]
    assert page.context["open_deficits"] == 1
    assert "Their group" not in html and "Their bus stand" not in html


def test_a_stranger_station_ic_sees_only_their_own(world, login, our_station_work) -> None:
    page = login(world.strangers[Role.STATION_IC]).get(reverse("home"))
    assert [g.name for g in page.context["groups"]] == ["Their group"]
    assert "Not Alone Cantt" not in page.content.decode()


def test_dashboard_query_count_is_flat(
    world, login, our_station_work, django_assert_max_num_queries
) -> None:
    for n in range(10):
        GroupFactory(station=world.station, name=f"Group {n}")
        HotspotFactory(station=world.station)
    client = login(world.user(Role.STATION_IC))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("home")).status_code == 200
