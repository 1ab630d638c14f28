"""Reads of the jurisdiction tree, always scoped through accounts.access."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.access import AnyUser, Role
from stations.models import (
    ActionItem,
    CctvCoverage,
    District,
    Hotspot,
    Patrol,
    ResourceAudit,
    ResourceCheck,
    ResourceItem,
    Station,
    StationReturn,
)


def station_list(*, user: AnyUser, search: str = "") -> QuerySet[Station]:
    """Stations the user may see, optionally filtered by code or either name."""
    stations = access.stations_for(user).select_related("district__state")
    search = search.strip()
    if search:
        stations = stations.filter(
            Q(name__icontains=search) | Q(name_local__icontains=search) | Q(code__icontains=search)
        )
    return stations.order_by("district__name", "name")


def station_detail(*, user: AnyUser, pk: int | str) -> Station:
    """One station the user may see; Http404 otherwise."""
    return access.get_station_for_user(user, pk)


def district_list(*, user: AnyUser) -> QuerySet[District]:
    """Districts the user oversees, each annotated with its count of active stations."""
    return (
        access.districts_for(user)
        .select_related("state")
        .annotate(
            station_count=Count("stations", filter=Q(stations__is_active=True)),
            women_station_count=Count(
                "stations", filter=Q(stations__is_active=True, stations__is_women_station=True)
            ),
        )
        .order_by("state__name", "name")
    )


def district_detail(*, user: AnyUser, pk: int | str) -> District:
    """One district the user oversees; Http404 otherwise."""
    return access.get_district_for_user(user, pk)


def stations_of_district(*, user: AnyUser, district: District) -> QuerySet[Station]:
    """The district's stations, as far as the user may see them."""
    return station_list(user=user).filter(district=district)


# --- Field work: hotspots, patrols, CCTV, resource audits ------------------------------------

# Police roles that do field work (record hotspots, patrols, audits, anti-Romeo actions, drives).
# A cyber-cell posting sees its district's stations but keeps to its own desk.
FIELD_STATION_ROLES = frozenset({Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE})
FIELD_DISTRICT_ROLES = frozenset({Role.DISTRICT_HEAD})
FIELD_STATE_ROLES = frozenset({Role.STATE_HQ})


def fieldwork_stations_for(user: AnyUser) -> QuerySet[Station]:
    """Stations where the user may record field work (a subset of access.stations_for)."""
    if access.is_system_admin(user):
        return Station.objects.all()
    postings = access.active_postings(user)
    station_ids = {p.station_id for p in postings if p.role in FIELD_STATION_ROLES}
    district_ids = {p.district_id for p in postings if p.role in FIELD_DISTRICT_ROLES}
    state_ids = {p.state_id for p in postings if p.role in FIELD_STATE_ROLES}
    if not (station_ids or district_ids or state_ids):
        return Station.objects.none()
    return Station.objects.filter(
        Q(pk__in=station_ids)
        | Q(district_id__in=district_ids)
        | Q(district__state_id__in=state_ids)
    )


def may_record_at(user: AnyUser, station: Station) -> bool:
    """Whether the user may record field work at this station."""
    return fieldwork_stations_for(user).filter(pk=station.pk).exists()


def scoped_stations(user: AnyUser, stations: QuerySet[Station] | None = None) -> QuerySet[Station]:
    """The user's stations, narrowed to `stations` when given (never widened by it)."""
    visible = access.stations_for(user)
    if stations is not None:
        visible = visible.filter(pk__in=stations.values("pk"))
    return visible


