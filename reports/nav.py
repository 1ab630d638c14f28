"""Menu entries of the reports app (collected by portal.context_processors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import AnyUser
from accounts.models import Role


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    """The review report for state HQ, district heads and station roles; the State HQ view;
    the audit log for those who oversee it (postings are cached per request: no query)."""
    if kind not in {"state", "district", "station"}:
        return []
    entries: list[dict[str, object]] = [
        {"label": _("Review report"), "url": reverse("reports:review"), "icon": "table"},
    ]
    if kind == "state":
        entries.append(
            {"label": _("State overview"), "url": reverse("dashboard:state"), "icon": "map"}
        )
    if access.is_system_admin(user) or access.has_role(user, Role.DISTRICT_HEAD, Role.STATE_HQ):
        entries.append(
            {"label": _("Audit log"), "url": reverse("audit:list"), "icon": "journal-check"}
        )
    return entries
