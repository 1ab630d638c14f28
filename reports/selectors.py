"""The commissioner's / SP's review report: one row per station, a totals row, and the change
against the previous period (the month before, or the same days before: reports/periods.py).

Scope comes from accounts.access: a district head sees their district's stations, state HQ
their state's (narrowed to one district when chosen), a station IC only their station. Station
ids passed in are intersected with that scope, never added to it.

Every section is ONE set-based query grouped by station (see complaints.report_selectors,
complaints.enforcement_selectors.enforcement_totals, outreach.selectors.drive_totals,
stations.selectors.station_resource_status, groups.report_selectors,
broadcasts.report_selectors), so the number of queries does not grow with the number of
stations. Period-bound sections run for the period and its previous period; snapshot
sections (open deficits, group members, pending vetting) run once.
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
from broadcasts.report_selectors import broadcast_reach
from complaints.enforcement_selectors import enforcement_totals
from complaints.report_selectors import complaint_figures, counselling_settlements
from groups.report_selectors import group_figures
from outreach.selectors import drive_totals
from reports.periods import Period
from stations import selectors as station_selectors
from stations.models import District, Station

Number = int | float | None

INT, DAYS, PERCENT = "int", "days", "percent"
# Which way a figure should move: a rise is good (UP), bad (DOWN), or neither (NEUTRAL).
UP, DOWN, NEUTRAL = "up", "down", "neutral"


@dataclass(frozen=True)
class Column:
    """One figure of the report: key, heading, how to show it, and whether it has a period."""

    key: str
    label: str | Promise
    kind: str = INT
    # A snapshot (as of now) has no previous period to compare with.
    snapshot: bool = False
    group: str | Promise = ""
    # Whether a rise is good news (UP: shown green), bad news (DOWN: red) or neither.
    better: str = NEUTRAL

    def verdict(self, change: Number) -> str:
        """'good', 'bad' or 'neutral' for a change of this figure (zero or unknown: neutral)."""
        if not change or self.better == NEUTRAL:
            return "neutral"
        return "good" if (change > 0) == (self.better == UP) else "bad"


COLUMNS: tuple[Column, ...] = (
    # More complaints received may mean more crime or more trust in reporting: neither.
    Column("received", _("Complaints received"), group=_("Complaints")),
    Column("disposed", _("Disposed"), group=_("Complaints"), better=UP),
    Column("pending", _("Pending"), group=_("Complaints"), better=DOWN),
    Column("overdue", _("Overdue"), group=_("Complaints"), better=DOWN),
    Column("median_days", _("Median days to dispose"), DAYS, group=_("Complaints"), better=DOWN),
    Column(
        "within_sla_pct", _("Disposed within SLA (%)"), PERCENT, group=_("Complaints"), better=UP
    ),
    Column(
        "counselling_settlements",
        _("Counselling settlements"),
        group=_("Mission Shakti"),
        better=UP,
    ),
    # Enforcement counts follow incidents as much as effort: neither good nor bad by itself.
    Column("cases_registered", _("Anti-Romeo cases registered"), group=_("Anti-Romeo")),
    Column("accused_arrested", _("Accused arrested"), group=_("Anti-Romeo")),
    Column("detained_126", _("Detained BNSS 126"), group=_("Anti-Romeo")),
    Column("detained_135", _("Detained BNSS 135"), group=_("Anti-Romeo")),
    Column("detained_170", _("Detained BNSS 170"), group=_("Anti-Romeo")),
    Column("detained_total", _("Detained (126/135/170)"), group=_("Anti-Romeo")),
    Column("drive_locations", _("Drive locations"), group=_("Awareness"), better=UP),
    Column("people_reached", _("People reached"), group=_("Awareness"), better=UP),
    Column(
        "open_deficits",
        _("Open resource deficits"),
        snapshot=True,
        group=_("Station"),
        better=DOWN,
    ),
    Column("group_members", _("Group members"), snapshot=True, group=_("Groups"), better=UP),
    Column("pending_vetting", _("Pending vetting"), snapshot=True, group=_("Groups"), better=DOWN),
    Column("delivered", _("Broadcasts delivered"), group=_("Broadcasts"), better=UP),
    Column("read", _("Broadcasts read"), group=_("Broadcasts"), better=UP),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
RETURN_LABELS: dict[str, str | Promise] = {
    "on_time": _("On time"),
    "late": _("Late"),
    "missing": _("Missing"),
    "not_due": _("Not due"),
}


@dataclass
class ReportRow:
    """One station's figures (or the totals), with the previous period's for comparison."""

    station_id: int | None
    code: str
    name: str
    name_local: str
    district: str
    values: dict[str, Number]
    previous: dict[str, Number] = field(default_factory=dict)
    returns: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.name_local})" if self.name_local else self.name

    def change(self, key: str) -> Number:
        """Current minus previous, or None when either is missing (or the column is a snapshot)."""
        now, before = self.values.get(key), self.previous.get(key)
        if now is None or before is None:
            return None
        return round(now - before, 1) if isinstance(now, float) else now - before

    def cells(self) -> list[dict[str, Any]]:
        """Each column's value, previous value, change and whether the change is good news
        ('good', 'bad' or 'neutral', by the column's `better`), in column order."""
        cells = []
        for column in COLUMNS:
            change = self.change(column.key)
            cells.append(
                {
                    "column": column,
                    "value": self.values.get(column.key),
                    "previous": self.previous.get(column.key),
                    "change": change,
                    "verdict": column.verdict(change),
                }
            )
        return cells

    @property
    def returns_label(self) -> str:
        return str(RETURN_LABELS.get(self.returns, ""))


@dataclass
class ReviewReport:
    """The whole report: scope, period, rows, totals and the previous period's totals."""

    period: Period
    previous_period: Period
    district: District | None
    columns: tuple[Column, ...]
    rows: list[ReportRow]
    totals: ReportRow

    @property
    def station_ids(self) -> list[int]:
        return [row.station_id for row in self.rows if row.station_id is not None]

    @property
    def scope_label(self) -> str:
        """What the report covers, for titles and exports."""
        if self.district is not None:
            return self.district.name
        districts = sorted({row.district for row in self.rows})
        if len(districts) == 1 and len(self.rows) > 1:
            return districts[0]
        if len(self.rows) == 1:
            return self.rows[0].label
        return (
            ", ".join(districts)
            if len(districts) <= 3
            else str(_("%(n)d districts") % {"n": len(districts)})
        )


def report_stations(
    *, user: AnyUser, station_ids: list[int] | None = None, district: District | None = None
) -> QuerySet[Station]:
    """The stations the report covers: the user's, narrowed by district and ids (never widened)."""
    stations = access.stations_for(user)
    if district is not None:
        stations = stations.filter(district=district)
    if station_ids:
        stations = stations.filter(pk__in=[int(pk) for pk in station_ids])
    return stations.select_related("district").order_by("district__name", "name", "pk")


PeriodFigures = tuple[dict[int, dict[str, Number]], Number]


def _period_sections(user: AnyUser, ids: list[int], period: Period) -> PeriodFigures:
    """Every period-bound figure per station (one query per section), and the overall median."""
    start, after = period.bounds()
    only = Station.objects.filter(pk__in=ids)
    values: dict[int, dict[str, Number]] = {pk: {} for pk in ids}
    complaints, overall_median = complaint_figures(
        station_ids=ids, start=start, after=after, last_day=period.end
    )
    settled = counselling_settlements(station_ids=ids, first_day=period.start, last_day=period.end)
    reach = broadcast_reach(station_ids=ids, start=start, after=after)
    for pk in ids:
        row = complaints.get(pk, {})
        disposed = int(row.get("disposed", 0))
        values[pk].update(
            received=int(row.get("received", 0)),
            disposed=disposed,
            pending=int(row.get("pending", 0)),
            overdue=int(row.get("overdue", 0)),
            within_sla=int(row.get("within_sla", 0)),
            median_days=_one_decimal(row.get("median_days")),
            within_sla_pct=_percent(int(row.get("within_sla", 0)), disposed),
            counselling_settlements=settled.get(pk, 0),
            delivered=reach.get(pk, {}).get("delivered", 0),
            read=reach.get(pk, {}).get("read", 0),
        )
    dates = {"date_from": period.start, "date_to": period.end}
    for station in enforcement_totals(user=user, stations=only, **dates):
        values[station.pk].update(
            {
                key: _annotated(station, key)
                for key in (
                    "cases_registered",
                    "accused_arrested",
                    "detained_126",
                    "detained_135",
                    "detained_170",
                    "detained_total",
                )
            }
        )
    for station in drive_totals(user=user, stations=only, **dates):
        values[station.pk].update(
            drive_locations=_annotated(station, "locations"),
            people_reached=_annotated(station, "people_reached"),
        )
    return values, _one_decimal(overall_median)


def _snapshot_sections(user: AnyUser, ids: list[int]) -> dict[int, dict[str, Number]]:
    """Figures as of now (no period): open deficits, group members, pending vetting."""
    values: dict[int, dict[str, Number]] = {pk: {} for pk in ids}
    only = Station.objects.filter(pk__in=ids)
    for station in station_selectors.station_resource_status(user=user, stations=only):
        values[station.pk]["open_deficits"] = _annotated(station, "open_items")
    for pk, figures in group_figures(station_ids=ids).items():
        values[pk].update(figures)
    return values


def _annotated(station: Station, name: str) -> int:
    """A count a section selector annotated on the station (unknown to the type checker)."""
    return int(getattr(station, name))


def _one_decimal(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def _totals(rows: list[dict[str, Number]], overall_median: Number) -> dict[str, Number]:
    """Sums of the counts; the SLA share and median recomputed over all stations together."""
    totals: dict[str, Number] = {}
    for key in (*COLUMN_KEYS, "within_sla"):
        if key in {"median_days", "within_sla_pct"}:
            continue
        present = [row[key] for row in rows if row.get(key) is not None]
        totals[key] = sum(present) if present else (0 if rows else None)  # type: ignore[arg-type]
    totals["median_days"] = overall_median
    totals["within_sla_pct"] = _percent(
        int(totals["within_sla"] or 0), int(totals["disposed"] or 0)
    )
    return totals


def review_report(
    *,
    user: AnyUser,
    period: Period,
    station_ids: list[int] | None = None,
    district: District | None = None,
) -> ReviewReport:
    """The review report for the user's stations (narrowed by district and station ids).

    Raises Http404 when the district lies outside the user's jurisdiction.
    """
    if district is not None and not access.districts_for(user).filter(pk=district.pk).exists():
        raise Http404("No such district.")
    stations = list(report_stations(user=user, station_ids=station_ids, district=district))
    ids = [station.pk for station in stations]
    previous_period = period.previous()
    current, overall_now = _period_sections(user, ids, period) if ids else ({}, None)
    before, overall_before = _period_sections(user, ids, previous_period) if ids else ({}, None)
    snapshot = _snapshot_sections(user, ids) if ids else {}
    returns = (
        station_selectors.return_status(
            station_ids=ids, period_start=period.start, period_end=period.end
        )
        if ids
        else {}
    )
    rows: list[ReportRow] = []
    for station in stations:
        values = {**current[station.pk], **snapshot[station.pk]}
        rows.append(
            ReportRow(
                station_id=station.pk,
                code=station.code,
                name=station.name,
                name_local=station.name_local,
                district=station.district.name,
                values=values,
                previous=dict(before[station.pk]),
                returns=returns.get(station.pk, ""),
            )
        )
    totals = ReportRow(
        station_id=None,
        code="",
        name=str(_("Total")),
        name_local="",
        district="",
        values=_totals([row.values for row in rows], overall_now),
        previous=_totals([row.previous for row in rows], overall_before) if rows else {},
        returns="",
    )
    for key in ("open_deficits", "group_members", "pending_vetting"):
        totals.previous.pop(key, None)
    return ReviewReport(
        period=period,
        previous_period=previous_period,
        district=district,
        columns=COLUMNS,
        rows=rows,
        totals=totals,
    )


def chart_data(report: ReviewReport) -> dict[str, Any]:
    """What the page's charts draw (passed through json_script; no identity, only counts)."""
    return {
        "labels": [row.name for row in report.rows],
        "received": [row.values.get("received") for row in report.rows],
        "disposed": [row.values.get("disposed") for row in report.rows],
        "pending": [row.values.get("pending") for row in report.rows],
        "people_reached": [row.values.get("people_reached") for row in report.rows],
        "detained": [row.values.get("detained_total") for row in report.rows],
        "accused_arrested": [row.values.get("accused_arrested") for row in report.rows],
        "legend": {
            "received": str(_("Received")),
            "disposed": str(_("Disposed")),
            "pending": str(_("Pending")),
            "people_reached": str(_("People reached")),
            "detained": str(_("Detained (126/135/170)")),
            "accused_arrested": str(_("Accused arrested")),
        },
    }


_KIND_OF = {c.key: c.kind for c in COLUMNS}


def _figure(key: str, value: Any) -> Any:
    """A count as a whole number (255, never 255.0); medians and percentages as they are."""
    if value is None or _KIND_OF.get(key) != INT:
        return value
    return int(value)


def report_as_dict(report: ReviewReport) -> dict[str, Any]:
    """Plain data for the API and the exports (same figures the page shows)."""

    def row_dict(row: ReportRow) -> dict[str, Any]:
        return {
            "station_id": row.station_id,
            "code": row.code,
            "name": row.name,
            "name_local": row.name_local,
            "district": row.district,
            "values": {key: _figure(key, row.values.get(key)) for key in COLUMN_KEYS},
            "previous": {key: _figure(key, row.previous.get(key)) for key in COLUMN_KEYS},
            "change": {key: _figure(key, row.change(key)) for key in COLUMN_KEYS},
            "returns": row.returns or None,
        }

    return {
        "period": {
            "kind": report.period.kind,
            "from": report.period.start,
            "to": report.period.end,
        },
        "previous_period": {"from": report.previous_period.start, "to": report.previous_period.end},
        "district": report.district.pk if report.district is not None else None,
        "scope": report.scope_label,
        "columns": [
            {
                "key": c.key,
                "label": str(c.label),
                "kind": c.kind,
                "snapshot": c.snapshot,
                "better": c.better,
            }
            for c in COLUMNS
        ],
        "rows": [row_dict(row) for row in report.rows],
        "totals": row_dict(report.totals),
    }
