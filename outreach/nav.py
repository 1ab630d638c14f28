"""Menu entries of the outreach app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    if kind == "ngo":
        return [
            {
                "label": _("Log an activity"),
                "url": reverse("outreach:activity_create"),
                "icon": "plus-circle",
            },
            {
                "label": _("Our activities"),
                "url": reverse("outreach:activity_list"),
                "icon": "journal-text",
            },
            {"label": _("Our NGO"), "url": reverse("outreach:ngo_list"), "icon": "people"},
        ]
    if kind not in {"state", "district", "station"}:
        return []
    entries: list[dict[str, object]] = [
        {
            "label": _("Awareness drives"),
            "url": reverse("outreach:drive_list"),
            "icon": "megaphone",
        },
        {
            "label": _("NGO activities"),
            "url": reverse("outreach:activity_list"),
            "icon": "journal-text",
        },
        {"label": _("NGOs"), "url": reverse("outreach:ngo_list"), "icon": "people"},
    ]
    if kind in {"state", "district"}:
        entries.append(
            {"label": _("Campaigns"), "url": reverse("outreach:campaign_list"), "icon": "flag"}
        )
    return entries
