"""API lists page with one pagination class that has a maximum (issue 21, item 1).

`?limit=100000000000000000000` used to be a server error on every list with rows (PostgreSQL:
bigint out of range), and any large valid limit returned a whole list at once.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from accounts.models import Role
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

HUGE = "100000000000000000000"
# Lists that are deliberately whole: one row of figures per station of the caller.
UNPAGINATED = {"DriveTotalsApi", "EnforcementTotalsApi"}


def _api_views(patterns: list[URLPattern | URLResolver]) -> list[type[APIView]]:
    """Every DRF view class the URL resolver can reach."""
    found: list[type[APIView]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_api_views(pattern.url_patterns))
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            found.append(view_class)
    return found


def test_every_api_list_pages_with_the_portal_pagination() -> None:
    from portal.pagination import Pagination

    views = _api_views(get_resolver().url_patterns)
    assert len(views) > 50
    paginated = {view for view in views if getattr(view, "pagination_class", None) is not None}
    assert len(paginated) > 15
    for view in paginated:
        assert issubclass(view.pagination_class, Pagination), view.__name__  # type: ignore[arg-type]
    unpaginated = {
        view.__name__
        for view in views
        if hasattr(view, "get_queryset") and getattr(view, "pagination_class", None) is None
    }
    assert unpaginated == UNPAGINATED


class TestLimit:
    def test_a_huge_limit_returns_the_largest_page(self, world, login, settings) -> None:
        settings.API_MAX_PAGE_SIZE = 2
        StationFactory(district=world.district, code="VNS-C")
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"limit": HUGE}
        )
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert "limit=2" in body["next"]

    def test_a_limit_with_thousands_of_digits_is_still_a_large_limit(self, world, login) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"limit": "9" * 5000}
        )
        assert response.status_code == 200
        assert response.json()["count"] == 2

    def test_a_limit_below_the_maximum_is_kept(self, world, login) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"limit": "1"}
        )
        assert len(response.json()["results"]) == 1

    @pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", HUGE.replace("1", "-1", 1)])
    def test_a_malformed_limit_is_refused_with_a_message(self, world, login, value) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"limit": value}
        )
        assert response.status_code == 400
        assert "whole number" in response.json()["limit"][0]

    def test_an_empty_limit_gives_the_default_page(self, world, login) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"limit": ""}
        )
        assert response.status_code == 200
        assert response.json()["count"] == 2


class TestOffset:
    def test_a_huge_offset_is_an_empty_page(self, world, login) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"offset": HUGE, "limit": HUGE}
        )
        assert response.status_code == 200
        assert response.json()["results"] == []

    @pytest.mark.parametrize("value", ["-1", "abc", "2.0", "\u0663"])
    def test_a_malformed_offset_is_refused_with_a_message(self, world, login, value) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:station-list"), {"offset": value}
        )
        assert response.status_code == 400
        assert "whole number" in response.json()["offset"][0]


def test_the_schema_states_the_bounds(world, login) -> None:
    schema = (
        login(world.user(Role.DISTRICT_HEAD)).get(reverse("api-schema"), {"format": "json"}).json()
    )
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/stations/"]["get"]["parameters"]}
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["offset"]["schema"]["minimum"] == 0
    assert "200" in parameters["limit"]["description"]
