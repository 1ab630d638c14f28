"""System checks for settings that Django's own checks do not cover."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_stack(app_configs: Any, **kwargs: Any) -> list[Error]:
    """In production the portal runs on PostgreSQL and a Redis broker, never the embedded set."""
    errors = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        errors.append(Error("Production needs PostgreSQL: set DATABASE_URL.", id="portal.E001"))
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        errors.append(Error("Production needs Redis: set CELERY_BROKER_URL.", id="portal.E002"))
    return errors
