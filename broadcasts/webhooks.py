"""WhatsApp webhooks: verify the signature on the raw body, store once, process in a task.

Meta delivers at least once and in any order, so storing is idempotent (unique hash of the
body) and every effect is idempotent too: statuses only move forward, opt-outs happen once,
and inbound messages carry their wamid for receivers to dedupe on.

Every change of an event, and every status in it, is applied on its own (a savepoint each):
what cannot be read is written to the event's `problems` with the reason and the rest is
applied; an event is processed once and never retried for a part it could not read. A body
nested deeper than MAX_DEPTH is refused at the door (400): no WhatsApp payload comes close.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from broadcasts import services
from broadcasts.models import Delivery, WebhookEvent
from broadcasts.signals import inbound_message
from people.models import Citizen, OptOutSource
from people.services import note_inbound_message, opt_out_citizen, resume_citizen

logger = logging.getLogger(__name__)

MAX_DEPTH = 32  # WhatsApp's payloads nest about 8 deep
# A business-scoped user id: country code, a dot, (ENT. for a parent id,) up to 128 letters
# and digits (../shared/whatsapp/USERNAMES.md: Meta says alphanumeric, SDKs check digits).
USER_ID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
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


def _depth_within(value: Any, limit: int) -> bool:
    """True when no list or object nests deeper than `limit` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return False
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return True


def parse_body(body: bytes) -> dict[str, Any]:
    """The webhook's JSON object; ValueError for anything else (not JSON, not an object,
    nested too deep: Python's parser itself gives up past ~1,000 levels with RecursionError)."""
    try:
        payload = json.loads(body)
    except RecursionError as exc:
        raise ValueError("webhook body nested too deep") from exc
    if not isinstance(payload, dict):
        raise ValueError("webhook body is not a JSON object")
    if not _depth_within(payload, MAX_DEPTH):
        raise ValueError("webhook body nested too deep")
    cleaned: dict[str, Any] = _without_nul(payload)
    return cleaned


def _without_nul(value: Any) -> Any:
    """The payload with NUL removed from every string: valid JSON (`\u0000`), but PostgreSQL
    can store it in no text or jsonb column (the signature was checked on the raw bytes)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def store_event(body: bytes) -> Stored:
    """Keep the webhook once (a redelivered identical body is recognised and not stored twice)."""
    payload = parse_body(body)
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
        payload = event.payload if isinstance(event.payload, dict) else {}
        problems: list[dict[str, str]] = []
        _lock_deliveries(payload)
        for where, field, value in _changes(payload, problems):
            _apply_change(where, field, value, problems)
        event.processed_at = timezone.now()
        event.problems = problems[:100]
        event.error = "; ".join(f"{p['where']}: {p['why']}" for p in problems)[:300]
        event.save(update_fields=["processed_at", "problems", "error"])
    if problems:
        logger.warning("webhook %s: %s part(s) could not be read", event_id, len(problems))
    return True


# The changes we act on; any other field (account_update, ...) is stored and acknowledged.
def _apply_change(
    where: str, field: str, value: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    handlers = {
        "messages": _apply_messages,
        "user_preferences": _apply_preferences,
        "user_id_update": _apply_user_id_updates,
        "message_template_status_update": _apply_template_status,
        "phone_number_quality_update": _apply_quality_update,
    }
    handler = handlers.get(field)
    if handler is not None:
        _guarded(where, problems, handler, where, value, problems)


def _guarded(where: str, problems: list[dict[str, str]], fn: Any, *args: Any) -> None:
    """Run one part in a savepoint; a part that cannot be read is a problem, not a failure."""
    try:
        with transaction.atomic():
            fn(*args)
    except _UNREADABLE as exc:
        problems.append({"where": where, "why": f"{type(exc).__name__}: {exc}"[:200]})


# What a part that cannot be read raises. DataError/IntegrityError: values the database refuses
# (a NUL byte, an out-of-range number); the savepoint is rolled back and the rest goes on. A
# lost connection (OperationalError) is not here: the whole event is retried later.
_UNREADABLE = (
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    IndexError,
    OverflowError,
    DataError,
    IntegrityError,
)


def _apply_messages(where: str, value: dict[str, Any], problems: list[dict[str, str]]) -> None:
    statuses = value.get("statuses")
    if statuses is not None and not isinstance(statuses, list):
        problems.append({"where": f"{where}.statuses", "why": "not a list"})
        statuses = []
    for index, status in enumerate(statuses or []):
        _guarded(f"{where}.statuses[{index}]", problems, _apply_status, status)
    messages = value.get("messages")
    if messages is not None and not isinstance(messages, list):
        problems.append({"where": f"{where}.messages", "why": "not a list"})
        messages = []
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    contacts = value.get("contacts") if isinstance(value.get("contacts"), list) else []
    for index, message in enumerate(messages or []):
        _guarded(
            f"{where}.messages[{index}]", problems, _receive_message, message, metadata, contacts
        )


def _contact_of(contacts: list[Any], wa_id: str, user_id: str) -> dict[str, str]:
    """The sender's profile name and username from the webhook's contacts (display only)."""
    for contact in contacts:
        if not isinstance(contact, dict):
            continue
        if (wa_id and contact.get("wa_id") == wa_id) or (
            user_id and contact.get("user_id") == user_id
        ):
            raw = contact.get("profile")
            profile: dict[str, Any] = raw if isinstance(raw, dict) else {}
            username = profile.get("username") or contact.get("username") or ""
            return {"name": str(profile.get("name") or ""), "username": str(username)}
    return {"name": "", "username": ""}


def _lock_deliveries(payload: dict[str, Any]) -> None:
    """Lock every delivery the event's statuses name, in id order (as the sender does), so
    concurrent processing and recording never deadlock."""
    ids: set[int] = set()
    wamids: set[str] = set()
    for _where, field, value in _changes(payload, []):
        statuses = value.get("statuses") if field == "messages" else None
        for status in statuses if isinstance(statuses, list) else []:
            if not isinstance(status, dict):
                continue
            callback = str(status.get("biz_opaque_callback_data") or "")
            if callback.isdigit() and len(callback) < 19:
                ids.add(int(callback))
            elif isinstance(status.get("id"), str):
                wamids.add(status["id"][:128])
    if ids or wamids:
        list(
            Delivery.objects.filter(Q(id__in=ids) | Q(wamid__in=wamids))
            .order_by("id")
            .select_for_update()
            .values_list("id", flat=True)
        )


def _changes(
    payload: dict[str, Any], problems: list[dict[str, str]]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, field, value) of every change that is an object; the others are problems."""
    entries = payload.get("entry")
    if not isinstance(entries, list):
        if entries is not None:
            problems.append({"where": "entry", "why": "not a list"})
        return
    for e, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            problems.append({"where": f"entry[{e}]", "why": "no list of changes"})
            continue
        for c, change in enumerate(changes):
            where = f"entry[{e}].changes[{c}]"
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                problems.append({"where": where, "why": "the change has no object value"})
                continue
            yield where, str(change.get("field", "")), change["value"]


