"""Template context shared by every page: the navigation a user's roles allow."""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access

# Apps contribute menu entries through `<app>/nav.py: items(user, kind) -> list[dict]`,
# in this order. An app without nav.py contributes nothing.
NAV_APPS = ["stations", "groups", "people", "broadcasts", "complaints", "outreach", "reports"]


@cache
def _nav_modules() -> list[ModuleType]:
    modules = []
    for app in NAV_APPS:
        try:
            modules.append(importlib.import_module(f"{app}.nav"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise
    return modules


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for the logged-in user, by role; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    kind = access.home_kind(user)
    items = [{"label": _("Dashboard"), "url": reverse("home"), "icon": "speedometer2"}]
    for module in _nav_modules():
        items.extend(module.items(user, kind))
    if user.is_staff:
        items.append({"label": _("Administration"), "url": reverse("admin:index"), "icon": "gear"})
    return {"nav_items": items, "home_kind": kind}
