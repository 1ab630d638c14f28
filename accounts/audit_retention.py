"""Purge audit events older than settings.AUDIT_RETENTION_DAYS (at least 365).

The audit table is append-only in PostgreSQL; its trigger lets a DELETE through only for a row
older than the retention announced with `SET LOCAL thana.audit_retention_days` in the same
transaction (and never for a retention under 365 days). The purge records itself as an event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import record_event

MINIMUM_RETENTION_DAYS = 365


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Events created before this moment may be purged."""
    days = int(settings.AUDIT_RETENTION_DAYS)
    if days < MINIMUM_RETENTION_DAYS:
        raise ValueError(f"AUDIT_RETENTION_DAYS must be at least {MINIMUM_RETENTION_DAYS}.")
    return (now or timezone.now()) - timedelta(days=days)


@transaction.atomic
def purge_expired_events() -> int:
    """Delete audit events older than the retention; return how many went."""
    days = int(settings.AUDIT_RETENTION_DAYS)
    cutoff = retention_cutoff()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('thana.audit_retention_days', %s, true)", [str(days)])
            cursor.execute(
                "DELETE FROM accounts_auditevent "
                "WHERE created_at < now() - make_interval(days => %s)",
                [days],
            )
            deleted = cursor.rowcount
    else:  # SQLite (make run): no trigger to satisfy
        deleted, _ = (
            AuditEvent.objects.filter(created_at__lt=cutoff)._raw_delete(connection.alias),
            None,
        )
    record_event(
        actor=None,
        action="accounts.audit.purged",
        data={"deleted": deleted, "retention_days": days, "before": cutoff.isoformat()},
    )
    return int(deleted)
