"""Station and district pages: the owner sees them, a colleague elsewhere and a stranger get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import StationFactory
from tests.factories.fieldwork import HotspotFactory

pytestmark = pytest.mark.django_db


class TestStationList:
    def test_it_lists_only_stations_in_the_jurisdiction(self, world, login) -> None:
        page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("stations:station_list"))
        assert page.status_code == 200
        codes = [s.code for s in page.context["page"]]
        assert sorted(codes) == ["VNS-A", "VNS-B"]

    def test_search_matches_local_script_names(self, world, login) -> None:
        StationFactory(district=world.district, code="VNS-L", name="Lanka", name_local="लंका")
        page = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("stations:station_list"), {"q": "लंका"}
        )
        assert [s.code for s in page.context["page"]] == ["VNS-L"]

    def test_search_never_reaches_outside_the_jurisdiction(self, world, login) -> None:
        page = login(world.user(Role.STATION_IC)).get(
            reverse("stations:station_list"), {"q": "NDA"}
        )
        assert list(page.context["page"]) == []

    def test_htmx_request_gets_only_the_rows_fragment(self, world, login) -> None:
        page = login(world.user(Role.STATE_HQ)).get(
            reverse("stations:station_list"), HTTP_HX_REQUEST="true"
        )
        assert page.templates[0].name == "stations/_station_rows.html"

    def test_anonymous_visitor_is_sent_to_login(self, world, client) -> None:
        page = client.get(reverse("stations:station_list"))
        assert page.status_code == 302
        assert page["Location"].startswith(reverse("login"))

    def test_query_count_does_not_grow_with_stations(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        StationFactory.create_batch(30, district=world.district)
        client = login(world.user(Role.STATE_HQ))
        with django_assert_max_num_queries(8):
            assert client.get(reverse("stations:station_list")).status_code == 200


class TestStationDetail:
    def test_the_owner_sees_the_station(self, world, login) -> None:
        page = login(world.user(Role.STATION_IC)).get(
            reverse("stations:station_detail", args=[world.station.pk])
        )
        assert page.status_code == 200
        assert world.station.name in page.content.decode()

    @pytest.mark.parametrize("role", Role.values)
    def test_a_user_of_another_station_or_district_gets_404(self, world, login, role) -> None:
        page = login(world.strangers[role]).get(
            reverse("stations:station_detail", args=[world.station.pk])
        )
        assert page.status_code == 404

    def test_a_colleague_at_a_sibling_station_gets_404(self, world, login) -> None:
        page = login(world.user(Role.STATION_IC)).get(
            reverse("stations:station_detail", args=[world.sibling_station.pk])
        )
        assert page.status_code == 404

    def test_a_missing_station_is_the_same_404(self, world, login) -> None:
        page = login(world.user(Role.STATE_HQ)).get(
            reverse("stations:station_detail", args=[99999999])
        )
        assert page.status_code == 404

    def test_query_budget(self, world, login, django_assert_max_num_queries) -> None:
        client = login(world.user(Role.STATE_HQ))
        with django_assert_max_num_queries(8):
            client.get(reverse("stations:station_detail", args=[world.station.pk]))


class TestDistrictDetail:
    def test_the_district_head_sees_the_district_and_its_stations(self, world, login) -> None:
        page = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("stations:district_detail", args=[world.district.pk])
        )
        assert page.status_code == 200
        assert sorted(s.code for s in page.context["stations"]) == ["VNS-A", "VNS-B"]

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, world, login, role) -> None:
        page = login(world.strangers[role]).get(
            reverse("stations:district_detail", args=[world.district.pk])
        )
        assert page.status_code == 404

    def test_station_roles_do_not_oversee_their_district(self, world, login) -> None:
        page = login(world.user(Role.STATION_IC)).get(
            reverse("stations:district_detail", args=[world.district.pk])
        )
        assert page.status_code == 404


class TestPager:
    def test_it_keeps_the_filters_and_survives_any_parameter_name(self, world, login) -> None:
        """A parameter named `items` used to shadow QueryDict.items in the pager (500)."""
        HotspotFactory.create_batch(31, station=world.station)
        page = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("stations:hotspot_list"), {"kind": "school", "items": "x", "page": "1"}
        )
        assert page.status_code == 200
        assert 'href="?kind=school&amp;items=x&amp;page=2"' in page.content.decode()
