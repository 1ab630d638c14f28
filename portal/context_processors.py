"""Template context shared by every page: the navigation a user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for the logged-in user, by role; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    kind = access.home_kind(user)
    items = [{"label": _("Dashboard"), "url": reverse("home"), "icon": "speedometer2"}]
    if kind in {"state", "district", "station"}:
        items.append(
            {
                "label": _("Police stations"),
                "url": reverse("stations:station_list"),
                "icon": "building",
            }
        )
    if user.is_staff:
        items.append({"label": _("Administration"), "url": reverse("admin:index"), "icon": "gear"})
    return {"nav_items": items, "home_kind": kind}
