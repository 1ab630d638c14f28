"""Demo second factor: every demo login gets an authenticator with one published secret.

Runs after the other apps' demo seeds (seed_demo's DEMO_APPS), so it covers every `demo_*`
login they created. Only while DEBUG is on: with production settings the demo logins set up
their own authenticator at their first login, like everybody else.
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings

from accounts import two_factor
from accounts.models import User

DEMO_USERNAME_PREFIX = "demo_"
# How the seed output and README.md tell people to print the current code (the same words in
# both: tests/accounts/test_demo_totp_command.py). The virtualenv's python, as `make run` uses.
TOTP_CODE_COMMAND = "demo_totp_code"
TOTP_CODE_INVOCATION = f".venv/bin/python manage.py {TOTP_CODE_COMMAND}"


def demo_secret_base32() -> str:
    """The demo secret as an authenticator app takes it (no padding, no spaces)."""
    return base64.b32encode(bytes.fromhex(settings.DEMO_TOTP_KEY)).decode("ascii").rstrip("=")


def seed(*, stdout: Any) -> None:
    """Enrol each demo login's authenticator (idempotent) and print how to get the codes."""
    if not settings.DEBUG:
        stdout.write(
            "Second factor: DEBUG is off, so demo logins are not pre-enrolled; each sets up "
            "an authenticator app at its first login."
        )
        return
    users = User.objects.filter(username__startswith=DEMO_USERNAME_PREFIX).order_by("username")
    for user in users:
        two_factor.enrol_demo_device(user, settings.DEMO_TOTP_KEY)
    secret = demo_secret_base32()
    stdout.write(
        f"Second factor: {users.count()} demo logins share the authenticator secret {secret}\n"
        f"  add it to any authenticator app (time-based, 6 digits), or print the current code "
        f"with: {TOTP_CODE_INVOCATION}\n"
    )
