"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from accounts.audit_retention import purge_expired_events


@shared_task(name="accounts.purge_audit_events", ignore_result=True)
def purge_audit_events() -> int:
    """Daily (beat): drop audit events past AUDIT_RETENTION_DAYS."""
    return purge_expired_events()


@shared_task(name="accounts.email_notification", ignore_result=True)
def email_notification(notification_id: int) -> bool:
    """E-mail one notification (idempotent: claimed by a conditional UPDATE)."""
    from accounts import notifications

    return notifications.email_notification(notification_id=notification_id)


@shared_task(name="accounts.email_pending_notifications", ignore_result=True)
def email_pending_notifications() -> int:
    """Beat: e-mail notifications whose task was lost (broker down when they were made)."""
    from accounts import notifications

    return notifications.email_pending()
