"""Menu entries of the complaints app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser
from complaints.access import routing_district_ids


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    if kind not in {"state", "district", "station"}:
        return []
    entries: list[dict[str, object]] = [
        {
            "label": _("Complaints"),
            "url": reverse("complaints:complaint_queue"),
            "icon": "inbox",
        },
        {
            "label": _("Referral follow-ups"),
            "url": reverse("complaints:referrals_due"),
            "icon": "telephone-outbound",
        },
        {
            "label": _("Anti-Romeo register"),
            "url": reverse("complaints:romeo_register"),
            "icon": "shield-exclamation",
        },
    ]
    if routing_district_ids(user):
        entries.append(
            {
                "label": _("Unassigned WhatsApp complaints"),
                "url": reverse("complaints:unrouted_queue"),
                "icon": "whatsapp",
            }
        )
    return entries
