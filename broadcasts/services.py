"""Writes with a rule in the WhatsApp engine: single messages, status updates, suppression."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.services import record_event
from broadcasts.models import (
    STATUS_RANK,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
)
from people.models import Citizen, OptOutSource
from stations.models import Station

logger = logging.getLogger(__name__)


class TemplateNotAvailable(Exception):
    """No APPROVED template with that name in the citizen's language or English."""


def approved_template(name: str, language: str) -> MessageTemplate:
    """The approved template in the language, falling back to English; else TemplateNotAvailable."""
    templates = {
        t.language: t
        for t in MessageTemplate.objects.filter(
            name=name, status=MessageTemplate.Status.APPROVED, language__in=[language, "en"]
        )
    }
    template = templates.get(language) or templates.get("en")
    if template is None:
        raise TemplateNotAvailable(name)
    return template


def queue_message(
    *,
    citizen: Citizen,
    purpose: str,
    template_name: str,
    parameters: list[str],
    station: Station | None = None,
    by: User | None = None,
) -> Delivery:
    """Queue one template message to a citizen; it is sent after the transaction commits.

    An opted-out or erased citizen gets a `skipped` delivery (visible, never sent). Raises
    TemplateNotAvailable when the template is not approved.
    """
    template = approved_template(template_name, citizen.preferred_language)
    if len(parameters) != template.parameter_count:
        raise ValueError(
            f"Template {template_name} takes {template.parameter_count} parameters, "
            f"got {len(parameters)}."
        )
    suppressed = citizen.opted_out_at is not None or citizen.erased_at is not None
    delivery = Delivery.objects.create(
        citizen=citizen,
        purpose=purpose,
        station=station,
        template=template,
        parameters=[str(p) for p in parameters],
        status=DeliveryStatus.SKIPPED if suppressed else DeliveryStatus.PENDING,
        error_title="opted_out" if suppressed else "",
    )
    record_event(
        actor=by,
        action="broadcasts.message.queued",
        target=delivery,
        data={"purpose": purpose, "template": template_name},
        station=station,
    )
    if not suppressed:
        transaction.on_commit(_kick_single_messages)
    return delivery


def _kick_single_messages() -> None:
    from broadcasts import tasks

    tasks.send_single_messages.delay()


@dataclass(frozen=True)
class StatusUpdate:
    """One status from a webhook: matched by our delivery id, or by wamid."""

    status: str  # sent | delivered | read | failed
    wamid: str
    delivery_id: int | None
    timestamp: datetime
    error_code: int | None = None
    error_title: str = ""


_STAMP = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}
_FINAL_NO_EXIT = (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED, DeliveryStatus.READ)


def apply_status_update(update: StatusUpdate) -> bool:
    """Move a delivery forward to the webhook's status; never backward. True when it moved.

    Duplicates and out-of-order arrivals are harmless: the UPDATE only matches a row whose
    current rank is lower than the new one and whose status is not final.
    """
    try:
        new = DeliveryStatus(update.status)
    except ValueError:
        return False
    rank = Case(
        *[When(status=s.value, then=Value(r)) for s, r in STATUS_RANK.items()],
        output_field=IntegerField(),
    )
    rows = Delivery.objects.all()
    if update.delivery_id is not None:
        rows = rows.filter(pk=update.delivery_id)
    else:
        rows = rows.filter(wamid=update.wamid)
    changes: dict[str, object] = {"status": new.value, _STAMP[new.value]: update.timestamp}
    if new is DeliveryStatus.FAILED:
        changes |= {"error_code": update.error_code, "error_title": update.error_title[:300]}
    moved = (
        rows.annotate(current_rank=rank)
        .filter(current_rank__lt=STATUS_RANK[new])
        .exclude(status__in=_FINAL_NO_EXIT)
        .update(**changes)
    )
    # Whatever the order, remember the wamid and the earliest stamp of each step.
    fill = rows.filter(wamid__isnull=True)
    if update.wamid:
        fill.update(wamid=update.wamid)
    if new in (DeliveryStatus.DELIVERED, DeliveryStatus.READ):
        rows.filter(sent_at__isnull=True).update(sent_at=update.timestamp)
    if new is DeliveryStatus.READ:
        rows.filter(delivered_at__isnull=True).update(delivered_at=update.timestamp)
    return bool(moved)


def mark_stale_claims_unknown(*, older_than: datetime) -> int:
    """Rows stuck in `sending` (their worker died) become `unknown`: never blindly resent."""
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=older_than).update(
        status=DeliveryStatus.UNKNOWN
    )


def requeue_unconfirmed_unknown(*, older_than: datetime) -> int:
    """`unknown` rows that no webhook confirmed within the grace period were never sent.

    WhatsApp reports `sent` within seconds of accepting a message; after the grace period
    (settings.WHATSAPP_UNKNOWN_GRACE_SECONDS) silence means the request never reached it.
    """
    return Delivery.objects.filter(
        status=DeliveryStatus.UNKNOWN, claimed_at__lt=older_than, wamid__isnull=True
    ).update(status=DeliveryStatus.PENDING, not_before=timezone.now())


def suppress_opted_out_deliveries(*, citizen_ids: list[int]) -> int:
    """Skip every not-yet-sent delivery of citizens who opted out."""
    return Delivery.objects.filter(
        citizen_id__in=citizen_ids, status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.SKIPPED, error_title="opted_out")


def opt_out_from_failed_deliveries(*, delivery_ids: list[int]) -> int:
    """Error 131050 at send time: the citizen stopped marketing messages -> the same opt-out."""
    from people.services import opt_out_citizen

    citizens = Citizen.objects.filter(deliveries__id__in=delivery_ids).distinct()
    count = 0
    for citizen in citizens:
        count += opt_out_citizen(citizen=citizen, source=OptOutSource.ERROR_131050)
    suppress_opted_out_deliveries(citizen_ids=[c.pk for c in citizens])
    return count
