"""The embedded provider: stores messages for the sandbox phone page and fakes their statuses."""

from __future__ import annotations

import uuid

from django.utils import timezone

from broadcasts.models import MessageTemplate, SandboxMessage
from broadcasts.providers.base import ErrorClass, OutgoingMessage, ProviderError, SendResult


class SandboxProvider:
    name = "sandbox"
    sender_id = "sandbox"
    max_in_flight = 1  # it writes to the database: keep it on the sender's own connection

    def send(self, message: OutgoingMessage) -> SendResult:
        body = message.text
        if message.template_name:
            template = MessageTemplate.objects.filter(
                name=message.template_name, language=message.language
            ).first()
            if template is None or template.status != MessageTemplate.Status.APPROVED:
                raise ProviderError(
                    "Template name does not exist in the translation",
                    code=132001,
                    error_class=ErrorClass.NEVER_RETRY,
                )
            body = template.render(message.parameters)
        wamid = "wamid.SANDBOX" + uuid.uuid4().hex.upper()
        SandboxMessage.objects.create(
            to=message.to or message.user_id,
            wamid=wamid,
            template_name=message.template_name,
            language=message.language,
            body=body,
            callback_data=message.callback_data,
        )
        self._simulate_statuses(message, wamid)
        return SendResult(wamid=wamid)

    @staticmethod
    def _simulate_statuses(message: OutgoingMessage, wamid: str) -> None:
        """What WhatsApp's webhooks would report: every message delivered, about 60% read
        (decided by the wamid, so a re-run shows the same figures)."""
        from broadcasts.services import StatusUpdate, apply_status_update

        delivery_id = int(message.callback_data) if message.callback_data.isdigit() else None
        now = timezone.now()
        steps = ["delivered"] + (["read"] if int(wamid[-2:], 16) % 10 < 6 else [])
        for step in steps:
            apply_status_update(
                StatusUpdate(status=step, wamid=wamid, delivery_id=delivery_id, timestamp=now)
            )
