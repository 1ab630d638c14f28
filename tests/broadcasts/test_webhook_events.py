"""Webhooks beyond message statuses, and bodies that are not what they should be.

- `message_template_status_update` (PAUSED, DISABLED, REJECTED, re-APPROVED) changes the
  template at once, stops the broadcasts using it and keeps new ones from starting;
- `phone_number_quality_update` records the number's quality and messaging tier, and the
  sender defers by that tier;
- a body with unreadable parts applies what it can, says what it could not, and is never
  left to be retried forever; one nested absurdly deep is refused (400) and not stored;
- the webhook's own size limit (3 MiB) is the one that applies, not Django's 2.5 MiB.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from accounts.models import Notification, Role
from broadcasts import halts, lifecycle, services, tasks, webhooks
from broadcasts.models import (
    Broadcast,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    WebhookEvent,
    WhatsAppNumber,
)
from broadcasts.webhook_views import MAX_BODY_BYTES
from tests.broadcasts.conftest import SAMPLE_SECRET
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db
URL = "/webhooks/whatsapp"


@pytest.fixture(autouse=True)
def _secret(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_APP_SECRET = SAMPLE_SECRET


def _signed(body: bytes) -> str:
    return "sha256=" + hmac.new(SAMPLE_SECRET.encode(), body, hashlib.sha256).hexdigest()


def _post(client, body: bytes, signature: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature or _signed(body),
    )


def _process_all() -> None:
    for event_id in WebhookEvent.objects.values_list("id", flat=True):
        webhooks.process_event(event_id=event_id)


def _envelope(field: str, value: object) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "100000000000001", "changes": [{"field": field, "value": value}]}],
        }
    ).encode()


def _template_event(event: str, template: MessageTemplate) -> bytes:
    return _envelope(
        "message_template_status_update",
        {
            "event": event,
            "message_template_id": int(template.provider_id),
            "message_template_name": template.name,
            "message_template_language": template.language,
            "reason": "NONE",
        },
    )


class TestTemplateStatus:
    @pytest.fixture
    def daily(self, templates) -> MessageTemplate:  # type: ignore[no-untyped-def]
        """The template of ../shared/whatsapp/samples/template_status_paused.json."""
        return MessageTemplate.objects.create(
            name="daily_safety_awareness",
            language="hi",
            category=MessageTemplate.Category.MARKETING,
            body="{{1}}: आज की सुरक्षा सलाह",
            parameter_count=1,
            status=MessageTemplate.Status.APPROVED,
            provider_id="100000000000010",
        )

    def _broadcast(self, world, template: MessageTemplate) -> Broadcast:  # type: ignore[no-untyped-def]
        CitizenFactory(station=world.station)
        draft = lifecycle.create_broadcast(
            district=world.district,
            title="Daily tip",
            template=template,
            parameters=["Kabirdham"],
            by=world.user(Role.CYBER_CELL),
        )
        return lifecycle.submit_broadcast(broadcast=draft, by=world.user(Role.CYBER_CELL))

    def test_a_pause_stops_the_broadcasts_using_it_at_once(
        self, client, sample, world, daily, awareness, django_capture_on_commit_callbacks
    ) -> None:
        sending = self._broadcast(world, daily)
        Broadcast.objects.filter(pk=sending.pk).update(status=Broadcast.Status.SENDING)
        other = self._broadcast(world, awareness)
        Broadcast.objects.filter(pk=other.pk).update(status=Broadcast.Status.SENDING)

        assert _post(client, *sample("template_status_paused.json")).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            _process_all()

        daily.refresh_from_db()
        assert daily.status == MessageTemplate.Status.PAUSED
        assert Broadcast.objects.get(pk=sending.pk).status == Broadcast.Status.STOPPED
        assert Broadcast.objects.get(pk=other.pk).status == Broadcast.Status.SENDING
        assert Notification.objects.filter(
            recipient=world.user(Role.CYBER_CELL), kind="broadcasts.broadcast.stopped"
        ).exists()
        assert halts.active_halt(sender_id="any", template_ids=[daily.pk]) is not None
        with pytest.raises(Exception, match="approved"):  # no new broadcast with it
            self._broadcast(world, daily)

    @pytest.mark.parametrize(
        ("event", "status"),
        [
            ("DISABLED", MessageTemplate.Status.DISABLED),
            ("REJECTED", MessageTemplate.Status.REJECTED),
            ("PAUSED", MessageTemplate.Status.PAUSED),
        ],
    )
    def test_every_event_that_withdraws_a_template_is_followed(
        self, client, world, daily, event, status
    ) -> None:
        _post(client, _template_event(event, daily))
        _process_all()
        daily.refresh_from_db()
        assert daily.status == status

    def test_a_scheduled_broadcast_waits_for_the_template_and_starts_when_approved(
        self, client, world, daily, django_capture_on_commit_callbacks
    ) -> None:
        scheduled = self._broadcast(world, daily)
        assert scheduled.status == Broadcast.Status.SCHEDULED
        _post(client, _template_event("PAUSED", daily))
        _process_all()

        assert lifecycle.start_due_broadcasts() == []
        scheduled.refresh_from_db()
        assert scheduled.status == Broadcast.Status.SCHEDULED
        assert "approved" in scheduled.status_reason  # the page says why it waits

        _post(client, _template_event("APPROVED", daily))
        with django_capture_on_commit_callbacks(execute=True):
            _process_all()
        daily.refresh_from_db()
        assert daily.status == MessageTemplate.Status.APPROVED
        assert halts.active_halt(sender_id="any", template_ids=[daily.pk]) is None
        assert lifecycle.start_due_broadcasts() == [scheduled.pk]


class TestNumberQuality:
    def test_the_tier_whatsapp_announces_is_the_one_deferrals_follow(
        self, client, settings
    ) -> None:
        settings.WHATSAPP_MESSAGING_LIMIT = 100000
        body = _envelope(
            "phone_number_quality_update",
            {
                "display_phone_number": "919000000000",
                "event": "DOWNGRADE",
                "old_limit": "TIER_10K",
                "max_daily_conversations_per_business": "TIER_2K",
            },
        )
        assert _post(client, body).status_code == 200
        _process_all()
        number = WhatsAppNumber.objects.get(display_phone_number="919000000000")
        assert (number.messaging_tier, number.messaging_limit) == ("TIER_2K", 2000)
        assert services.messaging_limit() == 2000
        assert tasks._tier_allowance() == 2000  # nobody messaged in the last 24 h

        flagged = _envelope(
            "phone_number_quality_update",
            {
                "display_phone_number": "919000000000",
                "event": "FLAGGED",
                "current_limit": "TIER_2K",
            },
        )
        _post(client, flagged)
        _process_all()
        number.refresh_from_db()
        assert number.flagged and number.last_event == "FLAGGED"

    def test_an_unlimited_tier_means_no_deferral(self, client) -> None:
        body = _envelope(
            "phone_number_quality_update",
            {
                "display_phone_number": "919000000000",
                "event": "UPGRADE",
                "max_daily_conversations_per_business": "TIER_UNLIMITED",
            },
        )
        _post(client, body)
        _process_all()
        assert services.messaging_limit() == 0
        assert tasks._tier_allowance() is None


class TestUnreadableParts:
    def test_the_readable_statuses_apply_and_the_rest_is_recorded_once(self, client, world) -> None:
        citizen = CitizenFactory(station=world.station)
        delivery = Delivery.objects.create(
            citizen=citizen, purpose="t", text="x", status=DeliveryStatus.SENT, wamid="wamid.ok"
        )
        good = {
            "id": "wamid.ok",
            "status": "delivered",
            "timestamp": "1767226000",
            "recipient_id": citizen.phone.lstrip("+"),
            "biz_opaque_callback_data": str(delivery.pk),
        }
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "1",
                        "changes": [
                            {"field": "messages", "value": {"statuses": {"id": "x"}}},
                            {
                                "field": "messages",
                                "value": {
                                    "statuses": [
                                        {"id": "wamid.b", "status": "failed", "errors": ["boom"]},
                                        "not-a-status",
                                        good,
                                        {"id": ["x"], "status": 7},
                                    ]
                                },
                            },
                            {"field": "messages", "value": ["not", "an", "object"]},
                            "not a change",
                        ],
                    },
                    "not an entry",
                ],
            }
        ).encode()
        assert _post(client, body).status_code == 200
        event = WebhookEvent.objects.get()

        assert webhooks.process_event(event_id=event.pk) is True

        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.DELIVERED  # the good one in the same body
        event.refresh_from_db()
        assert event.processed_at is not None  # never left to be retried for ever
        wheres = [p["where"] for p in event.problems]
        assert "entry[0].changes[0].statuses" in wheres
        assert "entry[0].changes[1].statuses[0]" in wheres
        assert "entry[0].changes[1].statuses[1]" in wheres
        assert "entry[0].changes[1].statuses[3]" in wheres
        assert "entry[0].changes[2]" in wheres and "entry[1]" in wheres
        assert all(p["why"] for p in event.problems)
        assert webhooks.process_event(event_id=event.pk) is False
        assert tasks.reap()["webhooks"] == 0  # the sweep does not pick it up again

    def test_a_nul_byte_in_an_inbound_text_does_not_block_the_event(self, client, world) -> None:
        CitizenFactory(station=world.station, phone="+919000000001")
        body = _envelope(
            "messages",
            {
                "metadata": {"phone_number_id": "100000000000002"},
                "messages": [
                    {
                        "from": "919000000001",
                        "id": "wamid.n",
                        "timestamp": "1",
                        "type": "text",
                        "text": {"body": "help\u0000me"},
                    },
                ],
            },
        )
        assert _post(client, body).status_code == 200  # before: a 500, retried by Meta for ever
        event = WebhookEvent.objects.get()
        assert webhooks.process_event(event_id=event.pk) is True
        assert "help" in json.dumps(event.payload)


class TestBodies:
    @pytest.mark.parametrize("depth", [40, 5000, 100_000])
    def test_a_body_nested_too_deep_is_a_400_and_stored_nowhere(self, client, depth) -> None:
        body = b'{"entry":' + b"[" * depth + b"]" * depth + b"}"
        response = _post(client, body)
        assert response.status_code == 400
        assert WebhookEvent.objects.count() == 0

    def test_a_signed_body_between_django_s_limit_and_ours_is_accepted(
        self, client, settings
    ) -> None:
        assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 2_900_000 < MAX_BODY_BYTES
        body = _envelope("messages", {"statuses": [], "padding": "x" * 2_900_000})
        assert _post(client, body).status_code == 200
        assert WebhookEvent.objects.count() == 1

    def test_a_body_over_our_limit_is_a_413(self, client) -> None:
        body = _envelope("messages", {"statuses": [], "padding": "x" * (MAX_BODY_BYTES + 10)})
        assert _post(client, body).status_code == 413
        assert WebhookEvent.objects.count() == 0
