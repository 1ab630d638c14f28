"""Who may see which complaint, and who may see a victim's identity.

Complaint visibility starts from accounts.access.stations_for (station roles: their station;
district and state roles: their area; NGOs and people without postings: nothing). Showing a
victim's identity is narrower: only the assigned officer, the station in-charge and the Mission
Shakti in-charge of the complaint's station, through active postings (not system admins).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts import access
from accounts.access import AnyUser
from accounts.models import STATION_ROLES, Role
from complaints.models import Complaint
from stations.models import Station

IDENTITY_ROLES = frozenset({Role.STATION_IC, Role.SHAKTI_INCHARGE})


def complaints_for(user: AnyUser) -> QuerySet[Complaint]:
    """Every complaint the user may see (root of all complaint selectors)."""
    return Complaint.objects.filter(station__in=access.stations_for(user))


def get_complaint_for_user(user: AnyUser, pk: int | str) -> Complaint:
    """The complaint if the user may see it; Http404 for missing and foreign ones alike."""
    try:
        return (
            complaints_for(user)
            .select_related("station__district", "assigned_to", "created_by")
            .get(pk=int(pk))
        )
    except (Complaint.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such complaint.") from exc


def can_work_on(user: AnyUser, complaint: Complaint) -> bool:
    """Station staff of the complaint's station may assign it and move its status."""
    return any(
        p.station_id == complaint.station_id and p.role in STATION_ROLES
        for p in access.active_postings(user)
    )


def stations_for_registering(user: AnyUser) -> QuerySet[Station]:
    """Stations where the user may register complaints (their station postings)."""
    return access.stations_where(user, STATION_ROLES)


def can_see_identity(user: AnyUser, complaint: Complaint) -> bool:
    """Assigned officer, station IC or Mission Shakti in-charge of that station; nobody else."""
    postings = [p for p in access.active_postings(user) if p.station_id == complaint.station_id]
    if not postings:
        return False
    if complaint.assigned_to_id is not None and complaint.assigned_to_id == user.pk:
        return True
    return any(p.role in IDENTITY_ROLES for p in postings)


ROUTING_ROLES = frozenset({Role.DISTRICT_HEAD, Role.SHAKTI_INCHARGE})


def routing_district_ids(user: AnyUser) -> frozenset[int]:
    """Districts whose unassigned WhatsApp queue the user works: a district head's district and
    the district of each station where the user is the Mission Shakti in-charge."""
    postings = access.active_postings(user)
    ids = {p.district_id for p in postings if p.role == Role.DISTRICT_HEAD and p.district_id}
    shakti_stations = {
        p.station_id for p in postings if p.role == Role.SHAKTI_INCHARGE and p.station_id
    }
    if shakti_stations:
        ids |= set(
            Station.objects.filter(pk__in=shakti_stations).values_list("district_id", flat=True)
        )
    return frozenset(ids)


def can_route_in(user: AnyUser, district_id: int) -> bool:
    """True when the user may route the district's unassigned messages to a station."""
    return district_id in routing_district_ids(user)
