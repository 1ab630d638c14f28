"""Meta's WhatsApp Cloud API over HTTP (httpx: one shared client, keep-alive, timeouts)."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from django.conf import settings

from broadcasts.providers.base import (
    ErrorClass,
    OutgoingMessage,
    ProviderError,
    SendResult,
    classify,
)
from people.phones import whatsapp_id

_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=30.0)


class CloudProvider:
    name = "cloud"

    def __init__(
        self, *, base_url: str, version: str, token: str, phone_number_id: str, waba_id: str = ""
    ) -> None:
        self.sender_id = phone_number_id
        self.waba_id = waba_id
        self.messages_url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/messages"
        self.base_url = base_url.rstrip("/")
        self.version = version
        self._token = token
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self.max_in_flight = int(getattr(settings, "WHATSAPP_SEND_CONCURRENCY", 16))

    @classmethod
    def from_settings(cls) -> CloudProvider:
        return cls(
            base_url=settings.WHATSAPP_API_BASE_URL,
            version=settings.WHATSAPP_API_VERSION,
            token=settings.WHATSAPP_TOKEN,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
            waba_id=getattr(settings, "WHATSAPP_BUSINESS_ACCOUNT_ID", ""),
        )

    @property
    def client(self) -> httpx.Client:
        """One client per process (thread-safe), created lazily after a worker forks."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
                    self._client = httpx.Client(
                        timeout=_TIMEOUT,
                        limits=limits,
                        headers={"Authorization": f"Bearer {self._token}"},
                    )
        return self._client

    def send(self, message: OutgoingMessage) -> SendResult:
        """POST one message; ProviderError says whether and how to retry."""
        try:
            response = self.client.post(self.messages_url, json=request_body(message))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing left this machine: safe to retry.
            raise ProviderError(
                f"connect: {exc!r}"[:200], code=None, error_class=ErrorClass.TRANSIENT
            ) from exc
        except httpx.TransportError as exc:
            # The request may have reached WhatsApp: never resend blindly; the webhook decides.
            raise ProviderError(
                f"no answer: {exc!r}"[:200], code=None, error_class=ErrorClass.AMBIGUOUS
            ) from exc
        return parse_response(response)

    def list_templates(self) -> list[dict[str, Any]]:
        """Every message template of the business account, following Meta's paging."""
        url: str | None = f"{self.base_url}/{self.version}/{self.waba_id}/message_templates"
        params: dict[str, Any] | None = {"limit": 100}
        templates: list[dict[str, Any]] = []
        while url:
            response = self.client.get(url, params=params)
            if response.status_code != 200:
                raise parse_error(response)
            body = response.json()
            templates.extend(body.get("data", []))
            url, params = body.get("paging", {}).get("next"), None
        return templates


def request_body(message: OutgoingMessage) -> dict[str, Any]:
    """The Cloud API JSON for one message (template, or text within the 24-hour window)."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "biz_opaque_callback_data": message.callback_data,
    }
    # A phone where known (it keeps the number in Meta's 30-day window); the business-scoped
    # user id in the documented `recipient` field only for a citizen who withheld theirs.
    if message.to:
        body["to"] = whatsapp_id(message.to)
    else:
        body["recipient"] = message.user_id
    if message.template_name:
        template: dict[str, Any] = {
            "name": message.template_name,
            "language": {"code": message.language, "policy": "deterministic"},
        }
        if message.parameters:
            template["components"] = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": p} for p in message.parameters],
                }
            ]
        body |= {"type": "template", "template": template}
    else:
        body |= {"type": "text", "text": {"preview_url": False, "body": message.text}}
    return body


def parse_response(response: httpx.Response) -> SendResult:
    if response.status_code == 200:
        try:
            return SendResult(wamid=response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(
                "unreadable success answer", code=None, error_class=ErrorClass.AMBIGUOUS
            ) from exc
    raise parse_error(response)


def parse_error(response: httpx.Response) -> ProviderError:
    """A ProviderError classified by the Graph error code (HTTP status only as a fallback)."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code = error.get("code")
    code = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
    message = str(error.get("message") or f"HTTP {response.status_code}")
    details = (error.get("error_data") or {}).get("details")
    if details:
        message = f"{message}: {details}"
    retry_after = response.headers.get("Retry-After")
    return ProviderError(
        message[:300],
        code=code,
        error_class=classify(code, http_status=response.status_code),
        retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
    )
