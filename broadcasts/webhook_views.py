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
    if len(request.body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    if not webhooks.signature_is_valid(request.body, request.headers.get("X-Hub-Signature-256")):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    try:
        stored = webhooks.store_event(request.body)
    except (ValueError, json.JSONDecodeError):
        return HttpResponse("malformed body", status=400, content_type="text/plain")
    if stored.created:
        event_id = stored.event.pk
        transaction.on_commit(lambda: _enqueue(event_id))
    return JsonResponse({"received": True, "duplicate": not stored.created})


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
