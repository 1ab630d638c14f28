"""Menu entries of the groups app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser
from groups import rules


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    if kind not in {"state", "district", "station"}:
        return []
    entries: list[dict[str, object]] = [
        {"label": _("Community groups"), "url": reverse("groups:group_list"), "icon": "people"}
    ]
    if rules.register_district_ids(user) != set():
        entries.append(
            {
                "label": _("Exclusion register"),
                "url": reverse("groups:register_list"),
                "icon": "person-x",
            }
        )
    return entries
