"""Menu entries of the reports app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    """The review report, for state HQ, district heads and station roles."""
    if kind not in {"state", "district", "station"}:
        return []
    return [
        {"label": _("Review report"), "url": reverse("reports:review"), "icon": "table"},
    ]
