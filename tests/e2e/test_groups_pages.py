"""Every community-group page fits a phone (360x740), and an admin logs a strike on one."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from groups.models import CommunityGroup, ConductIncident, ExclusionEntry, Membership
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings) -> str:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--allow-production", verbosity=0, stdout=open("/dev/null", "w"))
    return str(settings.DEMO_PASSWORD)


def _log_in(page: Page, base_url: str, username: str, password: str) -> None:
    sign_in(page, base_url, username, password)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_every_group_page_fits_a_phone(live_server, page: Page, seeded: str, artifacts) -> None:
    group = CommunityGroup.objects.get(name="Not Alone")
    nomination = group.nominations.filter(status="screened").first()
    member = Membership.objects.filter(group=group).first()
    entry = ExclusionEntry.objects.get(district__code="NDA")
    assert nomination is not None and member is not None
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "demo_ic", seeded)
    pages = {
        "list": "/groups/",
        "overview": f"/groups/{group.pk}/",
        "edit": f"/groups/{group.pk}/edit/",
        "nominate": f"/groups/{group.pk}/nominate/",
        "nomination": f"/groups/nominations/{nomination.pk}/",
        "member": f"/groups/members/{member.pk}/",
        "conduct": f"/groups/{group.pk}/conduct/",
        "nominators": "/groups/nominators/",
        "register": "/groups/register/",
        "register-entry": f"/groups/register/{entry.pk}/",
        "register-new": "/groups/register/new/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        _fits(page)
        page.screenshot(path=str(artifacts / f"groups-{name}-360.png"), full_page=True)


def test_an_admin_logs_a_strike_and_gets_the_warning_on_a_phone(
    live_server, page: Page, seeded: str, artifacts
) -> None:
    member = Membership.objects.get(citizen__phone="+917500100003")  # the "good morning" sender
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "demo_ic_hathras", seeded)
    page.goto(f"{live_server.url}/groups/members/{member.pk}/")
    expect(page.get_by_test_id("incident")).to_have_count(1)
    page.get_by_test_id("log-incident-open").click()
    page.locator("select[name=kind]").select_option("greeting_spam")
    page.get_by_test_id("log-incident").click()
    expect(page.get_by_test_id("incident")).to_have_count(2)
    with translation.override(member.citizen.preferred_language):  # written in their language
        expected = translation.gettext(
            "This is warning %(strike)s of %(limit)s: after %(limit)s warnings a member is removed."
        ) % {"strike": 2, "limit": 3}
    expect(page.get_by_test_id("warning-text").first).to_contain_text(expected)
    _fits(page)
    page.screenshot(path=str(artifacts / "groups-member-strike-360.png"), full_page=True)
    assert ConductIncident.objects.filter(membership=member).count() == 2
