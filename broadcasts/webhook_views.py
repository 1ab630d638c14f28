"""The WhatsApp webhook endpoint: verification handshake (GET) and events (POST)."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from broadcasts import tasks, webhooks

MAX_BODY_BYTES = 3 * 1024 * 1024
logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """GET: echo hub.challenge when hub.verify_token matches. POST: verify, store, answer fast."""
    if request.method == "GET":
        return _verify(request)
    body = _raw_body(request)
    if body is None:
        return HttpResponse("body too large", status=413, content_type="text/plain")
    if not webhooks.signature_is_valid(body, request.headers.get("X-Hub-Signature-256")):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    try:
        stored = webhooks.store_event(body)
    except (ValueError, json.JSONDecodeError):
        return HttpResponse("malformed body", status=400, content_type="text/plain")
    if stored.created:
        event_id = stored.event.pk
        transaction.on_commit(lambda: _enqueue(event_id))
    return JsonResponse({"received": True, "duplicate": not stored.created})


def _raw_body(request: HttpRequest) -> bytes | None:
    """The body read under the webhook's own limit (MAX_BODY_BYTES), or None above it.

    Read from the stream, not `request.body`: Django refuses bodies over
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB) there with a 400, and genuine signed deliveries of
    up to MAX_BODY_BYTES would be lost.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _enqueue(event_id: int) -> None:
    """Queue processing; if the broker is down the event is safe in the database and the
    reaper's sweep processes it (WhatsApp must still get its 200)."""
    try:
        tasks.process_webhook_event.delay(event_id)
    except Exception:
        logger.warning("broker unavailable; webhook event %s left for the sweep", event_id)


def _verify(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("hub.verify_token", "")
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponse("verification failed", status=403, content_type="text/plain")
