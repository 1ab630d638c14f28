"""Reads behind the landing pages: the station IC dashboard and the monthly return page.

Everything is scoped through accounts.access: the dashboard covers the stations where the user
holds a station posting (IC, officer, Mission Shakti in-charge), and each card reads its app
through that app's own selector, narrowed to those stations and to the columns the card shows.
Each card is a fixed number of queries (a short list carrying the full count as a window
aggregate), so the page costs the same whatever the number of complaints, groups or hotspots.
SOS, overdue and due-this-week complaints are read on every request; the slower-moving cards
come from reports.dashboard_cache until a write they show invalidates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Window
from django.utils import timezone

from accounts import access
from accounts.access import AnyUser
from accounts.models import STATION_ROLES
from broadcasts import selectors as broadcast_selectors
from broadcasts.models import Broadcast
from complaints import casework_selectors
from complaints.access import complaints_for
from complaints.enforcement_selectors import enforcement_totals
from complaints.models import OPEN_STATUSES
from complaints.report_selectors import complaint_figures, counselling_settlements
from groups import selectors as group_selectors
from outreach.selectors import drive_totals
from reports import dashboard_cache
from stations import selectors as station_selectors
from stations.models import Station, StationReturn

# How many rows each card lists before it links to the full page.
CARD_ROWS = 6
# Broadcast states worth showing a station: going out, gone out, or coming.
VISIBLE_BROADCAST_STATUSES = (
    Broadcast.Status.SCHEDULED,
    Broadcast.Status.RECURRING,
    Broadcast.Status.PREPARING,
    Broadcast.Status.SENDING,
    Broadcast.Status.COMPLETED,
)


def dashboard_stations(user: AnyUser) -> list[Station]:
    """Stations where the user holds a station posting (not a district's or state's view)."""
    ids = {p.station_id for p in access.active_postings(user) if p.role in STATION_ROLES}
    if not ids:
        return []
    return list(
        access.stations_for(user).filter(pk__in=ids).select_related("district").order_by("name")
    )


def is_station_user(user: AnyUser) -> bool:
    """Whether the user has any station posting (no query: postings are cached)."""
    return any(p.role in STATION_ROLES and p.station_id for p in access.active_postings(user))


@dataclass
class ReturnDue:
    """The latest month's return of one station, as the dashboard and return page show it."""

    station: Station
    month: date
    due_on: date
    status: str
    submitted: StationReturn | None
    may_submit: bool

    @property
    def is_open(self) -> bool:
        """Still to be sent (and the user could send it)."""
        return self.submitted is None and self.may_submit


def latest_returns(*, user: AnyUser, stations: list[Station], today: date) -> list[ReturnDue]:
    """Last month's return of each station: due date, status and the row if submitted.

    Two queries: the submitted rows, and stations.selectors.return_status for the statuses.
    """
    if not stations:
        return []
    month = station_selectors.previous_month(station_selectors.month_start(today))
    month_end = station_selectors.next_month(month) - timedelta(days=1)
    ids = [station.pk for station in stations]
    submitted = {
        row.station_id: row
        for row in StationReturn.objects.filter(station_id__in=ids, month=month).select_related(
            "submitted_by"
        )
    }
    statuses = station_selectors.return_status(
        station_ids=ids, period_start=month, period_end=month_end
    )
    may_submit = {
        p.station_id
        for p in access.active_postings(user)
        if p.role in station_selectors.RETURN_ROLES
    }
    return [
        ReturnDue(
            station=station,
            month=month,
            due_on=station_selectors.return_due_on(month),
            status=statuses[station.pk],
            submitted=submitted.get(station.pk),
            may_submit=station.pk in may_submit,
        )
        for station in stations
    ]


@dataclass
class StationDashboard:
    """Everything the IC dashboard shows, each list already cut to its card's length."""

    stations: list[Station]
    today: date
    week_end: date
    urgent: list[Any]
    due_this_week: list[Any]
    complaint_counts: dict[str, int]
    groups: list[Any]
    broadcasts: list[Any]
    deficits: list[Any]
    open_deficits: int
    unpatrolled: list[Any]
    unpatrolled_count: int
    patrol_days: int
    returns: list[ReturnDue] = field(default_factory=list)
    referrals_due: int = 0

    @property
    def station_ids(self) -> list[int]:
        return [station.pk for station in self.stations]


