"""Reads of the jurisdiction tree, always scoped through accounts.access."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts import access
from accounts.access import AnyUser
from stations.models import District, Station


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
