"""Shared browser steps for the Playwright tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the real login form, as a person would.

    Every browser test signs in through this one function, so that a change to the login flow
    (a second factor, a new field) is made once here.
    """
    page.goto(f"{base_url}/login/")
    page.get_by_label(re.compile("Username")).fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state("domcontentloaded")
