"""Reads of broadcasts, templates and the sandbox phone, scoped through accounts.access."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.access import AnyUser
from broadcasts.models import (
    Broadcast,
    CampaignDay,
    MessageTemplate,
    SandboxMessage,
    WhatsAppNumber,
)


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


def sandbox_messages(*, to: str = "") -> QuerySet[SandboxMessage]:
    messages = SandboxMessage.objects.order_by("-created_at")
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
