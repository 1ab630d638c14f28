"""WhatsApp webhooks: verify the signature on the raw body, store once, process in a task.

Meta delivers at least once and in any order, so storing is idempotent (unique hash of the
body) and every effect is idempotent too: statuses only move forward, opt-outs happen once,
and inbound messages carry their wamid for receivers to dedupe on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from broadcasts import services
from broadcasts.models import Delivery, WebhookEvent
from broadcasts.signals import inbound_message
from people.models import Citizen, OptOutSource
from people.services import opt_out_citizen, resume_citizen

logger = logging.getLogger(__name__)

RESUME_KEYWORDS = {"start", "resume", "शुरू", "चालू", "চালু", "শুরু"}


def signature_is_valid(body: bytes, header: str | None, secret: str | None = None) -> bool:
    """X-Hub-Signature-256 = 'sha256=' + hex HMAC-SHA256(app secret, raw body), compared in
    constant time. No secret configured means nothing is accepted."""
    secret = settings.WHATSAPP_APP_SECRET if secret is None else secret
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@dataclass(frozen=True)
class Stored:
    event: WebhookEvent
    created: bool


def store_event(body: bytes) -> Stored:
    """Keep the webhook once (a redelivered identical body is recognised and not stored twice)."""
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("webhook body is not a JSON object")
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(body_sha256=digest, payload=payload)
    except IntegrityError:
        return Stored(WebhookEvent.objects.get(body_sha256=digest), created=False)
    return Stored(event, created=True)


def process_event(*, event_id: int) -> bool:
    """Apply a stored event once; False when it was already processed (or is gone)."""
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        _lock_deliveries(event.payload)
        for field, value in _changes(event.payload):
            if field == "messages":
                _apply_statuses(value)
                _receive_messages(value)
            elif field == "user_preferences":
                _apply_preferences(value)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
    return True


def _lock_deliveries(payload: dict[str, Any]) -> None:
    """Lock every delivery the event's statuses name, in id order (as the sender does), so
    concurrent processing and recording never deadlock."""
    ids: set[int] = set()
    wamids: set[str] = set()
    for field, value in _changes(payload):
        for status in value.get("statuses") or [] if field == "messages" else []:
            callback = str(status.get("biz_opaque_callback_data") or "")
            if callback.isdigit():
                ids.add(int(callback))
            elif status.get("id"):
                wamids.add(str(status["id"]))
    if ids or wamids:
        list(
            Delivery.objects.filter(Q(id__in=ids) | Q(wamid__in=wamids))
            .order_by("id")
            .select_for_update()
            .values_list("id", flat=True)
        )


def _changes(payload: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            if isinstance(change.get("value"), dict):
                yield str(change.get("field", "")), change["value"]


def _when(timestamp: Any) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return timezone.now()


def _apply_statuses(value: dict[str, Any]) -> None:
    for status in value.get("statuses") or []:
        callback = str(status.get("biz_opaque_callback_data") or "")
        errors = status.get("errors") or [{}]
        update = services.StatusUpdate(
            status=str(status.get("status", "")),
            wamid=str(status.get("id", "")),
            delivery_id=int(callback) if callback.isdigit() else None,
            timestamp=_when(status.get("timestamp")),
            error_code=errors[0].get("code"),
            error_title=str(errors[0].get("title") or ""),
        )
        services.apply_status_update(update)
        if update.status == "failed" and update.error_code == 131050:
            _opt_out_recipient_of(update)


def _opt_out_recipient_of(update: services.StatusUpdate) -> None:
    rows = Delivery.objects.select_related("citizen")
    delivery = (
        rows.filter(pk=update.delivery_id).first()
        if update.delivery_id is not None
        else rows.filter(wamid=update.wamid).first()
    )
    if delivery is not None:
        opt_out_citizen(citizen=delivery.citizen, source=OptOutSource.ERROR_131050)
        services.suppress_opted_out_deliveries(citizen_ids=[delivery.citizen_id])


def _citizen_by_wa_id(wa_id: str) -> Citizen | None:
    return Citizen.objects.filter(phone="+" + wa_id.lstrip("+")).first() if wa_id else None


def _apply_preferences(value: dict[str, Any]) -> None:
    for preference in value.get("user_preferences") or []:
        citizen = _citizen_by_wa_id(str(preference.get("wa_id", "")))
        if citizen is None:
            continue
        if preference.get("value") == "stop":
            opt_out_citizen(citizen=citizen, source=OptOutSource.PREFERENCES_WEBHOOK)
            services.suppress_opted_out_deliveries(citizen_ids=[citizen.pk])
        elif preference.get("value") == "resume":
            resume_citizen(citizen=citizen, sources=[OptOutSource.PREFERENCES_WEBHOOK])


def is_stop_keyword(text: str) -> bool:
    """STOP in English, Hindi or Bengali (the whole message, ignoring case and punctuation)."""
    cleaned = text.strip().strip(".!।").strip().casefold()
    return cleaned in {k.casefold() for k in settings.WHATSAPP_STOP_KEYWORDS}


def _receive_messages(value: dict[str, Any]) -> None:
    for message in value.get("messages") or []:
        sender = str(message.get("from", ""))
        text = str((message.get("text") or {}).get("body", ""))
        citizen = _citizen_by_wa_id(sender)
        if citizen is not None and is_stop_keyword(text):
            opt_out_citizen(citizen=citizen, source=OptOutSource.KEYWORD)
            services.suppress_opted_out_deliveries(citizen_ids=[citizen.pk])
            continue
        if citizen is not None and text.strip().casefold() in RESUME_KEYWORDS:
            resume_citizen(citizen=citizen, sources=[OptOutSource.KEYWORD])
            continue
        inbound_message.send(
            sender=Delivery,
            message_id=str(message.get("id", "")),
            from_phone="+" + sender.lstrip("+"),
            text=text,
            message_type=str(message.get("type", "")),
            received_at=_when(message.get("timestamp")),
            to_phone_number_id=str((value.get("metadata") or {}).get("phone_number_id", "")),
            citizen=citizen,
        )
