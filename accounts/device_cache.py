"""A cache of second-factor devices by persistent id, so a verified session costs no query.

django-otp's OTPMiddleware loads the session's device from the database on every request;
our pages have query budgets, so CachedOTPMiddleware reads it from the cache instead. The
cache is written whenever a device is saved and cleared whenever one is deleted (signals in
accounts.signals), so a reset by an administrator ends verified sessions at once.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.cache import cache
from django_otp.models import Device

TIMEOUT_SECONDS = 15 * 60
_MISSING = object()


def _key(persistent_id: str) -> str:
    return f"accounts:otp-device:{persistent_id}"


def store(device: Device) -> None:
    """Remember a device just saved (without its loaded user or other related objects)."""
    bare = copy.copy(device)
    bare._state = copy.copy(device._state)
    bare._state.fields_cache = {}
    cache.set(_key(device.persistent_id), bare, TIMEOUT_SECONDS)


def forget(persistent_id: str) -> None:
    """Drop a device just deleted."""
    cache.delete(_key(persistent_id))


def load(persistent_id: str) -> Any:
    """The device behind a session's persistent id, from the cache or else the database."""
    device = cache.get(_key(persistent_id), _MISSING)
    if device is _MISSING:
        device = Device.from_persistent_id(persistent_id)
        if device is not None:
            store(device)
    return device
