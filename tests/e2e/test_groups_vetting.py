"""An IC vets nominations on a phone (360x740) and sees the seats left change in place."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import Posting, Role
from broadcasts import demo as broadcasts_demo
from groups import services
from groups.models import CommunityGroup, Nomination
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories import StationFactory, UserFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.groups import ExclusionEntryFactory, GroupFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base_url: str, username: str, password: str) -> None:
    sign_in(page, base_url, username, password)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


@pytest.fixture
def station_group():  # type: ignore[no-untyped-def]
    """A 3-seat group with one member, one clean nomination and one the register blocks."""
    broadcasts_demo.seed_sandbox_templates()
    station = StationFactory(name="Nabadwip PS", name_local="নবদ্বীপ থানা")
    ic = UserFactory(username="ic_e2e", first_name="Subrata", last_name="Ghosh")
    Posting.objects.create(user=ic, role=Role.STATION_IC, station=station)
    group = GroupFactory(station=station, name="Not Alone", capacity=3, admins=[ic])

    def nominate(name: str, phone: str) -> Nomination:
        return services.submit_nomination(
            group=group, source="officer", nominee_name=name, nominee_phone=phone,
            nominee_consent=True, nominee_language="bn", by=ic,
        )  # fmt: skip

    services.approve_nomination(nomination=nominate("সুমিতা দাস", "9876500101"), by=ic)
    ExclusionEntryFactory(district=station.district, names=["Rekha Haldar"])
    blocked = nominate("রেখা হালদার", "9876500102")
    clean = nominate("শ্রেয়া বসু", "9876500103")
    return group, clean, blocked


def test_ic_vets_a_nomination_on_a_phone_and_sees_seats_left_change(
    live_server, page: Page, station_group, artifacts
) -> None:
    group, clean, blocked = station_group
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "ic_e2e", TEST_PASSWORD)

    # Through the menu, as an officer would: groups -> the group -> vetting.
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name=re.compile("Community groups")).click()
    card = page.get_by_test_id("group-card").filter(has_text="Not Alone")
    expect(card.get_by_test_id("group-pending")).to_have_text("2 awaiting vetting")
    card.get_by_role("link", name="Not Alone").click()
    page.get_by_test_id("tab-vetting").click()

    seats = page.get_by_test_id("seats-left")
    expect(seats).to_have_text("2 of 3 seats left")
    blocked_row = page.locator(f"#nomination-{blocked.pk}")
    expect(blocked_row.get_by_test_id("screening-hit")).to_contain_text("Rekha Haldar")
    expect(blocked_row.get_by_test_id("approve")).to_be_disabled()
    page.screenshot(path=str(artifacts / "groups-vetting-before-360.png"), full_page=True)

    row = page.locator(f"#nomination-{clean.pk}")
    expect(row.get_by_test_id("screening-clear")).to_be_visible()
    row.get_by_test_id("approve").click()

    # htmx swaps the row and, out of band, the seats-left badge: no page reload.
    expect(
        page.locator(f"#nomination-{clean.pk}").get_by_test_id("nomination-status")
    ).to_have_text("Approved")
    expect(seats).to_have_text("1 of 3 seats left")
    expect(page.locator(f"#nomination-{clean.pk}").get_by_test_id("row-note")).to_be_visible()
    page.screenshot(path=str(artifacts / "groups-vetting-after-360.png"), full_page=True)
    # Nothing overflows sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    group.refresh_from_db()
    assert group.seats_taken == 2
    assert Nomination.objects.get(pk=clean.pk).membership.invite_delivery is not None


def test_ic_rejects_with_a_reason_on_a_phone(live_server, page: Page, station_group) -> None:
    group, clean, _ = station_group
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "ic_e2e", TEST_PASSWORD)
    page.goto(f"{live_server.url}/groups/{group.pk}/vetting/")
    row = page.locator(f"#nomination-{clean.pk}")
    row.get_by_test_id("reject-open").click()
    row.locator("textarea[name=reason]").fill("Lives outside the station area.")
    row.get_by_test_id("reject").click()
    expect(
        page.locator(f"#nomination-{clean.pk}").get_by_test_id("nomination-status")
    ).to_have_text("Rejected")
    expect(page.get_by_test_id("seats-left")).to_have_text("2 of 3 seats left")
    assert Nomination.objects.get(pk=clean.pk).decision_reason == "Lives outside the station area."


def test_demo_ic_sees_the_bengali_register_match_and_the_public_form(
    live_server, page: Page, settings, artifacts
) -> None:
    call_command("seed_demo", "--allow-production", verbosity=0, stdout=open("/dev/null", "w"))
    group = CommunityGroup.objects.get(name="Not Alone")
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "demo_ic", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/groups/{group.pk}/vetting/")
    row = page.get_by_test_id("nomination-row").filter(has_text="রেখা হালদার")
    expect(row.get_by_test_id("screening-hit")).to_be_visible()
    expect(row.get_by_test_id("approve")).to_be_disabled()
    page.screenshot(path=str(artifacts / "groups-demo-vetting-bn-360.png"), full_page=True)
    page.goto(f"{live_server.url}/groups/{group.pk}/roster/")
    expect(page.get_by_test_id("member-row")).to_have_count(50)
    page.screenshot(path=str(artifacts / "groups-demo-roster-bn-360.png"))

    public = page.context.browser.new_page(viewport=PHONE)  # type: ignore[union-attr]
    public.goto(f"{live_server.url}/join/{group.public_token}/")
    expect(public.get_by_test_id("group-name")).to_have_text("Not Alone")
    public.screenshot(path=str(artifacts / "groups-apply-360.png"), full_page=True)
    assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    public.close()
