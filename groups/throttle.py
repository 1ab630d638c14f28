"""Captcha-free rate limiting for the public application form, counted in the cache.

Fixed windows: the first attempt opens a window with a timeout, later attempts increment the
counter. Phone numbers are keyed by a keyed hash, so the cache never holds them in clear.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

HOUR = 60 * 60
DAY = 24 * HOUR


def _hit(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt under `key`; False when the window's limit is already used up."""
    cache_key = f"groups:throttle:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def allow_ip(ip: str | None) -> bool:
    """One application attempt from this address (GROUPS_APPLY_PER_IP_PER_HOUR)."""
    return _hit(
        f"ip:{_digest(ip or 'unknown')}",
        limit=settings.GROUPS_APPLY_PER_IP_PER_HOUR,
        window=HOUR,
    )


def allow_phone(e164: str) -> bool:
    """One application for this phone number (GROUPS_APPLY_PER_PHONE_PER_DAY)."""
    return _hit(f"phone:{_digest(e164)}", limit=settings.GROUPS_APPLY_PER_PHONE_PER_DAY, window=DAY)
