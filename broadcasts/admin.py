from django.contrib import admin
from django.http import HttpRequest

from broadcasts.models import (
    Broadcast,
    CampaignDay,
    Delivery,
    MessageTemplate,
    SandboxMessage,
    UnmatchedStatus,
    WebhookEvent,
    WhatsAppNumber,
)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "display_name",
        "language",
        "category",
        "status",
        "parameter_count",
        "synced_at",
    ]
    list_filter = ["status", "category", "language"]
    search_fields = ["name", "display_name", "body"]


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "status", "recipient_count", "scheduled_for", "created_by"]
    list_filter = ["status", "district"]
    search_fields = ["title"]
    raw_id_fields = ["template", "created_by", "approved_by", "series", "periodic_task"]
    filter_horizontal = ["audience_stations", "audience_tags"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Engine records change only through the engine."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "broadcast", "purpose", "status", "attempts", "error_code", "sent_at"]
    list_filter = ["status", "purpose"]
    raw_id_fields = ["broadcast", "citizen", "template", "station"]
    show_full_result_count = False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "received_at", "processed_at", "error"]


@admin.register(UnmatchedStatus)
class UnmatchedStatusAdmin(ReadOnlyAdmin):
    """Statuses that came before their send was recorded (kept a while, then forgotten)."""

    list_display = ["received_at", "wamid", "status", "error_code"]
    list_filter = ["status"]
    search_fields = ["wamid"]
    show_full_result_count = False


@admin.register(WhatsAppNumber)
class WhatsAppNumberAdmin(ReadOnlyAdmin):
    """What WhatsApp's webhooks said about each sender number: tier, limit, quality."""

    list_display = [
        "display_phone_number",
        "messaging_tier",
        "messaging_limit",
        "flagged",
        "last_event",
        "updated_at",
    ]
    list_filter = ["flagged"]


@admin.register(SandboxMessage)
class SandboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "template_name", "language"]
    search_fields = ["to", "body"]


@admin.register(CampaignDay)
class CampaignDayAdmin(admin.ModelAdmin):
    list_display = ["date", "district", "topic", "template"]
    list_filter = ["district", "topic"]
    raw_id_fields = ["template", "created_by"]
