"""Menu entries of the stations app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    if kind not in {"state", "district", "station"}:
        return []
    return [
        {
            "label": _("Police stations"),
            "url": reverse("stations:station_list"),
            "icon": "building",
        },
        {"label": _("Hotspots"), "url": reverse("stations:hotspot_list"), "icon": "geo-alt"},
        {
            "label": _("Resources"),
            "url": reverse("stations:resource_overview"),
            "icon": "clipboard-check",
        },
    ]
