"""The demo IC logs in through a real Chromium, sees the dashboard, and switches to Hindi."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.forms import LoginForm
from accounts.models import User
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings) -> str:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--allow-production", verbosity=0, stdout=open("/dev/null", "w"))
    return settings.DEMO_PASSWORD


def _log_in(page: Page, base_url: str, username: str, password: str) -> None:
    sign_in(page, base_url, username, password)


def test_demo_ic_sees_dashboard_and_switches_to_hindi(
    live_server, page: Page, seeded: str, artifacts
) -> None:
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "demo_ic", seeded)

    # The IC's preferred language is Bengali: the dashboard greets them in it.
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    with translation.override("bn"):
        expect(page.get_by_test_id("dashboard-title")).to_have_text(
            translation.gettext("Dashboard")
        )
    expect(page.get_by_test_id("station-card")).to_contain_text("Nabadwip PS")
    expect(page.locator("html")).to_have_attribute("lang", "bn")
    page.screenshot(path=str(artifacts / "dashboard-ic-bn-360.png"), full_page=True)

    # On a phone the language buttons sit in the collapsed menu.
    page.locator(".navbar-toggler").click()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))  # fully open
    with page.expect_navigation():
        page.get_by_test_id("lang-hi").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi", timeout=15000)
    with translation.override("hi"):
        hindi_title = translation.gettext("Dashboard")
    assert hindi_title != "Dashboard"
    expect(page.get_by_test_id("dashboard-title")).to_have_text(hindi_title)
    page.screenshot(path=str(artifacts / "dashboard-ic-hi-360.png"), full_page=True)
    assert User.objects.get(username="demo_ic").preferred_language == "hi"


def test_bad_login_shows_a_translated_error_and_no_dashboard(
    live_server, page: Page, seeded: str
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_test_id("lang-hi").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator("input[name=username]").fill("demo_ic")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("form button[type=submit].btn-primary").click()
    with translation.override("hi"):
        expected = str(LoginForm.error_messages["invalid_login"])
    expect(page.get_by_test_id("login-error")).to_have_text(expected)
    expect(page.get_by_test_id("dashboard-title")).to_have_count(0)


def test_every_asset_is_served_by_the_portal_itself(live_server, page: Page, seeded: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _log_in(page, live_server.url, "demo_cp", seeded)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested
    # Bootstrap's CSS really loaded (the navbar collapses on a phone only with it).
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"
