"""Idempotency-Key for API POSTs that create things (pretix's pattern).

The first response to (user, path, key) is kept in the cache for GROUPS_IDEMPOTENCY_SECONDS;
a replay gets that response again, marked `Idempotent-Replayed: true`, and nothing is done
twice. The same key with a different body is refused (422); a replay while the first request
is still running gets 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

Handler = Callable[..., Response]


def _cache_key(request: Request, key: str) -> str:
    raw = f"{request.user.pk}|{request.path}|{key}".encode()
    return "groups:idem:" + hashlib.sha256(raw).hexdigest()


def _request_bytes(request: Request) -> bytes:
    """The request body, for comparing a replay with the first request.

    With session authentication DRF's CSRF check reads a form body through request.POST, after
    which Django refuses `request.body`; the parsed data then stands in for it.
    """
    try:
        return bytes(request.body)
    except RawPostDataException:
        return json.dumps(request.data, sort_keys=True, default=str).encode()


def idempotent(handler: Handler) -> Handler:
    """Wrap an APIView.post so that a repeated Idempotency-Key replays the first response."""

    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response(
                {"detail": _("The Idempotency-Key is too long.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        body = hashlib.sha256(_request_bytes(request)).hexdigest()
        cache_key = _cache_key(request, key)
        stored = cache.get(cache_key)
        if stored is None:
            if not cache.add(cache_key + ":lock", 1, timeout=60):
                return Response(
                    {"detail": _("A request with this Idempotency-Key is still running.")},
                    status=status.HTTP_409_CONFLICT,
                )
            try:
                response = handler(view, request, *args, **kwargs)
                if response.status_code < 500:
                    data = json.loads(json.dumps(response.data, cls=JSONEncoder))
                    stored = {"body": body, "status": response.status_code, "data": data}
                    cache.set(cache_key, stored, timeout=settings.GROUPS_IDEMPOTENCY_SECONDS)
                return response
            finally:
                cache.delete(cache_key + ":lock")
        if stored["body"] != body:
            return Response(
                {"detail": _("This Idempotency-Key was used with a different request.")},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(
            stored["data"], status=stored["status"], headers={"Idempotent-Replayed": "true"}
        )

    return wrapper
