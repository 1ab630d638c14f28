"""``manage.py purge_audit_events``: delete audit events older than AUDIT_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.audit_retention import purge_expired_events


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS (never younger than 365 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired_events()
        self.stdout.write(
            f"Deleted {deleted} audit events older than {settings.AUDIT_RETENTION_DAYS} days."
        )