def _when(timestamp: Any) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


def _apply_status(status: Any) -> None:
    if not isinstance(status, dict):
        raise ValueError("a status is not an object")
    if not isinstance(status.get("id"), str) or not isinstance(status.get("status"), str):
        raise ValueError("a status needs a string id and status")
    callback = str(status.get("biz_opaque_callback_data") or "")
    errors = status.get("errors") or [{}]
    first = errors[0] if isinstance(errors, list) and errors else {}
    if not isinstance(first, dict):
        raise ValueError("errors[0] is not an object")
    code = first.get("code")
    update = services.StatusUpdate(
        status=status["status"],
        wamid=status["id"][:128],
        delivery_id=int(callback) if callback.isdigit() and len(callback) < 19 else None,
        timestamp=_when(status.get("timestamp")),
        error_code=int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
        error_title=str(first.get("title") or first.get("message") or ""),
    )
    recipient = status.get("recipient_id")
    services.record_status_update(
        update, recipient_id=recipient if isinstance(recipient, str) else ""
    )
    user_id = _user_id(status.get("recipient_user_id"))
    if user_id and update.status == "sent":  # once per message: the citizen's user id
        services.learn_user_id_of_delivery(update=update, user_id=user_id)
    if update.status == "failed" and update.error_code == 131050:
        _opt_out_recipient_of(update)