def station_staff(*, station: Station) -> QuerySet[Any]:
    """Users who may own a station's action items: its officers and its district's heads."""
    today = timezone.localdate()
    in_force = (Q(postings__starts_on__isnull=True) | Q(postings__starts_on__lte=today)) & (
        Q(postings__ends_on__isnull=True) | Q(postings__ends_on__gte=today)
    )
    at_unit = Q(postings__station=station, postings__role__in=sorted(FIELD_STATION_ROLES)) | Q(
        postings__district_id=station.district_id,
        postings__role__in=sorted(FIELD_DISTRICT_ROLES),
    )
    return (
        get_user_model()
        .objects.filter(at_unit & in_force, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def hotspot_list(
    *,
    user: AnyUser,
    station: Station | None = None,
    kind: str = "",
    search: str = "",
    include_inactive: bool = False,
) -> QuerySet[Hotspot]:
    """Hotspots at the user's stations, each with its last patrol time and CCTV coverage."""
    hotspots = Hotspot.objects.filter(station__in=access.stations_for(user))
    if station is not None:
        hotspots = hotspots.filter(station=station)
    if kind:
        hotspots = hotspots.filter(kind=kind)
    if search.strip():
        hotspots = hotspots.filter(
            Q(name__icontains=search.strip()) | Q(address__icontains=search.strip())
        )
    if not include_inactive:
        hotspots = hotspots.filter(is_active=True)
    return (
        hotspots.select_related("station", "cctv")
        .annotate(last_patrolled_at=Max("patrols__patrolled_at"), patrol_count=Count("patrols"))
        .order_by("station__name", "name")
    )


def get_hotspot_for_user(user: AnyUser, pk: int | str) -> Hotspot:
    """One hotspot at a station the user may see; Http404 otherwise."""
    try:
        return (
            Hotspot.objects.filter(station__in=access.stations_for(user))
            .select_related("station__district", "cctv")
            .get(pk=int(pk))
        )
    except (Hotspot.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such hotspot.") from exc


def hotspots_not_patrolled(
    *,
    user: AnyUser,
    days: int | None = None,
    stations: QuerySet[Station] | None = None,
    now: datetime | None = None,
) -> QuerySet[Hotspot]:
    """Active hotspots with no patrol in the last `days` days (never patrolled ones first).

    `days` defaults to settings.HOTSPOT_PATROL_DUE_DAYS. Each row carries `last_patrolled_at`.
    """
    days = settings.HOTSPOT_PATROL_DUE_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        Hotspot.objects.filter(station__in=scoped_stations(user, stations), is_active=True)
        .select_related("station")
        .annotate(last_patrolled_at=Max("patrols__patrolled_at"))
        .filter(Q(last_patrolled_at__isnull=True) | Q(last_patrolled_at__lt=cutoff))
        .order_by(F("last_patrolled_at").asc(nulls_first=True), "station__name", "name")
    )


def patrols_of(*, hotspot: Hotspot) -> QuerySet[Patrol]:
    """A hotspot's patrol log, newest first (the caller already looked the hotspot up)."""
    return Patrol.objects.filter(hotspot=hotspot).select_related("recorded_by")


def patrol_list(*, user: AnyUser, stations: QuerySet[Station] | None = None) -> QuerySet[Patrol]:
    """Patrols at the user's stations' hotspots, newest first."""
    return Patrol.objects.filter(
        hotspot__station__in=scoped_stations(user, stations)
    ).select_related("hotspot__station", "recorded_by")


def cctv_summary(*, user: AnyUser, stations: QuerySet[Station] | None = None) -> QuerySet[Station]:
    """Per station: institutions, with CCTV installed / pending / unknown, and cameras working."""
    institution = Q(hotspots__is_active=True, hotspots__kind__in=Hotspot.INSTITUTION_KINDS)
    installed = institution & Q(hotspots__cctv__status=CctvCoverage.Status.INSTALLED)
    return (
        scoped_stations(user, stations)
        .annotate(
            institutions=Count("hotspots", filter=institution),
            cctv_installed=Count("hotspots", filter=installed),
            cctv_pending=Count(
                "hotspots",
                filter=institution & Q(hotspots__cctv__status=CctvCoverage.Status.PENDING),
            ),
            cameras_working=Coalesce(Sum("hotspots__cctv__cameras", filter=installed), 0),
        )
        .order_by("district__name", "name")
    )


# Resource audits ---------------------------------------------------------------------------


def audit_list(*, user: AnyUser, station: Station | None = None) -> QuerySet[ResourceAudit]:
    """Audits of the user's stations, newest first, each with its number of deficits."""
    audits = ResourceAudit.objects.filter(station__in=access.stations_for(user))
    if station is not None:
        audits = audits.filter(station=station)
    return audits.select_related("station", "audited_by").annotate(
        deficits=Count("checks", filter=Q(checks__status=ResourceCheck.Status.DEFICIT))
    )


def get_audit_for_user(user: AnyUser, pk: int | str) -> ResourceAudit:
    """One audit of a station the user may see; Http404 otherwise."""
    try:
        return (
            ResourceAudit.objects.filter(station__in=access.stations_for(user))
            .select_related("station__district", "audited_by")
            .get(pk=int(pk))
        )
    except (ResourceAudit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such audit.") from exc


def checks_of(*, audit: ResourceAudit) -> QuerySet[ResourceCheck]:
    """An audit's checklist lines in checklist order, with their action items."""
    order = Case(
        *[When(item=item, then=Value(i)) for i, item in enumerate(ResourceItem.values)],
        output_field=IntegerField(),
    )
    return (
        ResourceCheck.objects.filter(audit=audit)
        .select_related("action_item__owner")
        .order_by(order)
    )


def _latest_audit_pk() -> Subquery:
    """The pk of the newest audit of the outer query's station (ties: the later row)."""
    return Subquery(
        ResourceAudit.objects.filter(station=OuterRef("station"))
        .order_by("-audited_on", "-pk")
        .values("pk")[:1]
    )


def latest_audits(
    *, user: AnyUser, stations: QuerySet[Station] | None = None
) -> QuerySet[ResourceAudit]:
    """The latest audit of each of the user's stations (what reports use), one query.

    Each row carries `deficits` (its deficit lines) and the station; stations never audited
    have no row (see station_resource_status for one row per station).
    """
    return (
        ResourceAudit.objects.filter(station__in=scoped_stations(user, stations))
        .filter(pk=_latest_audit_pk())
        .select_related("station", "audited_by")
        .annotate(deficits=Count("checks", filter=Q(checks__status=ResourceCheck.Status.DEFICIT)))
        .order_by("station__name")
    )


def aggregate_subquery(queryset: QuerySet[Any], aggregate: Aggregate) -> Coalesce:
    """A correlated subquery computing `aggregate` over all of `queryset`, 0 when empty.

    `queryset` is already filtered by OuterRef (e.g. station=OuterRef("pk")), so annotating a
    Station queryset with several of these gives one row per station in one SQL statement,
    without the row multiplication that joining several child tables would cause.
    """
    whole = queryset.order_by().annotate(_whole=Value(1)).values("_whole")
    return Coalesce(Subquery(whole.annotate(result=aggregate).values("result")[:1]), 0)


def count_subquery(queryset: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT(*) of `queryset`, 0 when empty (see aggregate_subquery)."""
    return aggregate_subquery(queryset, Count("pk"))


def station_resource_status(
    *, user: AnyUser, stations: QuerySet[Station] | None = None, today: date | None = None
) -> QuerySet[Station]:
    """One row per station: latest audit date and deficits, open and overdue action items.

    Annotations: latest_audit_id, latest_audit_on, latest_deficits, open_items, overdue_items.
    """
    today = today or timezone.localdate()
    latest = ResourceAudit.objects.filter(station=OuterRef("pk")).order_by("-audited_on", "-pk")
    open_items = ActionItem.objects.filter(station=OuterRef("pk"), status=ActionItem.Status.OPEN)
    return (
        scoped_stations(user, stations)
        .select_related("district")
        .annotate(
            latest_audit_id=Subquery(latest.values("pk")[:1]),
            latest_audit_on=Subquery(latest.values("audited_on")[:1]),
            latest_deficits=count_subquery(
                ResourceCheck.objects.filter(
                    audit_id=OuterRef("latest_audit_id"), status=ResourceCheck.Status.DEFICIT
                )
            ),
            open_items=count_subquery(open_items),
            overdue_items=count_subquery(open_items.filter(due_on__lt=today)),
        )
        .order_by("district__name", "name")
    )


def open_deficits_count(*, user: AnyUser, stations: QuerySet[Station] | None = None) -> int:
    """How many audit deficits (action items) are still open at the user's stations."""
    return ActionItem.objects.filter(
        station__in=scoped_stations(user, stations), status=ActionItem.Status.OPEN
    ).count()


def action_item_list(
    *,
    user: AnyUser,
    status: str = ActionItem.Status.OPEN,
    station: Station | None = None,
    owner_only: bool = False,
) -> QuerySet[ActionItem]:
    """Action items at the user's stations (open ones by default), soonest due first."""
    items = ActionItem.objects.filter(station__in=access.stations_for(user))
    if status:
        items = items.filter(status=status)
    if station is not None:
        items = items.filter(station=station)
    if owner_only:
        items = items.filter(owner=user.pk)
    return items.select_related("station", "owner", "closed_by", "raised_in")


def get_action_item_for_user(user: AnyUser, pk: int | str) -> ActionItem:
    """One action item at a station the user may see; Http404 otherwise."""
    try:
        return (
            ActionItem.objects.filter(station__in=access.stations_for(user))
            .select_related("station__district", "owner", "closed_by", "raised_in")
            .get(pk=int(pk))
        )
    except (ActionItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such action item.") from exc


# --- Monthly returns ------------------------------------------------------------------------------

# How bad a return status is, for picking the worst over several months.
RETURN_STATUS_RANK = {"not_due": 0, "on_time": 1, "late": 2, "missing": 3}


def month_start(day: date) -> date:
    """The first day of the month `day` falls in."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after `month`."""
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def previous_month(month: date) -> date:
    """The first day of the month before `month`."""
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def return_due_on(month: date) -> date:
    """When a month's return falls due: day STATION_RETURN_DUE_DAY (default 5) of the next month.

    The day is clamped to 1..28 so every month has it.
    """
    due_day = int(getattr(settings, "STATION_RETURN_DUE_DAY", 5))
    return next_month(month_start(month)).replace(day=min(max(due_day, 1), 28))


def months_ending_in(period_start: date, period_end: date) -> list[date]:
    """First days of the months whose last day lies inside [period_start, period_end]."""
    months: list[date] = []
    month = month_start(period_start)
    while month <= period_end:
        last_day = next_month(month) - timedelta(days=1)
        if period_start <= last_day <= period_end:
            months.append(month)
        month = next_month(month)
    return months


def _one_return_status(row: tuple[date, datetime] | None, due_on: date, today: date) -> str:
    """on_time / late / missing / not_due for one station and month (row: due_on, submitted_at)."""
    if row is not None:
        frozen_due, submitted_at = row
        return "late" if timezone.localtime(submitted_at).date() > frozen_due else "on_time"
    return "missing" if today > due_on else "not_due"


def return_status(
    *, station_ids: list[int], period_start: date, period_end: date
) -> dict[int, str]:
    """Station id -> "on_time" | "late" | "missing" | "not_due" for the months ending in the period.

    Over several months the worst status wins (missing > late > on_time > not_due), so a
    station is "not_due" only when no month of the period has reached its due date unsubmitted
    and nothing was submitted. A month whose due date has not passed counts as "not_due" unless
    it was already submitted (then "on_time"). A period in which no month ends gives "not_due"
    for every station. One query (none when there is no station or no month).
    """
    ids = [int(pk) for pk in station_ids]
    months = months_ending_in(period_start, period_end)
    if not ids:
        return {}
    if not months:
        return dict.fromkeys(ids, "not_due")
    submitted = {
        (station_id, month): (due_on, submitted_at)
        for station_id, month, due_on, submitted_at in StationReturn.objects.filter(
            station_id__in=ids, month__in=months
        ).values_list("station_id", "month", "due_on", "submitted_at")
    }
    today = timezone.localdate()
    dues = {month: return_due_on(month) for month in months}
    result: dict[int, str] = {}
    for station_id in ids:
        statuses = [
            _one_return_status(submitted.get((station_id, month)), dues[month], today)
            for month in months
        ]
        result[station_id] = max(statuses, key=RETURN_STATUS_RANK.__getitem__)
    return result


# Roles that sign and submit a station's monthly return.
RETURN_ROLES = frozenset({Role.STATION_IC, Role.SHAKTI_INCHARGE})


def return_stations_for(user: AnyUser) -> QuerySet[Station]:
    """Stations whose monthly return this user may submit (IC or Shakti in-charge postings only)."""
    ids = {
        p.station_id
        for p in access.active_postings(user)
        if p.role in RETURN_ROLES and p.station_id is not None
    }
    return Station.objects.filter(pk__in=ids, is_active=True).select_related("district")


def returns_of(*, user: AnyUser, station: Station, limit: int = 12) -> list[StationReturn]:
    """A station's latest returns, newest first, if the user may see the station."""
    if not access.can_see_station(user, station):
        return []
    return list(
        StationReturn.objects.filter(station=station).select_related("submitted_by")[:limit]
    )


def return_for_month(*, station: Station, month: date) -> StationReturn | None:
    """The station's return for `month` if submitted (caller checked access)."""
    return (
        StationReturn.objects.filter(station=station, month=month_start(month))
        .select_related("submitted_by")
        .first()
    )
