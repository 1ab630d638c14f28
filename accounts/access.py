"""The one access module: what may this user see and do.

Every selector and view starts here. The answer comes from the user's active postings
(role + unit). A user with no active posting sees nothing; a system administrator
(superuser) sees everything. Single-object look-ups raise Http404 both when the object does
not exist and when it is outside the user's jurisdiction, so nobody learns which it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import (
    DISTRICT_ROLES,
    NGO_ROLES,
    STATE_ROLES,
    STATION_ROLES,
    Posting,
    Role,
)
from stations.models import District, State, Station

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    AnyUser = User | AnonymousUser
else:
    AnyUser = object

_CACHE_ATTR = "_thana_active_postings"


@dataclass(frozen=True)
class Scope:
    """The units a user's postings reach, as id sets, resolved once per request."""

    is_admin: bool
    state_ids: frozenset[int]
    district_ids: frozenset[int]
    station_ids: frozenset[int]
    roles: frozenset[str]

    @property
    def is_empty(self) -> bool:
        return not (self.is_admin or self.state_ids or self.district_ids or self.station_ids)


def active_postings(user: AnyUser) -> list[Posting]:
    """The user's postings in force today (cached on the user object for the request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        today = timezone.localdate()
        cached = list(
            Posting.objects.filter(user=user)
            .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .select_related("state", "district", "station")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_postings(user: AnyUser) -> None:
    """Drop the per-request cache, after postings changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_system_admin(user: AnyUser) -> bool:
    """True for an active superuser: the portal's system administrators."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _unit_ids(postings: list[Posting], roles: frozenset[Role], column: str) -> frozenset[int]:
    """The unit ids (state_id, district_id or station_id) of postings in the given roles."""
    ids = (getattr(p, column) for p in postings if p.role in roles)
    return frozenset(unit_id for unit_id in ids if unit_id is not None)


def police_scope(user: AnyUser) -> Scope:
    """The units the user oversees as police (NGO postings grant no police data)."""
    postings = [p for p in active_postings(user) if p.role not in NGO_ROLES]
    return Scope(
        is_admin=is_system_admin(user),
        state_ids=_unit_ids(postings, STATE_ROLES, "state_id"),
        district_ids=_unit_ids(postings, DISTRICT_ROLES, "district_id"),
        station_ids=_unit_ids(postings, STATION_ROLES, "station_id"),
        roles=frozenset(p.role for p in active_postings(user)),
    )


def roles_of(user: AnyUser) -> frozenset[str]:
    """Every role the user holds through an active posting."""
    return frozenset(p.role for p in active_postings(user))


def has_role(user: AnyUser, *roles: str) -> bool:
    """True when the user holds any of the roles (system admins hold none implicitly)."""
    return bool(roles_of(user) & set(roles))


def stations_for(user: AnyUser) -> QuerySet[Station]:
    """Every police station the user may see: the root of every station-scoped selector."""
    scope = police_scope(user)
    if scope.is_admin:
        return Station.objects.all()
    if scope.is_empty:
        return Station.objects.none()
    return Station.objects.filter(
        Q(pk__in=scope.station_ids)
        | Q(district_id__in=scope.district_ids)
        | Q(district__state_id__in=scope.state_ids)
    )


def districts_for(user: AnyUser) -> QuerySet[District]:
    """Districts the user oversees as a whole (district and state roles, admins)."""
    scope = police_scope(user)
    if scope.is_admin:
        return District.objects.all()
    if not (scope.district_ids or scope.state_ids):
        return District.objects.none()
    return District.objects.filter(Q(pk__in=scope.district_ids) | Q(state_id__in=scope.state_ids))


def states_for(user: AnyUser) -> QuerySet[State]:
    """States the user oversees as a whole (state HQ roles, admins)."""
    scope = police_scope(user)
    if scope.is_admin:
        return State.objects.all()
    return State.objects.filter(pk__in=scope.state_ids)


def stations_where(user: AnyUser, roles: Iterable[str]) -> QuerySet[Station]:
    """Stations where the user holds one of `roles` directly (e.g. where they are the IC)."""
    if is_system_admin(user):
        return Station.objects.all()
    wanted = set(roles)
    ids = {p.station_id for p in active_postings(user) if p.role in wanted and p.station_id}
    return Station.objects.filter(pk__in=ids)


def can_see_station(user: AnyUser, station: Station) -> bool:
    """True when the station lies inside the user's jurisdiction (no query needed)."""
    scope = police_scope(user)
    return (
        scope.is_admin
        or station.pk in scope.station_ids
        or station.district_id in scope.district_ids
        or (station.district.state_id in scope.state_ids if scope.state_ids else False)
    )


def get_station_for_user(user: AnyUser, pk: int | str) -> Station:
    """The station with this pk if the user may see it; Http404 otherwise."""
    try:
        return stations_for(user).select_related("district__state").get(pk=int(pk))
    except (Station.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such station.") from exc


def get_district_for_user(user: AnyUser, pk: int | str) -> District:
    """The district with this pk if the user oversees it; Http404 otherwise."""
    try:
        return districts_for(user).select_related("state").get(pk=int(pk))
    except (District.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such district.") from exc


def home_kind(user: AnyUser) -> str:
    """Which landing page fits the user: 'state', 'district', 'station', 'ngo' or 'none'."""
    roles = roles_of(user)
    if is_system_admin(user) or roles & STATE_ROLES:
        return "state"
    if roles & DISTRICT_ROLES:
        return "district"
    if roles & STATION_ROLES:
        return "station"
    if roles & NGO_ROLES:
        return "ngo"
    return "none"


__all__ = [
    "AnyUser",
    "Role",
    "Scope",
    "active_postings",
    "can_see_station",
    "districts_for",
    "forget_postings",
    "get_district_for_user",
    "get_station_for_user",
    "has_role",
    "home_kind",
    "is_system_admin",
    "police_scope",
    "roles_of",
    "states_for",
    "stations_for",
    "stations_where",
]
