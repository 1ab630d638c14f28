"""Sync message templates from the WhatsApp Cloud API (list templates endpoint)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import record_event
from broadcasts.models import MessageTemplate
from broadcasts.providers import ProviderError, get_provider

_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
_STATUSES = {choice.value for choice in MessageTemplate.Status}
_CATEGORIES = {choice.value for choice in MessageTemplate.Category}


class SyncFailed(Exception):
    pass


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int


def body_of(template: dict[str, Any]) -> str:
    """The BODY component's text of a Meta template ('' when it has none)."""
    for component in template.get("components") or []:
        if str(component.get("type", "")).upper() == "BODY":
            return str(component.get("text", ""))
    return ""


def examples_of(template: dict[str, Any]) -> list[str]:
    """Meta's sample value for each {{n}} of the BODY (its example.body_text), [] if none."""
    for component in template.get("components") or []:
        if str(component.get("type", "")).upper() != "BODY":
            continue
        rows = (component.get("example") or {}).get("body_text") or []
        if rows and isinstance(rows[0], list):
            return [str(value)[:200] for value in rows[0]]
    return []


def sync_templates(*, by: User | None) -> SyncResult:
    """Upsert every template Meta knows; only APPROVED ones can then be broadcast."""
    provider = get_provider()
    if not hasattr(provider, "list_templates"):
        raise SyncFailed("the sandbox provider has no remote templates")
    try:
        remote = provider.list_templates()
    except (ProviderError, httpx.HTTPError) as error:
        raise SyncFailed(str(error)[:200]) from error
    created = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for item in remote:
            body = body_of(item)
            numbers = [int(n) for n in _PLACEHOLDER.findall(body)]
            status = str(item.get("status", "")).upper()
            category = str(item.get("category", "")).upper()
            _, was_created = MessageTemplate.objects.update_or_create(
                name=str(item.get("name", ""))[:512],
                language=str(item.get("language", ""))[:16],
                defaults={
                    "category": category if category in _CATEGORIES else "MARKETING",
                    "body": body,
                    "parameter_count": max(numbers, default=0),
                    "parameter_examples": examples_of(item),
                    "status": status if status in _STATUSES else MessageTemplate.Status.PENDING,
                    "provider_id": str(item.get("id", ""))[:64],
                    "synced_at": now,
                },
            )
            created += was_created
            updated += not was_created
        record_event(
            actor=by,
            action="broadcasts.templates.synced",
            data={"created": created, "updated": updated},
        )
    return SyncResult(created=created, updated=updated)