def station_dashboard(*, user: AnyUser, today: date | None = None) -> StationDashboard:
    """The IC dashboard of the user's stations, in a constant number of queries."""
    today = today or timezone.localdate()
    week_end = today + timedelta(days=6)
    stations = dashboard_stations(user)
    ids = [station.pk for station in stations]
    patrol_days = int(settings.HOTSPOT_PATROL_DUE_DAYS)
    if not ids:
        return StationDashboard(
            stations=[],
            today=today,
            week_end=week_end,
            urgent=[],
            due_this_week=[],
            complaint_counts={"sos": 0, "overdue": 0, "due_this_week": 0, "open": 0},
            groups=[],
            broadcasts=[],
            deficits=[],
            open_deficits=0,
            unpatrolled=[],
            unpatrolled_count=0,
            patrol_days=patrol_days,
        )
    # Each card reads through its app's access-rooted selector, narrowed to these stations and
    # to the columns the card shows: no select_related the card does not print, no prefetch,
    # and a window count instead of a second COUNT query where a list is cut. At 1M
    # complaints the page's cost is Python (query compilation, model rows), not PostgreSQL.
    complaints = complaints_for(user).filter(station_id__in=ids, status__in=OPEN_STATUSES)
    urgent_filter = Q(is_sos=True) | Q(due_on__lt=today)
    week_filter = Q(is_sos=False, due_on__gte=today, due_on__lte=week_end)
    counts = complaints.order_by().aggregate(
        sos=Count("pk", filter=Q(is_sos=True)),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_this_week=Count("pk", filter=week_filter),
        open=Count("pk"),
    )
    card_columns = ("id", "tracking_number", "is_sos", "category", "status", "due_on")
    # complaint_queue's order within each card: SOS, then overdue by due date; then by due date.
    urgent = (
        complaints.filter(urgent_filter).only(*card_columns).order_by("-is_sos", "due_on", "id")
    )
    due_this_week = (
        complaints.filter(week_filter)
        .select_related("assigned_to")
        .only(
            *card_columns,
            "assigned_to__username",
            "assigned_to__first_name",
            "assigned_to__last_name",
        )
        .order_by("due_on", "id")
    )
    cards = dashboard_cache.cached_cards(
        user=user,
        stations=stations,
        day=today,
        compute=lambda: _slow_cards(user=user, stations=stations, today=today),
    )
    return StationDashboard(
        stations=stations,
        today=today,
        week_end=week_end,
        urgent=list(urgent[: CARD_ROWS * 2]),
        due_this_week=list(due_this_week[:CARD_ROWS]),
        complaint_counts={key: int(value or 0) for key, value in counts.items()},
        patrol_days=patrol_days,
        **cards,
    )


def _slow_cards(*, user: AnyUser, stations: list[Station], today: date) -> dict[str, Any]:
    """The cards that change a few times a day (reports.dashboard_cache keeps them)."""
    ids = [station.pk for station in stations]
    only = Station.objects.filter(pk__in=ids)
    deficits = list(
        _with_total(
            station_selectors.action_item_list(user=user)
            .filter(station_id__in=ids)
            .select_related(None)
            .only("id", "item", "due_on")
        )[:CARD_ROWS]
    )
    unpatrolled = list(
        _with_total(
            station_selectors.hotspots_not_patrolled(user=user, stations=only)
            .select_related(None)
            .only("id", "name")
        )[:CARD_ROWS]
    )
    return {
        "groups": list(
            group_selectors.groups_for(user)
            .filter(station_id__in=ids, is_active=True)
            .annotate(
                pending_count=Count(
                    "nominations", filter=Q(nominations__status__in=group_selectors.PENDING)
                )
            )
            .only("id", "name", "capacity", "seats_taken")
            .order_by("-pending_count", "name")[:CARD_ROWS]
        ),
        "broadcasts": list(
            broadcast_selectors.broadcasts_for(user)
            .filter(status__in=VISIBLE_BROADCAST_STATUSES)
            .only("id", "title", "status", "scheduled_for")
            .order_by("-created_at")[:CARD_ROWS]
        ),
        "deficits": deficits,
        "open_deficits": _total_of(deficits),
        "unpatrolled": unpatrolled,
        "unpatrolled_count": _total_of(unpatrolled),
        "returns": latest_returns(user=user, stations=stations, today=today),
        # Victims referred for support whose follow-up date has come (the key carries the day).
        "referrals_due": casework_selectors.referrals_due(user=user, until=today)
        .filter(complaint__station_id__in=ids)
        .order_by()
        .count(),
    }


