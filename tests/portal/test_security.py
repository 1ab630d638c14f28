"""Login lockout, security headers and CSP, and Django's deploy checks on production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.utils import reset
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories.accounts import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _attempt(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


class TestLockout:
    def test_five_failures_lock_the_username_from_that_address(self, world) -> None:
        username = world.user(Role.STATION_IC).username
        client = Client(REMOTE_ADDR="10.0.0.7")
        for _ in range(5):
            _attempt(client, username, "wrong")
        locked = _attempt(client, username, TEST_PASSWORD)
        assert locked.status_code == 429
        assert 'data-testid="locked-out"' in locked.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_same_user_from_another_address_can_still_log_in(self, world) -> None:
        username = world.user(Role.STATION_IC).username
        attacker = Client(REMOTE_ADDR="10.0.0.7")
        for _ in range(6):
            _attempt(attacker, username, "wrong")
        officer = Client(REMOTE_ADDR="10.0.0.8")
        assert _attempt(officer, username, TEST_PASSWORD).status_code == 302

    def test_an_administrator_unlocks_the_account(self, world) -> None:
        username = world.user(Role.STATION_IC).username
        client = Client(REMOTE_ADDR="10.0.0.9")
        for _ in range(5):
            _attempt(client, username, "wrong")
        assert _attempt(client, username, TEST_PASSWORD).status_code == 429
        reset(username=username)
        assert _attempt(client, username, TEST_PASSWORD).status_code == 302

    def test_four_failures_do_not_lock(self, world) -> None:
        username = world.user(Role.STATION_IC).username
        client = Client(REMOTE_ADDR="10.0.0.10")
        for _ in range(4):
            _attempt(client, username, "wrong")
        assert _attempt(client, username, TEST_PASSWORD).status_code == 302


class TestHeaders:
    def test_csp_forbids_inline_and_foreign_scripts(self, world, client) -> None:
        response = client.get(reverse("login"))
        policy = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", policy).group(1)  # type: ignore[union-attr]
        assert script_src.strip() == "'self'"
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy

    def test_pages_carry_no_inline_script(self, world, login) -> None:
        client = login(world.user(Role.DISTRICT_HEAD))
        for url in (reverse("login"), reverse("home"), reverse("stations:station_list")):
            html = client.get(url).content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
            assert not re.search(r"\son[a-z]+=", html), url

    def test_clickjacking_and_sniffing_headers(self, client) -> None:
        response = client.get(reverse("login"))
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_deploy_checks_pass_with_production_settings() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SALT_KEY": secrets.token_urlsafe(32),
        "COMPLAINTS_LOOKUP_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "portal.example.gov.in",
        "SECURE_SSL_REDIRECT": "true",
        "THANA_VAR_DIR": str(ROOT / "var" / "test-deploy"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert env["DATABASE_URL"].startswith("postgres") and env["CACHE_URL"].startswith("redis")
