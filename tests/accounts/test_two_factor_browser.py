"""The second factor in a real browser: enrol from the page on a phone, then sign in again."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.e2e.conftest import PHONE, artifacts, browser_type_launch_args  # noqa: F401
from tests.e2e.helpers import sign_in
from tests.factories import PostingFactory, StationFactory, UserFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _code_from_secret(secret: str) -> str:
    bare = secret.replace(" ", "")
    key = base64.b32decode(bare + "=" * (-len(bare) % 8))
    return f"{TOTP(key).token():06d}"


def test_an_officer_enrols_on_a_phone_and_signs_in_again(
    live_server,
    page: Page,
    settings,
    artifacts,  # noqa: F811
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a person takes longer than the 1 s wait to retype
    station = StationFactory(code="VNS-2FA", name="Sigra PS")
    officer = UserFactory(username="twofa_officer", preferred_language="en")
    PostingFactory(user=officer, role=Role.STATION_OFFICER, station=station)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill(officer.username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form button[type=submit].btn-primary").click()
    expect(page.get_by_test_id("two-factor-setup-title")).to_be_visible()
    expect(page.locator("[data-testid=two-factor-qr] svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "two-factor-setup-360.png"), full_page=True)

    page.locator("input[name=token]").fill("000000")
    page.get_by_test_id("token-submit").click()
    expect(page.get_by_test_id("token-error")).to_be_visible()

    secret = page.get_by_test_id("two-factor-secret").inner_text()
    page.locator("input[name=token]").fill(_code_from_secret(secret))
    page.get_by_test_id("token-submit").click()
    expect(page.get_by_test_id("backup-code")).to_have_count(10)
    page.get_by_test_id("backup-codes-continue").click()
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()

    page.locator(".navbar-toggler").click()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))  # fully open
    page.get_by_role("button", name="Log out").click()
    # The logout lands on the login page; only then sign in again (else the two navigations race).
    expect(page.locator("input[name=username]")).to_be_visible()
    sign_in(page, live_server.url, officer.username, TEST_PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
