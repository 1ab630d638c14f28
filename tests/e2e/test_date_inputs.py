"""Every pre-filled date input is one the browser keeps (issue 17 item 5), on a phone.

A browser silently empties `<input type="date" value="07/12/2026">`; the officer sees a blank
date and the first save fails. On each form that pre-fills a date, the browser's own value
(the DOM property, after its sanitising) must equal what the server sent, in all three
languages. The conduct-incident form is saved untouched in tests/e2e/test_groups_pages.py and
the activity form in tests/e2e/test_step_up_keeps_work.py.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import User
from groups.models import Membership
from stations.models import Hotspot
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

_KEPT = """() => Array.from(document.querySelectorAll('input[type=date][value]')).map(
    el => [el.name, el.getAttribute('value'), el.value])"""


@pytest.fixture
def seeded(settings) -> str:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--allow-production", verbosity=0, stdout=open("/dev/null", "w"))
    return str(settings.DEMO_PASSWORD)


def _station_of(username: str):  # type: ignore[no-untyped-def]
    posting = User.objects.get(username=username).postings.filter(station__isnull=False).first()
    assert posting is not None
    return posting.station


def _check(page: Page, url: str, language: str) -> int:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    inputs = page.evaluate(_KEPT)
    for name, sent, kept in inputs:
        assert sent == timezone.localdate().isoformat() or len(sent) == 10, (url, name, sent)
        assert kept == sent, f"{url} [{language}]: the browser dropped {name}={sent!r}"
    return len(inputs)


def test_every_prefilled_date_is_kept_by_the_browser(live_server, page: Page, seeded) -> None:
    station = _station_of("demo_ic")
    hotspot = Hotspot.objects.filter(station=station).first()
    member = Membership.objects.filter(group__station=station).first()
    pages = [
        "/outreach/drives/new/",
        "/anti-romeo/new/",
        f"/stations/{station.pk}/resource-audits/new/",
    ]
    if hotspot is not None:
        pages.append(f"/hotspots/{hotspot.pk}/")
    assert member is not None  # the conduct-incident form: the one that pre-filled 07/12/2026
    pages.append(f"/groups/members/{member.pk}/")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "demo_ic", seeded)
    checked = 0
    for language in ("en", "hi", "bn"):
        User.objects.filter(username="demo_ic").update(preferred_language=language)
        for path in pages:
            checked += _check(page, live_server.url + path, language)
    assert checked >= 3 * 3, "the pages must pre-fill dates for the check to mean anything"
