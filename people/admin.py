from django.contrib import admin

from people.models import (
    Citizen,
    CitizenList,
    CitizenListMember,
    ErasedPhone,
    ImportJob,
    ImportRejectedRow,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_phone", "district", "station", "consent_source", "opted_out_at"]
    list_filter = ["consent_source", "opt_out_source", "preferred_language", "district"]
    search_fields = ["name", "phone", "locality"]
    autocomplete_fields = ["district", "station", "tags"]
    list_select_related = ["district", "station"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by uploads and moved by the worker, never edited by hand."""

    list_display = [
        "id", "original_name", "district", "status", "rows_read", "imported_created",
        "imported_updated", "rejected", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "district"]
    search_fields = ["original_name"]
    list_select_related = ["district", "uploaded_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ImportRejectedRow)
class ImportRejectedRowAdmin(admin.ModelAdmin):
    list_display = ["job", "row_number", "reason", "detail"]
    list_filter = ["reason"]
    list_select_related = ["job"]
    raw_id_fields = ["job"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ErasedPhone)
class ErasedPhoneAdmin(admin.ModelAdmin):
    list_display = ["digest", "erased_at"]
    readonly_fields = ["digest", "erased_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(CitizenList)
class CitizenListAdmin(admin.ModelAdmin):
    """Lists are made by imports; the admin may rename or delete one, not fill it by hand."""

    list_display = ["name", "district", "created_by", "created_at", "source_job"]
    list_filter = ["district"]
    list_select_related = ["district", "created_by", "source_job"]
    readonly_fields = ["district", "source_job", "created_by", "created_at"]
    search_fields = ["name"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(CitizenListMember)
class CitizenListMemberAdmin(admin.ModelAdmin):
    """Who is on which list: read-only (an import fills a list; erasure empties it)."""

    list_display = ["citizen_list", "citizen"]
    list_filter = ["citizen_list__district"]
    list_select_related = ["citizen_list", "citizen"]
    search_fields = ["citizen_list__name"]
    readonly_fields = ["citizen_list", "citizen"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
