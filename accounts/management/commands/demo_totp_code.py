"""``manage.py demo_totp_code``: the demo logins' current second-factor code (DEBUG only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP


class Command(BaseCommand):
    help = "Print the current six-digit code for the demo logins' shared authenticator secret."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp_code runs only with DEBUG on (demo data only).")
        totp = TOTP(bytes.fromhex(settings.DEMO_TOTP_KEY))
        self.stdout.write(f"{totp.token():06d}  (valid for {30 - int(totp.time) % 30} s)")
