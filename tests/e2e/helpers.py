"""Shared browser steps for the Playwright tests."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

from playwright.sync_api import Page

VERIFY_PATH = "/account/two-factor/verify/"


def _fresh_code(username: str) -> str:
    """The user's current authenticator code (a device is created if they have none).

    The device's replay guard and throttle are reset first, so signing the same user in twice
    within one 30-second step works as it would with two real codes.
    """
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import totp_code, verified_device

    device = verified_device(get_user_model().objects.get(username=username))
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return totp_code(device)


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the real login form and the second-factor step, as a person would.

    Every browser test signs in through this one function, so that a change to the login flow
    (a second factor, a new field) is made once here. The code comes from the user's TOTP
    device, computed as their authenticator app would.
    """
    code = _fresh_code(username)
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state("domcontentloaded")
    if urlparse(page.url).path != VERIFY_PATH:
        # Users who may read without a second factor (NGO coordinators) land on the dashboard:
        # verify anyway, so that their writes work too, and come back here.
        here = urlparse(page.url)
        back = here.path + (f"?{here.query}" if here.query else "")
        page.goto(f"{base_url}{VERIFY_PATH}?{urlencode({'next': back})}")
    page.locator("input[name=token]").fill(code)
    page.locator("[data-testid=token-submit]").click()
    page.wait_for_load_state("domcontentloaded")
