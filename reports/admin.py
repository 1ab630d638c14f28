from django.contrib import admin

from reports.models import ReportExport


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """Read-only: exports are made by the review page and built by the worker."""

    list_display = ["id", "requested_by", "file_format", "status", "progress", "created_at"]
    list_filter = ["status", "file_format"]
    list_select_related = ["requested_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
