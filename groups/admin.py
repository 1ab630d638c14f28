"""Admin pages for community groups. Decisions are made in the portal (audited services); the
admin lets system administrators inspect and correct records, and shows their history."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from groups.models import (
    CommunityGroup,
    ConductIncident,
    ExclusionEntry,
    ExclusionName,
    ExclusionPhone,
    ExclusionUserId,
    Membership,
    Nomination,
    Nominator,
)


class NoAddAdmin(SimpleHistoryAdmin):
    """Rows created only by the portal's services (they carry rules and audit rows)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CommunityGroup)
class CommunityGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "station", "district", "state", "capacity", "seats_taken"]
    list_filter = ["kind", "is_active", "accepts_applications"]
    search_fields = ["name", "station__name", "district__name"]
    autocomplete_fields = ["station", "district", "state"]
    filter_horizontal = ["admins"]
    readonly_fields = ["seats_taken", "public_token", "created_by", "created_at"]
    list_select_related = ["station", "district", "state"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Nominator)
class NominatorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "district", "station"]
    list_filter = ["kind"]
    search_fields = ["name", "phone", "organisation"]
    autocomplete_fields = ["district", "station"]
    list_select_related = ["district", "station"]


@admin.register(Nomination)
class NominationAdmin(NoAddAdmin):
    list_display = ["nominee_name", "group", "source", "status", "created_at", "decided_by"]
    list_filter = ["status", "source"]
    search_fields = ["nominee_name", "nominee_phone", "group__name"]
    raw_id_fields = [
        "group",
        "nominator",
        "recorded_by",
        "decided_by",
        "overridden_by",
        "citizen",
        "nominee_district",
    ]
    list_select_related = ["group", "decided_by"]
    readonly_fields = ["screening", "screened_at", "status"]


class ExclusionNameInline(admin.TabularInline):
    model = ExclusionName
    extra = 0
    readonly_fields = ["key"]


class ExclusionPhoneInline(admin.TabularInline):
    model = ExclusionPhone
    extra = 0


class ExclusionUserIdInline(admin.TabularInline):
    model = ExclusionUserId
    extra = 0


@admin.register(ExclusionEntry)
class ExclusionEntryAdmin(NoAddAdmin):
    list_display = ["id", "district", "category", "expires_on", "withdrawn_at", "added_by"]
    list_filter = ["category", "district"]
    search_fields = ["names__name", "phones__phone", "user_ids__whatsapp_user_id"]
    raw_id_fields = ["added_by", "withdrawn_by", "from_membership", "district"]
    inlines = [ExclusionNameInline, ExclusionPhoneInline, ExclusionUserIdInline]
    list_select_related = ["district", "added_by"]


@admin.register(ExclusionName)
class ExclusionNameAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "entry"]
    search_fields = ["name", "key"]
    raw_id_fields = ["entry"]
    readonly_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ExclusionPhone)
class ExclusionPhoneAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry"]
    search_fields = ["phone"]
    raw_id_fields = ["entry"]


@admin.register(ExclusionUserId)
class ExclusionUserIdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "entry"]
    search_fields = ["whatsapp_user_id"]
    raw_id_fields = ["entry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(NoAddAdmin):
    list_display = ["citizen", "group", "status", "joined_on", "removal_proposed_at"]
    list_filter = ["status"]
    search_fields = ["citizen__name", "citizen__phone", "group__name"]
    raw_id_fields = ["group", "citizen", "nomination", "ended_by", "invite_delivery"]
    list_select_related = ["citizen", "group"]
    readonly_fields = ["status"]


@admin.register(ConductIncident)
class ConductIncidentAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "strike_number", "occurred_on", "logged_by"]
    list_filter = ["kind"]
    raw_id_fields = ["membership", "logged_by"]
    list_select_related = ["membership__citizen", "membership__group", "logged_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
