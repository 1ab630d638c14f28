"""``manage.py demo_logins``: the demo logins, printed last by `make run`.

`make run` starts it in the background with ``--wait-for`` the portal's /healthz: it prints
once the web process answers (and the worker's and beat's start-up lines are out), so the
logins are the last thing on the terminal instead of scrolling away above them.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import demo
from accounts.models import User
from stations import demo_data


def wait_for(url: str, *, timeout: float, interval: float = 1.0) -> bool:
    """True once `url` answers 200 within `timeout` seconds, False if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=interval * 3) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(interval)
    return False


def login_lines() -> list[str]:
    """The demo logins that exist, one line each, then the password and the second factor."""
    existing = set(
        User.objects.filter(
            username__in=[row["username"] for row in demo_data.DEMO_USERS]
        ).values_list("username", flat=True)
    )
    rows = [row for row in demo_data.DEMO_USERS if row["username"] in existing]
    if not rows:
        return ["No demo logins yet: run `.venv/bin/python manage.py seed_demo`."]
    width = max(len(row["username"]) for row in rows)
    lines = ["Demo logins:"]
    for row in rows:
        where = f"  {row['unit_code']}" if row["unit_code"] else ""
        lines.append(f"  {row['username'].ljust(width)}  {row['role'] or 'superuser'}{where}")
    lines.append(f"  password: {settings.DEMO_PASSWORD} (unless changed since seeding)")
    lines.append(
        f"  second factor: authenticator secret {demo.demo_secret_base32()}, "
        f"or the current code: {demo.TOTP_CODE_INVOCATION}"
    )
    return lines


class Command(BaseCommand):
    help = "Print the demo logins (DEBUG only); with --wait-for URL, once that URL answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait-for", default="", help="a URL to wait for, e.g. /healthz")
        parser.add_argument("--timeout", type=float, default=120.0)
        parser.add_argument(
            "--settle", type=float, default=3.0, help="seconds to wait after the URL answers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_logins runs only with DEBUG on (demo data only).")
        if options["wait_for"]:
            if not wait_for(options["wait_for"], timeout=options["timeout"]):
                return  # the portal did not come up: its own errors say why
            time.sleep(options["settle"])
        lines = login_lines()
        bar = "=" * max(len(line) for line in lines)
        self.stdout.write("\n".join(["", bar, *lines, bar, ""]))
