"""Every demo role's dashboard and main work page fit a 360-px phone in English, Hindi and
Bengali; on a 1280-px desktop the menu shows its labels in a single row (issue 17 item 10)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "hi", "bn")
DESKTOP = {"width": 1280, "height": 800}

# Each demo login (stations/demo_data.py, groups/demo.py) and the page it works on most.
MAIN_PAGE = {
    "demo_state": "dashboard:state",
    "demo_cp": "reports:review",
    "demo_cyber": "broadcasts:list",
    "demo_ic": "complaints:complaint_queue",
    "demo_officer": "complaints:complaint_queue",
    "demo_shakti": "complaints:romeo_register",
    "demo_ngo": "outreach:activity_create",
    "demo_sp_hathras": "groups:group_list",
    "demo_ic_cantt": "stations:hotspot_list",
    "demo_ic_hathras": "complaints:complaint_queue",
    "admin": "stations:station_list",
}


@pytest.fixture
def seeded(settings) -> str:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--allow-production", verbosity=0, stdout=open("/dev/null", "w"))
    return str(settings.DEMO_PASSWORD)


def _switch_language(page: Page, code: str) -> None:
    """Press the menu's language button, as a person would (the form posts to set_language)."""
    if page.locator("html").get_attribute("lang") == code:
        return
    with page.expect_navigation():
        page.get_by_test_id(f"lang-{code}").first.dispatch_event("click")
    expect(page.locator("html")).to_have_attribute("lang", code)


def _width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("username", sorted(MAIN_PAGE))
def test_every_role_fits_a_phone_in_every_language(
    live_server, browser, seeded: str, artifacts, username: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, username, seeded)
        expect(page.get_by_test_id("dashboard-title")).to_be_visible()
        pages = {"dashboard": reverse("home"), "work": reverse(MAIN_PAGE[username])}
        too_wide: list[str] = []
        for code in LANGUAGES:
            _switch_language(page, code)
            for name, path in pages.items():
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, (username, path)
                width = _width(page)
                if width > PHONE["width"]:
                    too_wide.append(f"{path} [{code}]: {width}px")
                    page.screenshot(
                        path=str(artifacts / f"phone-{username}-{name}-{code}-360.png"),
                        full_page=True,
                    )
        # The collapsed menu lists every entry, also those a wide screen groups in dropdowns.
        page.locator(".navbar-toggler").click()
        expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
        entries = page.locator("#mainnav a.nav-link:not(.dropdown-toggle), #mainnav .dropdown-item")
        assert entries.count() >= 2
        for index in range(entries.count()):
            expect(entries.nth(index)).to_be_visible()
        if _width(page) > PHONE["width"]:
            too_wide.append(f"the open menu: {_width(page)}px")
        page.screenshot(path=str(artifacts / f"phone-{username}-menu-360.png"), full_page=True)
        assert not too_wide, f"{username} is wider than {PHONE['width']}px on: {too_wide}"
    finally:
        context.close()


@pytest.mark.parametrize("username", ["admin", "demo_cp", "demo_ic"])
def test_the_desktop_menu_shows_labels_in_one_row(
    live_server, browser, seeded: str, artifacts, username: str
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, username, seeded)
        expect(page.get_by_test_id("dashboard-title")).to_be_visible()
        for code in LANGUAGES:
            _switch_language(page, code)
            navbar = page.locator(".portal-navbar")
            box = navbar.bounding_box()
            assert box is not None
            # One row: the bar is as tall as a single line of buttons, nothing wraps below.
            assert box["height"] < 70, (username, code, box)
            assert _width(page) <= DESKTOP["width"], (username, code)
            links = page.locator("#mainnav > .navbar-nav > .nav-item > .nav-link")
            assert links.count() >= 3
            for index in range(links.count()):
                link = links.nth(index)
                label = link.locator(".nav-label")
                expect(label).to_be_visible()
                assert label.inner_text().strip(), (username, code, index)
                shown = label.bounding_box()  # shown, not only there for screen readers
                assert shown is not None and shown["width"] > 12, (username, code, index)
                top = link.bounding_box()
                assert top is not None and top["y"] < box["y"] + box["height"]
            page.screenshot(path=str(artifacts / f"navbar-{username}-{code}-1280.png"))
    finally:
        context.close()


@pytest.mark.parametrize("username", sorted(MAIN_PAGE))
def test_the_groups_hold_every_menu_entry_once(login, seeded: str, username: str) -> None:
    from accounts.models import User

    response = login(User.objects.get(username=username)).get(reverse("home"))
    assert response.status_code == 200
    flat = [item["url"] for item in response.context["nav_items"]]
    grouped = [item["url"] for g in response.context["nav_groups"] for item in g["items"]]
    assert sorted(grouped) == sorted(flat) and len(set(flat)) == len(flat)
    assert len(response.context["nav_groups"]) <= 7  # fits one row at 1280 px
