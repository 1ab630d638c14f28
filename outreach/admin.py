from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outreach.models import (
    AwarenessDrive,
    Campaign,
    CampaignTarget,
    DrivePhoto,
    DriveTopic,
    Ngo,
    NgoActivity,
    NgoMembership,
)


class NgoMembershipInline(admin.TabularInline):
    model = NgoMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Ngo)
class NgoAdmin(SimpleHistoryAdmin):
    list_display = ["name", "registration_number", "contact_person", "is_active"]
    list_filter = ["is_active", "districts__state"]
    search_fields = ["name", "name_local", "registration_number"]
    filter_horizontal = ["districts"]
    inlines = [NgoMembershipInline]


@admin.register(NgoMembership)
class NgoMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "ngo", "is_active", "joined_on"]
    list_filter = ["is_active"]
    search_fields = ["user__username", "ngo__name"]
    list_select_related = ["user", "ngo"]
    raw_id_fields = ["user", "ngo"]


class CampaignTargetInline(admin.TabularInline):
    model = CampaignTarget
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    """State programmes are edited here by the women safety branch's administrators."""

    list_display = ["name", "code", "state", "starts_on", "ends_on", "is_active"]
    list_filter = ["is_active", "state"]
    search_fields = ["name", "name_local", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [CampaignTargetInline]


@admin.register(CampaignTarget)
class CampaignTargetAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "district", "metric", "target_value"]
    list_filter = ["campaign", "metric", "district"]
    list_select_related = ["campaign", "district"]


class DriveTopicInline(admin.TabularInline):
    model = DriveTopic
    extra = 0


class DrivePhotoInline(admin.TabularInline):
    model = DrivePhoto
    extra = 0
    fields = ["image", "uploaded_by", "uploaded_at"]
    readonly_fields = ["image", "uploaded_by", "uploaded_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # photos go through the checked upload, never the admin


@admin.register(AwarenessDrive)
class AwarenessDriveAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "station", "place", "audience", "people_reached", "campaign"]
    list_filter = ["audience", "campaign", "station__district"]
    search_fields = ["place", "station__name"]
    list_select_related = ["station", "campaign"]
    raw_id_fields = ["station", "hotspot", "organiser_ngo", "recorded_by"]
    date_hierarchy = "held_on"
    inlines = [DriveTopicInline, DrivePhotoInline]


@admin.register(DriveTopic)
class DriveTopicAdmin(admin.ModelAdmin):
    list_display = ["drive", "topic"]
    list_filter = ["topic"]
    raw_id_fields = ["drive"]


@admin.register(DrivePhoto)
class DrivePhotoAdmin(admin.ModelAdmin):
    list_display = ["drive", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["drive", "uploaded_by"]
    readonly_fields = ["image"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # photos go through the checked upload, never the admin


@admin.register(NgoActivity)
class NgoActivityAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "ngo", "kind", "district", "persons_reached", "verified_at"]
    list_filter = ["kind", "campaign", "district"]
    search_fields = ["ngo__name", "place", "description"]
    list_select_related = ["ngo", "district"]
    raw_id_fields = ["ngo", "district", "station", "recorded_by", "verified_by"]
    date_hierarchy = "held_on"
