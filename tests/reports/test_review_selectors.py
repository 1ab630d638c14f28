"""The review report's figures: scope, arithmetic, previous period, and a flat query count."""

from __future__ import annotations

import pytest
from django.http import Http404

from reports import selectors
from reports.periods import Period
from tests.factories import StationFactory
from tests.reports.conftest import PERIOD, plant_station_figures

pytestmark = pytest.mark.django_db


def _row(report, station):  # type: ignore[no-untyped-def]
    return next(row for row in report.rows if row.station_id == station.pk)


def test_it_counts_each_figure_of_a_station_for_the_period(planted) -> None:  # type: ignore[no-untyped-def]
    report = selectors.review_report(user=planted.user("district_head"), period=PERIOD)
    values = _row(report, planted.station).values
    assert values["received"] == 3
    assert values["disposed"] == 1
    assert values["pending"] == 2
    assert values["overdue"] == 1
    assert values["median_days"] == pytest.approx(5.0, abs=0.1)
    assert values["within_sla_pct"] == 100.0
    assert values["counselling_settlements"] == 1
    assert values["cases_registered"] == 1
    assert values["accused_arrested"] == 1
    assert values["detained_126"] == 1
    assert values["detained_total"] == 1
    assert values["drive_locations"] == 1
    assert values["people_reached"] == 120
    assert values["open_deficits"] == 1
    assert values["group_members"] == 1
    assert values["pending_vetting"] == 1
    assert values["delivered"] == 1
    assert values["read"] == 1


def test_a_calendar_month_compares_with_the_month_before(planted) -> None:  # type: ignore[no-untyped-def]
    report = selectors.review_report(user=planted.user("district_head"), period=PERIOD)
    assert report.previous_period == Period(
        start=PERIOD.start.replace(month=8, day=1), end=PERIOD.start.replace(month=8, day=31)
    )
    row = _row(report, planted.station)
    assert row.previous["received"] == 1
    assert row.previous["within_sla_pct"] == 0.0
    assert row.change("received") == 2
    assert row.change("group_members") is None  # a snapshot has no previous period


def test_a_district_head_sees_only_their_districts_stations(planted) -> None:  # type: ignore[no-untyped-def]
    report = selectors.review_report(user=planted.user("district_head"), period=PERIOD)
    ids = set(report.station_ids)
    assert planted.station.pk in ids and planted.sibling_station.pk in ids
    assert planted.other_station.pk not in ids
    assert report.totals.values["received"] == 3


def test_a_station_ic_sees_only_their_own_station(planted) -> None:  # type: ignore[no-untyped-def]
    report = selectors.review_report(user=planted.user("station_ic"), period=PERIOD)
    assert report.station_ids == [planted.station.pk]


def test_foreign_station_ids_are_ignored_not_added(planted) -> None:  # type: ignore[no-untyped-def]
    report = selectors.review_report(
        user=planted.user("district_head"),
        period=PERIOD,
        station_ids=[planted.station.pk, planted.other_station.pk],
    )
    assert report.station_ids == [planted.station.pk]
    assert report.totals.values["people_reached"] == 120


def test_a_foreign_district_is_404(planted) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        selectors.review_report(
            user=planted.user("district_head"), period=PERIOD, district=planted.other_district
        )


def test_state_hq_can_narrow_to_one_district(planted) -> None:  # type: ignore[no-untyped-def]
    report = selectors.review_report(
        user=planted.user("state_hq"), period=PERIOD, district=planted.sibling_district
    )
    assert report.station_ids == [planted.neighbour_station.pk]


def test_totals_recompute_shares_and_median_over_all_stations(planted) -> None:  # type: ignore[no-untyped-def]
    plant_station_figures(planted.sibling_station, planted.user("station_ic"), scale=2)
    report = selectors.review_report(user=planted.user("district_head"), period=PERIOD)
    totals = report.totals.values
    assert totals["received"] == 9
    assert totals["disposed"] == 3
    assert totals["within_sla_pct"] == 100.0
    assert totals["median_days"] == pytest.approx(5.0, abs=0.1)
    assert totals["counselling_settlements"] == 3


def _stations_with_data(world, count: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(count):
        station = StationFactory(district=world.district)
        plant_station_figures(station, world.user("station_ic"))


@pytest.mark.parametrize("stations", [5, 50])
def test_the_query_count_does_not_grow_with_the_number_of_stations(
    world, stations, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _stations_with_data(world, stations)
    user = world.user("district_head")
    with django_assert_max_num_queries(20):
        report = selectors.review_report(user=user, period=PERIOD)
    assert len(report.rows) == stations + 2
    assert report.totals.values["received"] == 3 * stations
