"""Notifications: what a user must know, put in front of them where they look.

A notification is shown by the bell in the menu (fetched by HTMX, so pages pay no query for
it), on the dashboard, and on the notifications page; with EMAIL_URL set it is e-mailed too,
after the transaction commits, by a task (and swept by beat if the broker was down). It is
written in the recipient's own language when it is created, and the e-mail in the same one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise

from accounts.models import Notification, User

logger = logging.getLogger(__name__)

Text = str | Promise


def _render(text: Text, params: dict[str, Any]) -> str:
    """A translatable text with its %(name)s parameters, in the active language."""
    rendered = str(text)
    return rendered % params if params else rendered


def notify(
    *,
    users: Iterable[User | None],
    kind: str,
    title: Text,
    body: Text = "",
    params: dict[str, Any] | None = None,
    url: str = "",
    level: str = Notification.Level.INFO,
) -> list[Notification]:
    """One notification per distinct user (None and inactive users skipped), each in the
    user's language; e-mailed after commit when e-mail is configured."""
    params = params or {}
    seen: set[int] = set()
    created = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            created.append(
                Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    level=level,
                    title=_render(title, params)[:200],
                    body=_render(body, params),
                    url=url[:300],
                )
            )
    if created and settings.NOTIFICATIONS_EMAIL:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def _enqueue_emails(ids: list[int]) -> None:
    from accounts import tasks

    for notification_id in ids:
        try:
            tasks.email_notification.delay(notification_id)
        except Exception:  # the broker is down: the beat sweep sends it later
            logger.warning(
                "broker unavailable; notification %s left for the sweep", notification_id
            )


def email_notification(*, notification_id: int) -> bool:
    """E-mail one notification once (a conditional UPDATE claims it); True when sent."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or not settings.NOTIFICATIONS_EMAIL:
        return False
    address = notification.recipient.email
    if not address:
        return False
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    link = f"{settings.PORTAL_URL}{notification.url}" if notification.url else ""
    message = notification.body + (f"\n\n{link}" if link else "")
    try:
        send_mail(
            subject=notification.title,
            message=message,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)  # try again
        logger.exception("notification %s: e-mail not sent", notification_id)
        return False
    return True


def email_pending(*, limit: int = 200) -> int:
    """Send e-mails the task never sent (a broker outage); only for the last day's."""
    if not settings.NOTIFICATIONS_EMAIL:
        return 0
    since = timezone.now() - timedelta(days=1)
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True, created_at__gte=since, recipient__email__gt=""
        ).values_list("id", flat=True)[:limit]
    )
    return sum(email_notification(notification_id=i) for i in ids)


# --- reads ---------------------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody sees another's)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_for(user: User) -> QuerySet[Notification]:
    return notifications_for(user).filter(read_at__isnull=True)


def get_notification_for_user(user: User, pk: int) -> Notification:
    """The user's notification; Http404 for another's or a missing one (same answer)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(notifications_for(user), pk=pk)


def mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Mark one (or, with none given, every) unread notification of the user as read."""
    rows = unread_for(user)
    if notification is not None:
        rows = rows.filter(pk=notification.pk)
    return rows.update(read_at=timezone.now())
