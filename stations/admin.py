from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stations.models import (
    ActionItem,
    CctvCoverage,
    District,
    Hotspot,
    Patrol,
    ResourceAudit,
    ResourceCheck,
    State,
    Station,
    StationReturn,
)


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_local", "headquarters"]
    search_fields = ["code", "name", "name_local"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_local", "kind", "state", "whatsapp_phone_number_id"]
    list_filter = ["kind", "state"]
    search_fields = ["code", "name", "name_local", "whatsapp_phone_number_id"]
    list_select_related = ["state"]


@admin.register(Station)
class StationAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "name_local",
        "district",
        "is_women_station",
        "has_shakti_centre",
        "is_active",
    ]
    list_filter = ["district__state", "district", "is_women_station", "has_shakti_centre"]
    search_fields = ["code", "name", "name_local"]
    list_select_related = ["district"]


# --- Field work ------------------------------------------------------------------------------


@admin.register(Hotspot)
class HotspotAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "station", "is_active"]
    list_filter = ["kind", "is_active", "station__district"]
    search_fields = ["name", "address", "station__name", "station__code"]
    list_select_related = ["station"]
    autocomplete_fields = ["station"]


@admin.register(CctvCoverage)
class CctvCoverageAdmin(SimpleHistoryAdmin):
    list_display = ["hotspot", "status", "cameras", "checked_on"]
    list_filter = ["status"]
    search_fields = ["hotspot__name"]
    list_select_related = ["hotspot"]
    raw_id_fields = ["hotspot", "checked_by"]


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ["hotspot", "patrolled_at", "team", "trouble_seen"]
    list_filter = ["trouble_seen"]
    search_fields = ["hotspot__name", "team"]
    list_select_related = ["hotspot"]
    raw_id_fields = ["hotspot", "recorded_by"]
    date_hierarchy = "patrolled_at"


class ResourceCheckInline(admin.TabularInline):
    model = ResourceCheck
    extra = 0
    raw_id_fields = ["action_item"]


@admin.register(ResourceAudit)
class ResourceAuditAdmin(SimpleHistoryAdmin):
    list_display = ["station", "audited_on", "audited_by"]
    list_filter = ["station__district"]
    search_fields = ["station__name", "station__code"]
    list_select_related = ["station", "audited_by"]
    raw_id_fields = ["station", "audited_by"]
    date_hierarchy = "audited_on"
    inlines = [ResourceCheckInline]


@admin.register(ResourceCheck)
class ResourceCheckAdmin(admin.ModelAdmin):
    list_display = ["audit", "item", "status", "count"]
    list_filter = ["item", "status"]
    list_select_related = ["audit__station"]
    raw_id_fields = ["audit", "action_item"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ["station", "item", "status", "owner", "due_on", "closed_at"]
    list_filter = ["status", "item", "station__district"]
    search_fields = ["station__name", "description"]
    list_select_related = ["station", "owner"]
    raw_id_fields = ["station", "raised_in", "owner", "closed_by"]


@admin.register(StationReturn)
class StationReturnAdmin(admin.ModelAdmin):
    """Monthly returns are submitted by stations (stations.services.submit_return); here they
    are looked up, not typed in."""

    list_display = ["station", "month", "due_on", "submitted_at", "submitted_by"]
    list_filter = ["month", "station__district"]
    search_fields = ["station__code", "station__name"]
    list_select_related = ["station", "submitted_by"]
    date_hierarchy = "month"
    readonly_fields = ["station", "month", "due_on", "submitted_at", "submitted_by"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
