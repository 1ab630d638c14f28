"""Station API: scoped lists, 404 for strangers, a flat query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db


def test_list_returns_only_the_callers_stations(world, login) -> None:
    response = login(world.user(Role.DISTRICT_HEAD)).get(reverse("api:station-list"))
    assert response.status_code == 200
    assert sorted(row["code"] for row in response.json()["results"]) == ["VNS-A", "VNS-B"]


def test_detail_serves_the_owner(world, login) -> None:
    response = login(world.user(Role.STATION_IC)).get(
        reverse("api:station-detail", args=[world.station.pk])
    )
    assert response.status_code == 200
    assert response.json()["code"] == "VNS-A"
    assert response.json()["whatsapp_number"] == "+919876543210"


@pytest.mark.parametrize("role", Role.values)
def test_detail_is_404_for_a_stranger_of_every_role(world, login, role) -> None:
    response = login(world.strangers[role]).get(
        reverse("api:station-detail", args=[world.station.pk])
    )
    assert response.status_code == 404


def test_anonymous_caller_is_refused(world, client) -> None:
    assert client.get(reverse("api:station-list")).status_code == 403


def test_list_query_count_is_flat(world, login, django_assert_max_num_queries) -> None:
    StationFactory.create_batch(60, district=world.district)
    client = login(world.user(Role.STATE_HQ))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("api:station-list"), {"limit": 100})
    assert response.json()["count"] == 63


def test_me_lists_postings_and_station_count(world, login) -> None:
    response = login(world.user(Role.DISTRICT_HEAD)).get(reverse("api:me"))
    body = response.json()
    assert body["postings"] == [
        {
            "role": "district_head",
            "unit_type": "district",
            "unit_code": "VNSX",
            "unit_name": world.district.name,
        }
    ]
    assert body["station_count"] == 2


def test_schema_is_served(world, login) -> None:
    response = login(world.user(Role.STATE_HQ)).get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"/api/v1/stations/" in response.content
