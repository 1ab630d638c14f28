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
def _nav_modules_by_app() -> list[ModuleType | None]:
    """Each NAV_APPS app's nav module, None for an app without one."""
    modules: list[ModuleType | None] = []
    for app in NAV_APPS:
        try:
            modules.append(importlib.import_module(f"{app}.nav"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise
            modules.append(None)
    return modules


# The menu's groups on a wide screen (a dropdown each, labelled): which apps' entries go in which.
# Labels the portal already translates; a group with one entry is that entry, not a dropdown.
NAV_GROUPS: list[tuple[str, Any, str, tuple[str, ...]]] = [
    ("stations", _("Stations"), "building", ("stations",)),
    ("complaints", _("Complaints"), "clipboard-check", ("complaints",)),
    ("citizens", _("Citizens"), "people", ("people", "groups")),
    ("broadcasts", _("Broadcasts"), "megaphone", ("broadcasts",)),
    ("ngos", _("NGOs"), "flag", ("outreach",)),
    ("reports", _("Reports"), "table", ("reports", "admin")),
]
FLAT_UP_TO = 6  # a menu of this many entries or fewer needs no groups


def _groups(home: dict[str, Any], by_app: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The desktop menu: the dashboard, then one group per NAV_GROUPS row that has entries."""
    groups: list[dict[str, Any]] = [{"key": "home", "label": home["label"], "items": [home]}]
    for key, label, icon, apps in NAV_GROUPS:
        entries = [item for app in apps for item in by_app.get(app, [])]
        if entries:
            groups.append({"key": key, "label": label, "icon": icon, "items": entries})
    entries = [item for group in groups for item in group["items"]]
    if len(entries) <= FLAT_UP_TO:
        return [
            {"key": f"item{n}", "label": item["label"], "items": [item]}
            for n, item in enumerate(entries)
        ]
    return groups


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for the logged-in user, by role; nothing for anonymous visitors.

    nav_items is the flat list (the phone menu lists it); nav_groups the same entries grouped
    for a wide screen, each group marked active when one of its entries is the page shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_groups": []}
    kind = access.home_kind(user)
    home = {"label": _("Dashboard"), "url": reverse("home"), "icon": "speedometer2"}
    items = [home]
    by_app: dict[str, list[dict[str, Any]]] = {}
    for app, module in zip(NAV_APPS, _nav_modules_by_app(), strict=True):
        entries = module.items(user, kind) if module is not None else []
        by_app[app] = entries
        items.extend(entries)
    if user.is_staff:
        admin_entry = {"label": _("Administration"), "url": reverse("admin:index"), "icon": "gear"}
        by_app["admin"] = [admin_entry]
        items.append(admin_entry)
    for item in items:
        item["active"] = request.path == item["url"]
    groups = _groups(home, by_app)
    for group in groups:
        group["active"] = any(item["active"] for item in group["items"])
    return {"nav_items": items, "nav_groups": groups, "home_kind": kind}
