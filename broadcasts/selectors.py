"""Reads of broadcasts, templates and the sandbox phone, scoped through accounts.access."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.access import AnyUser
from accounts.models import User
from broadcasts import lifecycle
from broadcasts.models import (
    Broadcast,
    CampaignDay,
    MessageTemplate,
    SandboxMessage,
    WhatsAppNumber,
)
from people.models import Citizen
from stations.models import District


def broadcasts_for(user: AnyUser) -> QuerySet[Broadcast]:
    """Broadcasts of districts the user oversees, and those reaching the user's stations."""
    if access.is_system_admin(user):
        return Broadcast.objects.all()
    stations = access.stations_for(user)
    reaching_station = Q(district__stations__in=stations) & (
        Q(audience_stations__isnull=True) | Q(audience_stations__in=stations)
    )
    ids = Broadcast.objects.filter(
        Q(district__in=access.districts_for(user)) | reaching_station
    ).values("id")
    return Broadcast.objects.filter(id__in=ids)


def broadcast_list(*, user: AnyUser) -> QuerySet[Broadcast]:
    return (
        broadcasts_for(user)
        .select_related("district", "template", "created_by", "approved_by")
        .order_by("-created_at")
    )


def get_broadcast_for_user(user: AnyUser, pk: int | str) -> Broadcast:
    """One broadcast the user may see; Http404 otherwise (missing or foreign alike)."""
    try:
        return broadcast_list(user=user).get(pk=int(pk))
    except (Broadcast.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such broadcast.") from exc


def approved_templates() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(status=MessageTemplate.Status.APPROVED).order_by(
        "name", "language"
    )


def all_templates() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.order_by("name", "language")


SANDBOX_PAGE_SIZE = 50  # messages per page of the sandbox phone


def sandbox_districts(user: AnyUser) -> QuerySet[District]:
    """Districts whose sandbox messages the user may read: where they broadcast (cyber cell,
    district head) and those they oversee (district and state roles); admins: all."""
    if access.is_system_admin(user):
        return District.objects.all()
    if not isinstance(user, User):  # anonymous: nothing
        return District.objects.none()
    return District.objects.filter(
        Q(pk__in=lifecycle.districts_user_may_broadcast_to(user))
        | Q(pk__in=access.districts_for(user))
    )


def sandbox_messages(*, user: AnyUser, to: str = "") -> QuerySet[SandboxMessage]:
    """What the sandbox provider 'sent' to citizens of the user's districts, newest first.

    A message names no district, only whom it went to (a phone, or a WhatsApp user id): it is
    the user's when that is a citizen of one of sandbox_districts(user). Admins see every
    message, also to phones of no citizen."""
    messages = SandboxMessage.objects.order_by("-created_at", "-pk")
    if not access.is_system_admin(user):
        citizens = Citizen.objects.filter(district__in=sandbox_districts(user))
        phones = citizens.filter(phone__isnull=False).values("phone")
        user_ids = citizens.filter(whatsapp_user_id__isnull=False).values("whatsapp_user_id")
        messages = messages.filter(Q(to__in=phones) | Q(to__in=user_ids))
    return messages.filter(to=to) if to else messages


def calendar_days(*, user: AnyUser) -> QuerySet[CampaignDay]:
    """Calendar entries of the user's districts from today on."""
    from django.utils import timezone

    return (
        CampaignDay.objects.filter(
            district__in=access.districts_for(user), date__gte=timezone.localdate()
        )
        .select_related("district", "template")
        .order_by("date", "district__name")
    )


def whatsapp_numbers() -> list[WhatsAppNumber]:
    """What WhatsApp last said of the portal's numbers (tier, quality), newest first."""
    return list(WhatsAppNumber.objects.order_by("-updated_at")[:10])
