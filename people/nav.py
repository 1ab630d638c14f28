"""Menu entries of the people app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import AnyUser
from people.selectors import MANAGER_ROLES


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    if kind not in {"state", "district", "station"}:
        return []
    entries: list[dict[str, object]] = [
        {"label": _("Citizens"), "url": reverse("people:citizen_list"), "icon": "people"}
    ]
    if access.is_system_admin(user) or access.has_role(user, *MANAGER_ROLES):
        entries.append(
            {
                "label": _("Subscriber imports"),
                "url": reverse("people:import_list"),
                "icon": "upload",
            }
        )
    return entries
