"""Receivers that turn Django's auth signals into audit events (via services), and set up
the session a login starts: its idle timeout and, where a password alone is a complete login,
the end of the lockout counter."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, device_cache, services, two_factor
from accounts.middleware import SessionTouchMiddleware
from accounts.models import User


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    services.record_login(user=user, request=request)


@receiver(user_logged_in)
def start_session(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Police and admin sessions get the short idle timeout; a login that needs no second
    factor is complete here, so it clears the username's failed attempts."""
    if request is None or not hasattr(request, "session"):
        return
    cached_before = hasattr(user, "_thana_active_postings")
    ngo_only = two_factor.is_ngo_only(user)
    if not cached_before:
        access.forget_postings(user)  # the caller's user object must not keep a stale cache
    if not ngo_only:
        request.session.set_expiry(settings.POLICE_SESSION_IDLE_MINUTES * 60)
    # The login saves the session: the idle clock starts now (SessionTouchMiddleware).
    request.session[SessionTouchMiddleware.KEY] = int(time.time())
    if not two_factor.enforced() or ngo_only:
        two_factor.clear_login_failures(request, user)


@receiver(user_login_failed)
def audit_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    services.record_failed_login(
        username=str(credentials.get("username", "")),
        request=request,
        second_factor=bool(credentials.get("second_factor")),
    )


@receiver(post_save, sender=TOTPDevice)
@receiver(post_save, sender=StaticDevice)
def refresh_cached_device(sender: Any, instance: TOTPDevice | StaticDevice, **kwargs: Any) -> None:
    device_cache.store(instance)


@receiver(post_delete, sender=TOTPDevice)
@receiver(post_delete, sender=StaticDevice)
def forget_cached_device(sender: Any, instance: TOTPDevice | StaticDevice, **kwargs: Any) -> None:
    device_cache.forget(instance.persistent_id)
