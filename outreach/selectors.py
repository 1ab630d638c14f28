"""Reads of awareness drives, NGOs, campaigns and NGO activities, scoped by who is asking.

Two kinds of reader:
* NGO coordinators see their own NGO's records only: the NGOs of their active memberships
  (ngos_for), and only while they hold an active `ngo_coordinator` posting;
* police see records in their jurisdiction (accounts.access): NGO activities whose district
  they oversee or whose station they may see, NGOs working in their districts, drives at their
  stations. State HQ therefore sees every NGO working in its state.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404

from accounts import access
from accounts.access import AnyUser, Role
from outreach.models import (
    WOMEN_AND_GIRLS,
    AwarenessDrive,
    Campaign,
    CampaignMetric,
    CampaignTarget,
    DrivePhoto,
    Ngo,
    NgoActivity,
    NgoMembership,
)
from stations.models import District, State, Station
from stations.selectors import aggregate_subquery, count_subquery, scoped_stations


def _period(field: str, date_from: date | None, date_to: date | None) -> Q:
    """Inclusive date range on `field` (either end may be open)."""
    condition = Q()
    if date_from is not None:
        condition &= Q(**{f"{field}__gte": date_from})
    if date_to is not None:
        condition &= Q(**{f"{field}__lte": date_to})
    return condition


# --- Who is asking --------------------------------------------------------------------------


def ngos_for(user: AnyUser) -> QuerySet[Ngo]:
    """The NGOs whose records this user keeps: active memberships of an NGO coordinator."""
    if not access.has_role(user, Role.NGO_COORDINATOR) or user.pk is None:
        return Ngo.objects.none()
    member_of = NgoMembership.objects.filter(user_id=user.pk, is_active=True).values("ngo_id")
    return Ngo.objects.filter(pk__in=member_of, is_active=True)


def is_ngo_member(user: AnyUser, ngo: Ngo) -> bool:
    """Whether the user keeps this NGO's records."""
    return ngos_for(user).filter(pk=ngo.pk).exists()


def police_district_ids(user: AnyUser) -> QuerySet[District]:
    """Districts the user oversees as police, or where one of their stations lies."""
    stations = access.stations_for(user)
    return District.objects.filter(
        Q(pk__in=access.districts_for(user).values("pk")) | Q(stations__in=stations)
    ).distinct()


def ngo_districts(user: AnyUser) -> QuerySet[District]:
    """The districts the user's NGOs work in (what an NGO coordinator may log for)."""
    return (
        District.objects.filter(ngos__in=ngos_for(user)).select_related("state").distinct()
    ).order_by("name")


def ngo_stations(*, districts: QuerySet[District]) -> QuerySet[Station]:
    """Active police stations of the given districts (for an NGO entry's optional station)."""
    return (
        Station.objects.filter(district__in=districts, is_active=True)
        .select_related("district")
        .order_by("district__name", "name")
    )


# --- NGOs -------------------------------------------------------------------------------------


def ngos_visible_to(user: AnyUser) -> QuerySet[Ngo]:
    """NGOs the user may look at: their own, plus (police) those working in their districts."""
    if access.is_system_admin(user):
        return Ngo.objects.all()
    own = ngos_for(user).values("pk")
    working_here = Ngo.objects.filter(districts__in=police_district_ids(user)).values("pk")
    return Ngo.objects.filter(Q(pk__in=own) | Q(pk__in=working_here))


def ngo_list(*, user: AnyUser, search: str = "", district: District | None = None) -> QuerySet[Ngo]:
    """The NGO registry as the user may see it, with members and activities counted."""
    ngos = ngos_visible_to(user)
    if search.strip():
        ngos = ngos.filter(
            Q(name__icontains=search.strip())
            | Q(name_local__icontains=search.strip())
            | Q(registration_number__icontains=search.strip())
        )
    if district is not None:
        ngos = ngos.filter(districts=district)
    return (
        ngos.annotate(
            member_count=count_subquery(
                NgoMembership.objects.filter(ngo=OuterRef("pk"), is_active=True)
            ),
            activity_count=count_subquery(NgoActivity.objects.filter(ngo=OuterRef("pk"))),
        )
        .prefetch_related("districts")
        .order_by("name")
    )


