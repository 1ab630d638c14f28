"""The State HQ view: one row per district of the state, and NGO campaigns against targets.

Only state roles (and system administrators) reach it: districts_for / states_for decide the
scope. Every figure is aggregated per station in the database by the apps' report selectors
(one grouped query per section) and then added up per district in Python, so the page costs
the same number of queries for 3 districts or 30.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import AnyUser
from complaints.enforcement_selectors import enforcement_totals
from complaints.report_selectors import complaint_figures
from outreach.selectors import campaign_progress, drive_totals, progress_percent
from reports.periods import Period
from stations import selectors as station_selectors
from stations.models import District, State, Station

# The figures of a district row, in the order the page shows them, with their headings.
STATE_COLUMNS: tuple[tuple[str, str | Promise], ...] = (
    ("stations", _("Stations")),
    ("received", _("Complaints received")),
    ("pending", _("Pending")),
    ("overdue", _("Overdue")),
    ("cases_registered", _("Anti-Romeo cases")),
    ("accused_arrested", _("Accused arrested")),
    ("detained_total", _("Detained")),
    ("drives", _("Awareness drives")),
    ("people_reached", _("People reached")),
    ("returns_on_time", _("Returns on time")),
)
STATE_FIGURES = tuple(key for key, _label in STATE_COLUMNS)


def states_overseen(user: AnyUser) -> QuerySet[State]:
    """States the user oversees as State HQ (every state for a system administrator)."""
    return access.states_for(user).order_by("name")


def pick_state(user: AnyUser, pk: int | str | None) -> State:
    """The state asked for (or the user's first); Http404 when the user oversees none or not it."""
    states = states_overseen(user)
    try:
        state = states.get(pk=int(pk)) if pk not in (None, "") else states.first()
    except (State.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such state.") from exc
    if state is None:
        raise Http404("No state in your jurisdiction.")
    return state


@dataclass
class DistrictRow:
    """One district's figures for the period (or the state's totals when district is None)."""

    district: District | None
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATE_FIGURES, 0))

    @property
    def cells(self) -> list[int]:
        """The values in column order (for templates)."""
        return [self.values[key] for key in STATE_FIGURES]


@dataclass
class StateOverview:
    state: State
    period: Period
    rows: list[DistrictRow]
    totals: DistrictRow
    campaigns: list[Any]


def _add(rows: dict[int, DistrictRow], district_id: int, key: str, value: Any) -> None:
    rows[district_id].values[key] += int(value or 0)


def state_overview(*, user: AnyUser, state: State, period: Period) -> StateOverview:
    """Districts of `state` as rows, with the state's NGO campaign progress (constant queries).

    The caller got `state` through pick_state, so the user oversees it; the stations read are
    still taken from access.stations_for so nothing outside the jurisdiction can slip in.
    """
    districts = list(access.districts_for(user).filter(state=state).order_by("name"))
    rows = {district.pk: DistrictRow(district=district) for district in districts}
    stations = list(
        access.stations_for(user)
        .filter(district__state=state, district_id__in=rows.keys())
        .values_list("pk", "district_id")
    )
    district_of = dict(stations)
    ids = list(district_of)
    for _station_id, district_id in stations:
        _add(rows, district_id, "stations", 1)
    if ids:
        start, after = period.bounds()
        figures, _median = complaint_figures(
            station_ids=ids, start=start, after=after, last_day=period.end
        )
        for station_id, row in figures.items():
            for key in ("received", "pending", "overdue"):
                _add(rows, district_of[station_id], key, row.get(key))
        only = Station.objects.filter(pk__in=ids)
        dates = {"date_from": period.start, "date_to": period.end}
        for station in enforcement_totals(user=user, stations=only, **dates):
            for key in ("cases_registered", "accused_arrested", "detained_total"):
                _add(rows, station.district_id, key, getattr(station, key))
        for station in drive_totals(user=user, stations=only, **dates):
            _add(rows, station.district_id, "drives", station.drives)
            _add(rows, station.district_id, "people_reached", station.people_reached)
        statuses = station_selectors.return_status(
            station_ids=ids, period_start=period.start, period_end=period.end
        )
        for station_id, status in statuses.items():
            _add(rows, district_of[station_id], "returns_on_time", status == "on_time")
    totals = DistrictRow(district=None)
    for row in rows.values():
        for key, value in row.values.items():
            totals.values[key] += value
    campaigns = list(campaign_progress(user=user).filter(district__state=state))
    for target in campaigns:
        target.percent = progress_percent(target)
    return StateOverview(
        state=state,
        period=period,
        rows=[rows[district.pk] for district in districts],
        totals=totals,
        campaigns=campaigns,
    )
