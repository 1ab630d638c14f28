"""Monthly station returns: who may submit, when, and how the status is worked out."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, Role
from stations import selectors
from stations.models import StationReturn
from stations.services import submit_return
from tests.factories import PostingFactory, UserFactory

IST = ZoneInfo("Asia/Kolkata")
pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 11) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=IST)


# --- pure date rules ------------------------------------------------------------------------


def test_due_date_is_the_fifth_of_the_following_month(settings) -> None:
    assert selectors.return_due_on(date(2026, 10, 1)) == date(2026, 11, 5)
    assert selectors.return_due_on(date(2026, 12, 17)) == date(2027, 1, 5)
    settings.STATION_RETURN_DUE_DAY = 10
    assert selectors.return_due_on(date(2026, 10, 1)) == date(2026, 11, 10)


def test_months_ending_in_a_period() -> None:
    assert selectors.months_ending_in(date(2026, 10, 1), date(2026, 10, 31)) == [date(2026, 10, 1)]
    assert selectors.months_ending_in(date(2026, 10, 1), date(2026, 10, 30)) == []
    assert selectors.months_ending_in(date(2026, 8, 15), date(2026, 11, 10)) == [
        date(2026, 8, 1),
        date(2026, 9, 1),
        date(2026, 10, 1),
    ]


# --- submit_return --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STATION_IC, Role.SHAKTI_INCHARGE])
def test_ic_and_shakti_incharge_submit_last_month(world, role) -> None:
    with time_machine.travel(at(2026, 11, 3), tick=False):
        ret = submit_return(user=world.user(role), station=world.station, month=date(2026, 10, 9))
    assert ret.month == date(2026, 10, 1)
    assert ret.due_on == date(2026, 11, 5)
    assert ret.submitted_by == world.user(role)
    assert not ret.is_late
    assert AuditEvent.objects.filter(action="stations.return.submitted").count() == 1


@pytest.mark.parametrize(
    "role", [Role.STATION_OFFICER, Role.DISTRICT_HEAD, Role.STATE_HQ, Role.NGO_COORDINATOR]
)
def test_other_roles_may_not_submit(world, role) -> None:
    with time_machine.travel(at(2026, 11, 3), tick=False), pytest.raises(PermissionDenied):
        submit_return(user=world.user(role), station=world.station, month=date(2026, 10, 1))
    assert not StationReturn.objects.exists()


def test_ic_of_another_station_may_not_submit(world) -> None:
    with time_machine.travel(at(2026, 11, 3), tick=False), pytest.raises(PermissionDenied):
        submit_return(
            user=world.strangers[Role.STATION_IC], station=world.station, month=date(2026, 10, 1)
        )
    with time_machine.travel(at(2026, 11, 3), tick=False), pytest.raises(PermissionDenied):
        submit_return(
            user=world.user(Role.STATION_IC), station=world.sibling_station, month=date(2026, 10, 1)
        )


def test_second_submission_is_refused(world) -> None:
    ic = world.user(Role.STATION_IC)
    with time_machine.travel(at(2026, 11, 3), tick=False):
        submit_return(user=ic, station=world.station, month=date(2026, 10, 1))
        with pytest.raises(ValidationError) as err:
            submit_return(
                user=world.user(Role.SHAKTI_INCHARGE),
                station=world.station,
                month=date(2026, 10, 1),
            )
    assert "already submitted" in str(err.value)
    assert StationReturn.objects.count() == 1


def test_current_month_cannot_be_submitted(world) -> None:
    with time_machine.travel(at(2026, 11, 30, 23), tick=False), pytest.raises(ValidationError):
        submit_return(
            user=world.user(Role.STATION_IC), station=world.station, month=date(2026, 11, 1)
        )
    with time_machine.travel(at(2026, 11, 30, 23), tick=False), pytest.raises(ValidationError):
        submit_return(
            user=world.user(Role.STATION_IC), station=world.station, month=date(2027, 1, 1)
        )
    assert not StationReturn.objects.exists()


# --- return_status --------------------------------------------------------------------------


def _ids(world) -> list[int]:
    return [world.station.pk, world.sibling_station.pk, world.neighbour_station.pk]


def test_status_on_time_late_missing(world, django_assert_num_queries) -> None:
    ic = world.user(Role.STATION_IC)
    sibling_ic = UserFactory(username="sibling_ic")
    with time_machine.travel(at(2026, 11, 5, 23), tick=False):  # the due day itself is on time
        submit_return(user=ic, station=world.station, month=date(2026, 10, 1))
    PostingFactory(user=sibling_ic, role=Role.STATION_IC, station=world.sibling_station)
    with time_machine.travel(at(2026, 11, 6, 9), tick=False):
        submit_return(user=sibling_ic, station=world.sibling_station, month=date(2026, 10, 1))
    with time_machine.travel(at(2026, 11, 20), tick=False), django_assert_num_queries(1):
        status = selectors.return_status(
            station_ids=_ids(world), period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
        )
    assert status == {
        world.station.pk: "on_time",
        world.sibling_station.pk: "late",
        world.neighbour_station.pk: "missing",
    }


def test_status_not_due_before_the_due_date(world) -> None:
    with time_machine.travel(at(2026, 11, 5, 23), tick=False):
        status = selectors.return_status(
            station_ids=_ids(world), period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
        )
        submit_return(
            user=world.user(Role.STATION_IC), station=world.station, month=date(2026, 10, 1)
        )
        after = selectors.return_status(
            station_ids=_ids(world), period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
        )
    assert set(status.values()) == {"not_due"}
    assert after[world.station.pk] == "on_time"  # submitted early
    assert after[world.sibling_station.pk] == "not_due"


def test_status_over_several_months_is_the_worst(world) -> None:
    ic = world.user(Role.STATION_IC)
    with time_machine.travel(at(2026, 9, 2), tick=False):
        submit_return(user=ic, station=world.station, month=date(2026, 8, 1))
    with time_machine.travel(at(2026, 10, 20), tick=False):
        submit_return(user=ic, station=world.station, month=date(2026, 9, 1))  # late
    with time_machine.travel(at(2026, 11, 2), tick=False):
        submit_return(user=ic, station=world.station, month=date(2026, 10, 1))
        status = selectors.return_status(
            station_ids=[world.station.pk, world.sibling_station.pk],
            period_start=date(2026, 8, 1),
            period_end=date(2026, 10, 31),
        )
    # October is not yet due, but September was late and nothing is missing for our station;
    # the sibling station never submitted August or September: missing.
    assert status == {world.station.pk: "late", world.sibling_station.pk: "missing"}


def test_status_period_without_a_month_end_and_no_stations(
    world, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        assert selectors.return_status(
            station_ids=[world.station.pk],
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 20),
        ) == {world.station.pk: "not_due"}
        assert (
            selectors.return_status(
                station_ids=[], period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
            )
            == {}
        )


def test_late_is_judged_in_india_time(world) -> None:
    # 23:30 IST on the 5th is 18:00 UTC on the 5th: on time; 00:30 IST on the 6th is late.
    with time_machine.travel(datetime(2026, 11, 5, 18, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        ret = submit_return(
            user=world.user(Role.STATION_IC), station=world.station, month=date(2026, 10, 1)
        )
    assert not ret.is_late
