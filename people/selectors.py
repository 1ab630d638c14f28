"""Reads of citizens, scoped through accounts.access."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.access import AnyUser
from people.models import Citizen


def citizens_for(user: AnyUser) -> QuerySet[Citizen]:
    """Citizens of the user's stations, plus district-level lists for district roles."""
    if access.is_system_admin(user):
        return Citizen.objects.all()
    return Citizen.objects.filter(
        Q(station__in=access.stations_for(user)) | Q(district__in=access.districts_for(user))
    )


def get_citizen_for_user(user: AnyUser, pk: int | str) -> Citizen:
    """One citizen inside the user's jurisdiction; Http404 otherwise."""
    try:
        return citizens_for(user).get(pk=int(pk))
    except (Citizen.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such citizen.") from exc
