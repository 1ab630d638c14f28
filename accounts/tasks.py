"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from accounts.audit_retention import purge_expired_events


@shared_task(name="accounts.purge_audit_events", ignore_result=True)
def purge_audit_events() -> int:
    """Daily (beat): drop audit events past AUDIT_RETENTION_DAYS."""
    return purge_expired_events()
