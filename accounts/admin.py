from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import two_factor
from accounts.models import AuditEvent, Notification, Posting, User


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    autocomplete_fields = ["state", "district", "station"]
    fields = ["role", "state", "district", "station", "starts_on", "ends_on"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("rank", "phone", "preferred_language")}),
    )
    list_display = ["username", "first_name", "last_name", "rank", "is_active", "is_superuser"]
    inlines = [PostingInline]
    actions = ["reset_second_factor", "unlock_login"]

    @admin.action(description=_("Reset second factor (lost phone): enrol again at next login"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Audited per user by accounts.two_factor.reset_second_factor."""
        for user in queryset:
            two_factor.reset_second_factor(user=user, by=request.user, request=request)
        self.message_user(
            request,
            _("Second factor reset for %(count)d user(s).") % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unlock login (clear failed attempts from every address)"))
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Audited per user by accounts.two_factor.unlock_login."""
        for user in queryset:
            two_factor.unlock_login(user=user, by=request.user, request=request)
        self.message_user(
            request,
            _("Login unlocked for %(count)d user(s).") % {"count": queryset.count()},
            messages.SUCCESS,
        )


@admin.register(Posting)
class PostingAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "state", "district", "station", "starts_on", "ends_on"]
    list_filter = ["role"]
    search_fields = ["user__username", "station__name", "district__name"]
    autocomplete_fields = ["user", "state", "district", "station"]
    list_select_related = ["user", "state", "district", "station"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are append-only, even for administrators."""

    list_display = ["created_at", "actor", "action", "target_repr", "station", "ip_address"]
    list_filter = ["action"]
    search_fields = ["action", "target_repr", "actor__username"]
    list_select_related = ["actor", "station"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: what the portal told whom (read and e-mailed times included)."""

    list_display = ["created_at", "recipient", "kind", "level", "title", "read_at", "emailed_at"]
    list_filter = ["level", "kind"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
