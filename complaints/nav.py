"""Menu entries of the complaints app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    if kind not in {"state", "district", "station"}:
        return []
    return [
        {
            "label": _("Complaints"),
            "url": reverse("complaints:complaint_queue"),
            "icon": "inbox",
        },
        {
            "label": _("Anti-Romeo register"),
            "url": reverse("complaints:romeo_register"),
            "icon": "shield-exclamation",
        },
    ]
