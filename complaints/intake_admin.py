"""Admin for complaint intake (imported from ComplaintsConfig.ready).

Identities are never listed or searched; the admin shows only tracking numbers.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import (
    Complaint,
    ComplaintEvent,
    CounsellingSession,
    IdentityAccessLog,
    TrackingCounter,
    VictimIdentity,
)


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ["tracking_number", "station", "category", "status", "is_sos", "due_on"]
    list_filter = ["status", "category", "channel", "is_sos", "escalation_level"]
    search_fields = ["tracking_number"]
    list_select_related = ["station"]
    raw_id_fields = ["station", "assigned_to", "created_by"]
    readonly_fields = ["tracking_number", "year", "sequence", "inbound_wamid"]


@admin.register(VictimIdentity)
class VictimIdentityAdmin(admin.ModelAdmin):
    """Listed and shown by complaint only: the identity itself is read in the portal, with a
    reason and an access-log row, never here."""

    list_display = ["complaint"]
    fields = ["complaint", "phone_hash"]
    readonly_fields = ["phone_hash"]
    search_fields = ["complaint__tracking_number"]
    raw_id_fields = ["complaint"]
    list_select_related = ["complaint"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(admin.ModelAdmin):
    list_display = ["complaint", "kind", "from_status", "to_status", "created_at"]
    list_select_related = ["complaint"]
    raw_id_fields = ["complaint", "actor"]


@admin.register(IdentityAccessLog)
class IdentityAccessLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "complaint", "ip_address"]
    list_select_related = ["user", "complaint"]
    raw_id_fields = ["user", "complaint"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(TrackingCounter)
class TrackingCounterAdmin(admin.ModelAdmin):
    list_display = ["station", "year", "last_sequence"]
    raw_id_fields = ["station"]


@admin.register(CounsellingSession)
class CounsellingSessionAdmin(SimpleHistoryAdmin):
    list_display = ["complaint", "held_on", "outcome", "follow_up_on"]
    list_filter = ["outcome"]
    list_select_related = ["complaint"]
    search_fields = ["complaint__tracking_number"]
    raw_id_fields = ["complaint", "recorded_by"]


from complaints import casework_admin  # noqa: E402, F401 - registers the casework admin
