"""Provider selection: settings.WHATSAPP_PROVIDER names one, built once per process."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from broadcasts.providers.base import (
    ErrorClass,
    OutgoingMessage,
    Provider,
    ProviderError,
    SendResult,
    classify,
)


@cache
def _build(name: str) -> Provider:
    if name == "cloud":
        from broadcasts.providers.cloud import CloudProvider

        return CloudProvider.from_settings()
    from broadcasts.providers.sandbox import SandboxProvider

    return SandboxProvider()


def get_provider() -> Provider:
    """The configured provider (cached; tests that change settings call reset_provider())."""
    return _build(settings.WHATSAPP_PROVIDER)


def reset_provider() -> None:
    _build.cache_clear()


__all__ = [
    "ErrorClass",
    "OutgoingMessage",
    "Provider",
    "ProviderError",
    "SendResult",
    "classify",
    "get_provider",
    "reset_provider",
]