def _apply_template_status(
    where: str, value: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    """WhatsApp reviewed, paused, disabled or re-approved a template: follow it at once."""
    event = value.get("event")
    if not isinstance(event, str):
        raise ValueError("no event")
    services.apply_template_event(
        event=event,
        provider_id=str(value.get("message_template_id") or ""),
        name=str(value.get("message_template_name") or ""),
        language=str(value.get("message_template_language") or ""),
        reason=str(value.get("reason") or ""),
    )


def _apply_quality_update(
    where: str, value: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    """The number's quality, messaging tier or throughput changed."""
    number = value.get("display_phone_number")
    if not isinstance(number, str) or not number:
        raise ValueError("no display_phone_number")
    services.apply_quality_update(
        display_phone_number=number,
        event=str(value.get("event") or ""),
        limit=str(
            value.get("max_daily_conversations_per_business") or value.get("current_limit") or ""
        ),
    )


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


def _citizen_by_wa_id(wa_id: str, user_id: str = "") -> Citizen | None:
    """The citizen a webhook names by phone (wa_id), by business-scoped user id, or both.

    By phone first; a user id seen with a known phone is remembered on that citizen (never
    creating a second one), so a later webhook that carries the user id alone, as it does for
    a citizen who hid their number behind a username, still finds them.
    """
    user_id = _user_id(user_id)
    citizen = Citizen.objects.filter(phone="+" + wa_id.lstrip("+")).first() if wa_id else None
    if citizen is None:
        return Citizen.objects.filter(whatsapp_user_id=user_id).first() if user_id else None
    if user_id and citizen.whatsapp_user_id != user_id:
        services.learn_user_id(citizen_id=citizen.pk, user_id=user_id)
    return citizen


def _user_id(raw: Any) -> str:
    """A BSUID as WhatsApp sends it (CC.<id> or CC.ENT.<id>), or "" when it is not one."""
    text = raw if isinstance(raw, str) else ""
    return text if USER_ID.fullmatch(text) else ""


def _apply_user_id_updates(
    where: str, value: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    updates = value.get("user_id_update") or []
    if not isinstance(updates, list):
        raise ValueError("user_id_update is not a list")
    for index, update in enumerate(updates):
        _guarded(f"{where}.user_id_update[{index}]", problems, _apply_user_id_update, update)


def _apply_user_id_update(update: Any) -> None:
    """WhatsApp gave a citizen a new user id: move it, so one person stays one citizen."""
    if not isinstance(update, dict) or not isinstance(update.get("user_id"), dict):
        raise ValueError("a user_id_update needs a user_id object")
    previous = _user_id(update["user_id"].get("previous"))
    current = _user_id(update["user_id"].get("current"))
    if not current:
        raise ValueError("no current user id")
    services.move_user_id(wa_id=str(update.get("wa_id") or ""), previous=previous, current=current)


def _apply_preferences(where: str, value: dict[str, Any], problems: list[dict[str, str]]) -> None:
    preferences = value.get("user_preferences") or []
    if not isinstance(preferences, list):
        raise ValueError("user_preferences is not a list")
    for index, preference in enumerate(preferences):
        _guarded(f"{where}.user_preferences[{index}]", problems, _apply_preference, preference)


def _apply_preference(preference: Any) -> None:
    if not isinstance(preference, dict):
        raise ValueError("a preference is not an object")
    citizen = _citizen_by_wa_id(str(preference.get("wa_id", "")), preference.get("user_id", ""))
    if citizen is None:
        return
    if preference.get("value") == "stop":
        opt_out_citizen(citizen=citizen, source=OptOutSource.PREFERENCES_WEBHOOK)
        services.suppress_opted_out_deliveries(citizen_ids=[citizen.pk])
    elif preference.get("value") == "resume":
        resume_citizen(citizen=citizen, sources=[OptOutSource.PREFERENCES_WEBHOOK])


def is_stop_keyword(text: str) -> bool:
    """STOP in English, Hindi or Bengali (the whole message, ignoring case and punctuation)."""
    cleaned = text.strip().strip(".!।").strip().casefold()
    return cleaned in {k.casefold() for k in settings.WHATSAPP_STOP_KEYWORDS}


def _receive_message(
    message: Any, metadata: dict[str, Any], contacts: list[Any] | None = None
) -> None:
    if not isinstance(message, dict):
        raise ValueError("a message is not an object")
    if message.get("type") == "system":  # since Aug 2026 a changed user id comes this way
        raw = message.get("system")
        system: dict[str, Any] = raw if isinstance(raw, dict) else {}
        previous, current = (
            _user_id(system.get("previous_user_id")),
            _user_id(system.get("user_id")),
        )
        if current and system.get("type") in {"user_changed_user_id", "user_changed_number"}:
            services.move_user_id(
                wa_id=str(message.get("from") or ""), previous=previous, current=current
            )
        return
    sender = str(message.get("from", ""))
    body = message.get("text")
    text = str(body.get("body", "")) if isinstance(body, dict) else ""
    user_id = _user_id(message.get("from_user_id", ""))
    citizen = _citizen_by_wa_id(sender, user_id)
    received_at = _when(message.get("timestamp"))
    if citizen is not None:
        note_inbound_message(citizen_id=citizen.pk, at=received_at)
    if citizen is not None and is_stop_keyword(text):
        opt_out_citizen(citizen=citizen, source=OptOutSource.KEYWORD)
        services.suppress_opted_out_deliveries(citizen_ids=[citizen.pk])
        return
    if citizen is not None and text.strip().casefold() in RESUME_KEYWORDS:
        resume_citizen(citizen=citizen, sources=[OptOutSource.KEYWORD])
        return
    inbound_message.send(
        sender=Delivery,
        message_id=str(message.get("id", "")),
        from_phone="+" + sender.lstrip("+") if sender else "",  # withheld behind a username
        from_user_id=user_id,
        sender_profile=_contact_of(contacts or [], sender, user_id),
        text=text,
        message_type=str(message.get("type", "")),
        received_at=received_at,
        to_phone_number_id=str(metadata.get("phone_number_id", "")),
        citizen=citizen,
    )
