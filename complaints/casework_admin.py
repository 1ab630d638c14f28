"""Admin for casework (imported from complaints.intake_admin): the SLA policy is edited here;
FIRs, arrests, referrals, closures and the district queue are listed by tracking number only.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import (
    Arrest,
    ComplaintClosure,
    FirRegistration,
    Referral,
    ReferralFollowUp,
    SlaPolicy,
    UnroutedMessage,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(SimpleHistoryAdmin):
    """Working days per category (and SOS hours); a category without a row follows
    settings.COMPLAINTS_SLA_WORKING_DAYS. Applies to complaints registered afterwards."""

    list_display = ["category", "working_days", "sos_hours", "updated_at"]
    ordering = ["category"]


@admin.register(FirRegistration)
class FirRegistrationAdmin(admin.ModelAdmin):
    list_display = ["complaint", "fir_number", "cctns_number", "station", "registered_on"]
    search_fields = ["complaint__tracking_number", "fir_number", "cctns_number"]
    raw_id_fields = ["complaint", "station", "recorded_by"]
    list_select_related = ["complaint", "station"]


@admin.register(Arrest)
class ArrestAdmin(admin.ModelAdmin):
    list_display = ["complaint", "accused_role", "arrested_on", "section"]
    search_fields = ["complaint__tracking_number"]
    raw_id_fields = ["complaint", "fir", "arrested_by", "recorded_by"]
    list_select_related = ["complaint"]


class ReferralFollowUpInline(admin.TabularInline):
    model = ReferralFollowUp
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    inlines = [ReferralFollowUpInline]
    list_display = ["complaint", "kind", "referred_on", "follow_up_on", "follow_up_outcome"]
    list_filter = ["kind", "follow_up_outcome"]
    search_fields = ["complaint__tracking_number"]
    raw_id_fields = ["complaint", "recorded_by"]
    list_select_related = ["complaint"]


@admin.register(ReferralFollowUp)
class ReferralFollowUpAdmin(admin.ModelAdmin):
    list_display = ["referral", "outcome", "followed_up_on", "next_follow_up_on"]
    list_filter = ["outcome"]
    search_fields = ["referral__complaint__tracking_number"]
    raw_id_fields = ["referral", "recorded_by"]
    list_select_related = ["referral"]


@admin.register(ComplaintClosure)
class ComplaintClosureAdmin(admin.ModelAdmin):
    list_display = ["complaint", "feedback", "created_at"]
    list_filter = ["feedback"]
    search_fields = ["complaint__tracking_number"]
    raw_id_fields = ["complaint", "closed_by"]
    list_select_related = ["complaint"]


@admin.register(UnroutedMessage)
class UnroutedMessageAdmin(admin.ModelAdmin):
    """The sender's number and name are not shown here."""

    list_display = ["id", "district", "is_sos", "received_at", "complaint"]
    list_filter = ["is_sos", "district"]
    fields = ["district", "is_sos", "received_at", "complaint", "routed_at"]
    readonly_fields = ["district", "is_sos", "received_at", "complaint", "routed_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False  # they arrive from WhatsApp only
