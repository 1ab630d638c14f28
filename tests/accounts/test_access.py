"""accounts.access: every role sees exactly its own stations, and nothing else."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.models import Role
from tests.factories import PostingFactory, StationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _codes(queryset) -> set[str]:  # type: ignore[no-untyped-def]
    return set(queryset.values_list("code", flat=True))


class TestStationsFor:
    def test_state_hq_sees_every_station_of_its_state_only(self, world) -> None:
        seen = _codes(access.stations_for(world.user(Role.STATE_HQ)))
        assert seen == {"VNS-A", "VNS-B", "HTS-A"}

    @pytest.mark.parametrize("role", [Role.DISTRICT_HEAD, Role.CYBER_CELL])
    def test_district_roles_see_their_district_only(self, world, role) -> None:
        assert _codes(access.stations_for(world.user(role))) == {"VNS-A", "VNS-B"}

    @pytest.mark.parametrize("role", [Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE])
    def test_station_roles_see_their_station_only(self, world, role) -> None:
        assert _codes(access.stations_for(world.user(role))) == {"VNS-A"}

    def test_ngo_coordinator_sees_no_police_station(self, world) -> None:
        assert _codes(access.stations_for(world.user(Role.NGO_COORDINATOR))) == set()

    def test_strangers_of_every_role_see_none_of_ours(self, world) -> None:
        ours = {"VNS-A", "VNS-B", "HTS-A"}
        for role, stranger in world.strangers.items():
            assert not (_codes(access.stations_for(stranger)) & ours), role

    def test_user_with_two_postings_sees_the_union(self, world) -> None:
        user = UserFactory()
        PostingFactory(user=user, role=Role.STATION_IC, station=world.station)
        PostingFactory(user=user, role=Role.SHAKTI_INCHARGE, station=world.other_station)
        assert _codes(access.stations_for(user)) == {"VNS-A", "NDA-A"}
        assert access.roles_of(user) == {Role.STATION_IC, Role.SHAKTI_INCHARGE}

    def test_user_with_no_posting_sees_nothing(self, world, no_posting_user) -> None:
        assert _codes(access.stations_for(no_posting_user)) == set()
        assert _codes(access.districts_for(no_posting_user)) == set()
        assert access.home_kind(no_posting_user) == "none"

    def test_anonymous_sees_nothing(self, world) -> None:
        assert _codes(access.stations_for(AnonymousUser())) == set()

    def test_ended_posting_grants_nothing(self, world) -> None:
        user = UserFactory()
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        PostingFactory(
            user=user,
            role=Role.STATION_IC,
            station=world.station,
            starts_on=yesterday - datetime.timedelta(days=30),
            ends_on=yesterday,
        )
        assert _codes(access.stations_for(user)) == set()

    def test_future_posting_grants_nothing_yet(self, world) -> None:
        user = UserFactory()
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        PostingFactory(user=user, role=Role.STATION_IC, station=world.station, starts_on=tomorrow)
        assert _codes(access.stations_for(user)) == set()

    def test_deactivated_user_sees_nothing(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        user.is_active = False
        user.save()
        assert _codes(access.stations_for(user)) == set()

    def test_system_admin_sees_everything(self, world, admin_user_) -> None:
        assert _codes(access.stations_for(admin_user_)) == {"VNS-A", "VNS-B", "HTS-A", "NDA-A"}

    def test_new_station_in_district_is_seen_without_new_posting(self, world) -> None:
        StationFactory(district=world.district, code="VNS-NEW")
        assert "VNS-NEW" in _codes(access.stations_for(world.user(Role.DISTRICT_HEAD)))

    def test_postings_are_read_once_per_request_object(
        self, world, django_assert_num_queries
    ) -> None:
        user = world.user(Role.STATION_IC)
        access.roles_of(user)
        with django_assert_num_queries(1):  # only the station query itself
            list(access.stations_for(user))
            access.roles_of(user)


class TestDistrictsAndStates:
    def test_state_hq_oversees_all_districts_of_its_state(self, world) -> None:
        assert _codes(access.districts_for(world.user(Role.STATE_HQ))) == {"VNSX", "HTSX"}
        assert _codes(access.states_for(world.user(Role.STATE_HQ))) == {"UPX"}

    def test_district_head_oversees_its_district(self, world) -> None:
        assert _codes(access.districts_for(world.user(Role.DISTRICT_HEAD))) == {"VNSX"}
        assert _codes(access.states_for(world.user(Role.DISTRICT_HEAD))) == set()

    def test_station_ic_oversees_no_district(self, world) -> None:
        assert _codes(access.districts_for(world.user(Role.STATION_IC))) == set()


class TestSingleObjectLookups:
    def test_it_returns_a_station_inside_the_jurisdiction(self, world) -> None:
        user = world.user(Role.STATION_IC)
        assert access.get_station_for_user(user, world.station.pk) == world.station

    def test_foreign_and_missing_stations_raise_the_same_404(self, world) -> None:
        user = world.user(Role.STATION_IC)
        with pytest.raises(Http404) as foreign:
            access.get_station_for_user(user, world.sibling_station.pk)
        with pytest.raises(Http404) as missing:
            access.get_station_for_user(user, 987654321)
        assert str(foreign.value) == str(missing.value)

    def test_garbage_pk_is_a_404_not_a_500(self, world) -> None:
        with pytest.raises(Http404):
            access.get_station_for_user(world.user(Role.STATE_HQ), "1; DROP TABLE")

    def test_district_lookup_refuses_a_neighbouring_district(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        assert access.get_district_for_user(user, world.district.pk) == world.district
        with pytest.raises(Http404):
            access.get_district_for_user(user, world.sibling_district.pk)

    def test_can_see_station_agrees_with_stations_for(self, world, admin_user_) -> None:
        stations = [
            world.station,
            world.sibling_station,
            world.neighbour_station,
            world.other_station,
        ]
        for user in [*world.users.values(), *world.strangers.values(), admin_user_]:
            visible = set(access.stations_for(user).values_list("pk", flat=True))
            for station in stations:
                assert access.can_see_station(user, station) == (station.pk in visible)


class TestHomeKind:
    @pytest.mark.parametrize(
        ("role", "kind"),
        [
            (Role.STATE_HQ, "state"),
            (Role.DISTRICT_HEAD, "district"),
            (Role.CYBER_CELL, "district"),
            (Role.STATION_IC, "station"),
            (Role.STATION_OFFICER, "station"),
            (Role.SHAKTI_INCHARGE, "station"),
            (Role.NGO_COORDINATOR, "ngo"),
        ],
    )
    def test_each_role_lands_on_its_page(self, world, role, kind) -> None:
        assert access.home_kind(world.user(role)) == kind