def _with_total(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Each row also carries the count of all rows (COUNT(*) OVER ()), computed before LIMIT."""
    return rows.annotate(card_total=Window(Count("id")))


def _total_of(rows: list[Any]) -> int:
    return int(rows[0].card_total) if rows else 0


# --- The figures a monthly return confirms --------------------------------------------------

RETURN_FIGURES = (
    "received",
    "disposed",
    "pending",
    "counselling_settlements",
    "cases_registered",
    "accused_arrested",
    "detained_total",
    "drives",
    "drive_locations",
    "people_reached",
)


def month_figures(*, user: AnyUser, station: Station, month: date) -> dict[str, int]:
    """What the portal holds for one station and month (the caller checked access).

    Read through the apps' report selectors: complaints, counselling settlements, anti-Romeo
    enforcement and awareness drives. A fixed handful of queries.
    """
    first = station_selectors.month_start(month)
    last = station_selectors.next_month(first) - timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    after = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    complaints, _median = complaint_figures(
        station_ids=[station.pk], start=start, after=after, last_day=last
    )
    row = complaints.get(station.pk, {})
    settled = counselling_settlements(station_ids=[station.pk], first_day=first, last_day=last)
    only = Station.objects.filter(pk=station.pk)
    enforcement = next(
        iter(enforcement_totals(user=user, stations=only, date_from=first, date_to=last)), None
    )
    drives = next(iter(drive_totals(user=user, stations=only, date_from=first, date_to=last)), None)
    return {
        "received": int(row.get("received", 0)),
        "disposed": int(row.get("disposed", 0)),
        "pending": int(row.get("pending", 0)),
        "counselling_settlements": int(settled.get(station.pk, 0)),
        "cases_registered": int(getattr(enforcement, "cases_registered", 0)),
        "accused_arrested": int(getattr(enforcement, "accused_arrested", 0)),
        "detained_total": int(getattr(enforcement, "detained_total", 0)),
        "drives": int(getattr(drives, "drives", 0)),
        "drive_locations": int(getattr(drives, "locations", 0)),
        "people_reached": int(getattr(drives, "people_reached", 0)),
    }


@dataclass
class ReturnMonth:
    """One month in a station's return history."""

    month: date
    due_on: date
    status: str
    submitted: StationReturn | None


def return_history(*, station: Station, today: date, months: int = 12) -> list[ReturnMonth]:
    """The station's last `months` ended months, newest first, with each return's status.

    One query; statuses follow the same rules as stations.selectors.return_status.
    """
    latest = station_selectors.previous_month(station_selectors.month_start(today))
    wanted = [latest]
    while len(wanted) < months:
        wanted.append(station_selectors.previous_month(wanted[-1]))
    rows = {
        row.month: row
        for row in StationReturn.objects.filter(station=station, month__in=wanted).select_related(
            "submitted_by"
        )
    }
    history: list[ReturnMonth] = []
    for month in wanted:
        row = rows.get(month)
        due_on = row.due_on if row is not None else station_selectors.return_due_on(month)
        if row is not None:
            status = "late" if row.is_late else "on_time"
        else:
            status = "missing" if today > due_on else "not_due"
        history.append(ReturnMonth(month=month, due_on=due_on, status=status, submitted=row))
    return history
