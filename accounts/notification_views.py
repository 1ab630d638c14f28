"""The notifications page, and the bell and dashboard panel (HTMX fragments)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import notifications

PAGE_SIZE = 25
PANEL_SIZE = 5


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/notifications.html", {"page": page})


@never_cache
@login_required
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell with the number of unread notifications (polled by the menu)."""
    count = notifications.unread_for(request.user).count()
    return render(request, "accounts/_notification_badge.html", {"unread": count})


@never_cache
@login_required
@require_GET
def notification_panel(request: HttpRequest) -> HttpResponse:
    """The newest unread notifications, for the dashboard."""
    unread = list(notifications.unread_for(request.user)[: PANEL_SIZE + 1])
    return render(
        request,
        "accounts/_notification_panel.html",
        {"unread": unread[:PANEL_SIZE], "more": len(unread) > PANEL_SIZE},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go where it points (a local link only)."""
    notification = notifications.get_notification_for_user(request.user, pk)
    notifications.mark_read(user=request.user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(user=request.user)
    return redirect("notifications:list")
