"""What an officer typed is never lost to a second-factor step-up.

When SecondFactorMiddleware refuses a form's POST because the second factor is not verified
yet (an NGO coordinator may read without it, not write), the form's fields are kept in the
session. Once the code is verified, the resume page sends them again to where they were going,
with a fresh CSRF token, so the save the officer asked for happens; validation errors then show
on the form with everything typed still in it. Only fields are kept: a chosen file cannot be,
and the resume page says so. A draft is used once, for the page it came from, within
DRAFT_SECONDS.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest

DRAFT_KEY = "_step_up_draft"
DRAFT_SECONDS = 30 * 60
MAX_DRAFT_BYTES = 200_000
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})


@dataclass(frozen=True)
class Draft:
    action: str  # the path the form posted to
    page: str  # the page the officer was on (the same, or the page of an HTMX form)
    fields: list[tuple[str, str]]
    had_files: bool


def keep(request: HttpRequest, page: str) -> None:
    """Remember the refused POST's fields (not its files) for after the second factor."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_KEPT
        for value in values
    ]
    if not fields and not request.FILES:
        return
    draft = {
        "action": request.path,
        "page": urlsplit(page).path,
        "fields": fields,
        "had_files": bool(request.FILES),
        "at": int(time.time()),
    }
    if len(json.dumps(draft)) > MAX_DRAFT_BYTES:
        return
    request.session[DRAFT_KEY] = draft


def take(request: HttpRequest, next_url: str) -> Draft | None:
    """The kept draft for the page the officer returns to (removed: it is used once)."""
    kept = request.session.pop(DRAFT_KEY, None)
    if not isinstance(kept, dict):
        return None
    if time.time() - int(kept.get("at", 0)) > DRAFT_SECONDS:
        return None
    if kept.get("page") != urlsplit(next_url).path:
        return None
    return Draft(
        action=str(kept["action"]),
        page=str(kept["page"]),
        fields=[(str(name), str(value)) for name, value in kept["fields"]],
        had_files=bool(kept.get("had_files")),
    )