def get_ngo_for_user(user: AnyUser, pk: int | str) -> Ngo:
    """One NGO the user may see; Http404 otherwise (an NGO coordinator sees only their own)."""
    try:
        return ngos_visible_to(user).prefetch_related("districts").get(pk=int(pk))
    except (Ngo.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such NGO.") from exc


def ngo_members(*, ngo: Ngo) -> QuerySet[NgoMembership]:
    """An NGO's active members (the caller already looked the NGO up)."""
    return ngo.memberships.filter(is_active=True).select_related("user").order_by("user__username")


# --- NGO activities ---------------------------------------------------------------------------


def ngo_activities_for(user: AnyUser) -> QuerySet[NgoActivity]:
    """Activities the user may see: their NGO's, or (police) those in their jurisdiction."""
    if access.is_system_admin(user):
        return NgoActivity.objects.all()
    return NgoActivity.objects.filter(
        Q(ngo__in=ngos_for(user))
        | Q(district__in=access.districts_for(user))
        | Q(station__in=access.stations_for(user))
    )


def ngo_activity_list(
    *,
    user: AnyUser,
    ngo: Ngo | None = None,
    district: District | None = None,
    kind: str = "",
    campaign: Campaign | None = None,
    verified: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[NgoActivity]:
    """The activity log as the user may see it, newest first, filtered as asked."""
    activities = ngo_activities_for(user).filter(_period("held_on", date_from, date_to))
    if ngo is not None:
        activities = activities.filter(ngo=ngo)
    if district is not None:
        activities = activities.filter(district=district)
    if kind:
        activities = activities.filter(kind=kind)
    if campaign is not None:
        activities = activities.filter(campaign=campaign)
    if verified is not None:
        activities = activities.filter(verified_at__isnull=not verified)
    return activities.select_related(
        "ngo", "district", "station", "campaign", "recorded_by", "verified_by"
    )


def get_ngo_activity_for_user(user: AnyUser, pk: int | str) -> NgoActivity:
    """One activity the user may see; Http404 otherwise (NGO B's entries for NGO A)."""
    try:
        return ngo_activity_list(user=user).get(pk=int(pk))
    except (NgoActivity.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such activity.") from exc


def may_verify(user: AnyUser, activity: NgoActivity) -> bool:
    """Police of the activity's district (or its station) may verify; never its own NGO."""
    if activity.ngo_id in set(ngos_for(user).values_list("pk", flat=True)):
        return False
    if access.is_system_admin(user):
        return True
    if access.districts_for(user).filter(pk=activity.district_id).exists():
        return True
    station = activity.station
    return station is not None and access.can_see_station(user, station)


def may_edit(user: AnyUser, activity: NgoActivity) -> bool:
    """The NGO's own coordinators may change an entry until the police verify it."""
    return not activity.is_verified and is_ngo_member(user, activity.ngo)


# --- Awareness drives -------------------------------------------------------------------------


def drives_for(user: AnyUser) -> QuerySet[AwarenessDrive]:
    """Drives at the user's stations, plus (NGO coordinators) drives their NGO organised."""
    return AwarenessDrive.objects.filter(
        Q(station__in=access.stations_for(user)) | Q(organiser_ngo__in=ngos_for(user))
    )


def drive_list(
    *,
    user: AnyUser,
    station: Station | None = None,
    audience: str = "",
    campaign: Campaign | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AwarenessDrive]:
    """Drives the user may see, newest first, with their topics."""
    drives = drives_for(user).filter(_period("held_on", date_from, date_to))
    if station is not None:
        drives = drives.filter(station=station)
    if audience:
        drives = drives.filter(audience=audience)
    if campaign is not None:
        drives = drives.filter(campaign=campaign)
    return drives.select_related(
        "station", "organiser_ngo", "campaign", "hotspot", "recorded_by"
    ).prefetch_related("topics")


def get_drive_for_user(user: AnyUser, pk: int | str) -> AwarenessDrive:
    """One drive the user may see, with topics and photos; Http404 otherwise."""
    try:
        return drive_list(user=user).prefetch_related("photos").get(pk=int(pk))
    except (AwarenessDrive.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such drive.") from exc


def get_drive_photo_for_user(user: AnyUser, drive_pk: int | str, pk: int | str) -> DrivePhoto:
    """One photo of a drive the user may see; Http404 otherwise."""
    try:
        return DrivePhoto.objects.get(
            drive__in=drives_for(user), drive_id=int(drive_pk), pk=int(pk)
        )
    except (DrivePhoto.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such photo.") from exc


def drive_totals(
    *,
    user: AnyUser,
    stations: QuerySet[Station] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Station]:
    """One row per station in the user's scope, in ONE query.

    Each Station carries: drives, locations (distinct places among the period's drives, see
    outreach.models), people_reached, women_girls_reached (audiences women and girl students).
    """
    drives = AwarenessDrive.objects.filter(
        _period("held_on", date_from, date_to), station=OuterRef("pk")
    )
    return (
        scoped_stations(user, stations)
        .select_related("district")
        .annotate(
            drives=count_subquery(drives),
            locations=aggregate_subquery(drives, Count("place_key", distinct=True)),
            people_reached=aggregate_subquery(drives, Sum("people_reached")),
            women_girls_reached=aggregate_subquery(
                drives.filter(audience__in=WOMEN_AND_GIRLS), Sum("people_reached")
            ),
        )
        .order_by("district__name", "name")
    )


# --- Campaigns --------------------------------------------------------------------------------


def campaigns_for(user: AnyUser, *, active_only: bool = True) -> QuerySet[Campaign]:
    """Campaigns of the states the user works in (national ones for everybody)."""
    campaigns = Campaign.objects.all()
    if active_only:
        campaigns = campaigns.filter(is_active=True)
    if not access.is_system_admin(user):
        police_states = State.objects.filter(
            Q(districts__stations__in=access.stations_for(user))
            | Q(districts__in=access.districts_for(user))
        )
        ngo_states = State.objects.filter(districts__ngos__in=ngos_for(user))
        campaigns = campaigns.filter(
            Q(state__isnull=True) | Q(state__in=police_states) | Q(state__in=ngo_states)
        )
    return campaigns.select_related("state").order_by("name")


def get_campaign_for_user(user: AnyUser, pk: int | str) -> Campaign:
    """One campaign the user may see (active or not); Http404 otherwise."""
    try:
        return campaigns_for(user, active_only=False).get(pk=int(pk))
    except (Campaign.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such campaign.") from exc


def _actual(*, verified_only: bool) -> Case:
    """The achieved value of the outer CampaignTarget row's metric, as one SQL expression."""
    activities = NgoActivity.objects.filter(
        campaign=OuterRef("campaign_id"), district=OuterRef("district_id")
    )
    if verified_only:
        activities = activities.filter(verified_at__isnull=False)
    drives = AwarenessDrive.objects.filter(
        campaign=OuterRef("campaign_id"), station__district=OuterRef("district_id")
    )
    reached = aggregate_subquery(activities, Sum("persons_reached")) + aggregate_subquery(
        drives, Sum("people_reached")
    )
    return Case(
        When(metric=CampaignMetric.ACTIVITIES, then=count_subquery(activities)),
        When(metric=CampaignMetric.PERSONS_REACHED, then=reached),
        When(
            metric=CampaignMetric.PERSONS_RESCUED,
            then=aggregate_subquery(activities, Sum("persons_rescued")),
        ),
        When(metric=CampaignMetric.DRIVES, then=count_subquery(drives)),
        default=Value(0),
        output_field=IntegerField(),
    )


def campaign_progress(
    *,
    user: AnyUser,
    campaign: Campaign | None = None,
    district: District | None = None,
) -> QuerySet[CampaignTarget]:
    """Targets of the districts the user oversees, each with what was achieved, in one query.

    Each CampaignTarget carries `actual` (everything logged under the campaign in the district:
    NGO activities and awareness drives) and `verified` (NGO activities verified by the police;
    drives are police records and always count).
    """
    targets = CampaignTarget.objects.filter(district__in=access.districts_for(user))
    if campaign is not None:
        targets = targets.filter(campaign=campaign)
    if district is not None:
        targets = targets.filter(district=district)
    return (
        targets.select_related("campaign", "district")
        .annotate(actual=_actual(verified_only=False), verified=_actual(verified_only=True))
        .order_by("campaign__name", "district__name", "metric")
    )


def progress_percent(target: Any) -> int:
    """A target row's achievement in whole percent (capped at 999 for display)."""
    value = int(getattr(target, "actual", 0))
    return min(999, (value * 100) // max(1, int(target.target_value)))


# Field names of drive_totals rows, in the order reports show them.
DRIVE_TOTAL_FIELDS = ("drives", "locations", "people_reached", "women_girls_reached")
