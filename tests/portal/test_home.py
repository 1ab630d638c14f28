"""The landing page shows each role its own units and never another's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_station_ic_sees_their_station_card(world, login) -> None:
    page = login(world.user(Role.STATION_IC)).get(reverse("home"))
    assert page.status_code == 200
    assert [s.code for s in page.context["my_stations"]] == ["VNS-A"]
    assert page.context["districts"] == []


def test_district_head_sees_their_district_with_station_count(world, login) -> None:
    page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("home"))
    rows = list(page.context["districts"])
    assert [(d.code, d.station_count) for d in rows] == [("VNSX", 2)]


def test_stranger_district_head_sees_none_of_ours(world, login) -> None:
    page = login(world.strangers[Role.DISTRICT_HEAD]).get(reverse("home"))
    assert [d.code for d in page.context["districts"]] == ["NDAX"]
    assert world.district.name not in page.content.decode()


def test_user_without_posting_is_told_so(world, login, no_posting_user) -> None:
    page = login(no_posting_user).get(reverse("home"))
    assert 'data-testid="no-posting"' in page.content.decode()


def test_navigation_hides_station_pages_from_ngo_coordinators(world, login) -> None:
    page = login(world.user(Role.NGO_COORDINATOR)).get(reverse("home"))
    assert reverse("stations:station_list") not in page.content.decode()


def test_every_static_asset_is_local(world, login) -> None:
    html = login(world.user(Role.STATION_IC)).get(reverse("home")).content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html.replace("https://www.w3.org", "")
