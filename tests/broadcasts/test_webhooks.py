"""The webhook: signatures on the raw body, idempotent storage, monotonic statuses, opt-outs."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from broadcasts import webhooks
from broadcasts.models import Delivery, DeliveryStatus, WebhookEvent
from broadcasts.signals import inbound_message
from people.models import Citizen, OptOutSource
from tests.broadcasts.conftest import SAMPLE_SECRET
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db
URL = "/webhooks/whatsapp"


@pytest.fixture(autouse=True)
def _secret(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_APP_SECRET = SAMPLE_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"


def _post(client, body: bytes, signature: str | None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    return client.post(URL, data=body, content_type="application/json", **headers)


def _process_all() -> None:
    for event_id in WebhookEvent.objects.values_list("id", flat=True):
        webhooks.process_event(event_id=event_id)


class TestVerificationHandshake:
    def test_it_echoes_the_challenge_with_the_right_token(self, client) -> None:
        response = client.get(
            URL, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
        )
        assert response.status_code == 200
        assert response.content == b"42"

    def test_it_refuses_a_wrong_token(self, client) -> None:
        response = client.get(
            URL, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"}
        )
        assert response.status_code == 403


class TestSignatures:
    def test_a_signed_sample_is_accepted_and_stored(self, client, sample) -> None:
        body, signature = sample("status_sent.json")
        assert reverse("broadcasts:whatsapp_webhook") == URL
        response = _post(client, body, signature)
        assert response.status_code == 200
        assert WebhookEvent.objects.count() == 1

    @pytest.mark.parametrize(
        "signature",
        [None, "", "sha256=", "sha256=" + "0" * 64, "sha1=abc", "md5=" + "f" * 32],
    )
    def test_forged_or_missing_signatures_get_403_and_nothing_is_stored(
        self, client, sample, signature
    ) -> None:
        body, _ = sample("status_sent.json")
        assert _post(client, body, signature).status_code == 403
        assert WebhookEvent.objects.count() == 0

    def test_a_valid_signature_of_another_body_is_refused(self, client, sample) -> None:
        body, _ = sample("status_sent.json")
        _, other_signature = sample("status_read.json")
        assert _post(client, body, other_signature).status_code == 403
        assert _post(client, body + b" ", sample("status_sent.json")[1]).status_code == 403
        assert WebhookEvent.objects.count() == 0

    def test_without_a_configured_secret_nothing_is_accepted(
        self, client, sample, settings
    ) -> None:
        settings.WHATSAPP_APP_SECRET = ""
        assert _post(client, *sample("status_sent.json")).status_code == 403

    def test_signed_garbage_is_a_400_not_a_500(self, client) -> None:
        import hashlib
        import hmac

        body = b"not json"
        signature = "sha256=" + hmac.new(SAMPLE_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert _post(client, body, signature).status_code == 400
        assert WebhookEvent.objects.count() == 0


class TestStatuses:
    @pytest.fixture
    def delivery(self, world, templates) -> Delivery:  # type: ignore[no-untyped-def]
        citizen = CitizenFactory(station=world.station, phone="+919000000001")
        return Delivery.objects.create(
            citizen=citizen,
            purpose="broadcast-test",
            text="hello",
            status=DeliveryStatus.SENT,
            wamid="wamid.RkFLRS5URVNULk9VVEJPVU5ELjAwMDE=",
            sent_at=timezone.now(),
        )

    def test_duplicate_webhooks_are_stored_once(self, client, sample, delivery) -> None:
        body, signature = sample("status_delivered.json")
        first = _post(client, body, signature).json()
        second = _post(client, body, signature).json()
        assert (first["duplicate"], second["duplicate"]) == (False, True)
        assert WebhookEvent.objects.count() == 1

    def test_read_then_delivered_never_moves_backwards(self, client, sample, delivery) -> None:
        read_body, read_sig = sample("status_read.json")
        payload = json.loads(read_body)
        status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
        assert status["id"] == delivery.wamid or status.get("recipient_id")
        _post(client, read_body, read_sig)
        _post(client, *sample("status_delivered.json"))
        _post(client, *sample("status_sent.json"))
        _process_all()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.READ
        assert delivery.delivered_at is not None

    def test_processing_an_event_twice_changes_nothing_more(self, client, sample, delivery) -> None:
        _post(client, *sample("status_delivered.json"))
        event = WebhookEvent.objects.get()
        assert webhooks.process_event(event_id=event.pk) is True
        assert webhooks.process_event(event_id=event.pk) is False


class TestOptOuts:
    def test_user_preferences_stop_opts_the_citizen_out(self, client, sample, world) -> None:
        citizen = CitizenFactory(station=world.station, phone="+919000000002")
        _post(client, *sample("user_preferences_stop.json"))
        _process_all()
        citizen.refresh_from_db()
        assert citizen.opt_out_source == OptOutSource.PREFERENCES_WEBHOOK

    def test_failed_131050_opts_the_citizen_out_and_skips_their_pending(
        self, client, sample, world
    ) -> None:
        citizen = CitizenFactory(station=world.station, phone="+919000000002")
        Delivery.objects.create(
            citizen=citizen,
            purpose="t",
            text="x",
            status=DeliveryStatus.SENT,
            wamid="wamid.RkFLRS5URVNULk9VVEJPVU5ELjAwMDI=",
        )
        pending = Delivery.objects.create(citizen=citizen, purpose="t", text="y")
        _post(client, *sample("status_failed.json"))
        _process_all()
        citizen.refresh_from_db()
        assert citizen.opt_out_source == OptOutSource.ERROR_131050
        assert Delivery.objects.get(pk=pending.pk).status == DeliveryStatus.SKIPPED

    @pytest.mark.parametrize("keyword", ["STOP", "stop.", "बंद", "रोकें", "বন্ধ", " Stop "])
    def test_stop_keywords_in_three_languages(self, world, keyword: str) -> None:
        citizen = CitizenFactory(station=world.station, phone="+919000000001")
        payload = _inbound_payload(keyword)
        webhooks.process_event(event_id=webhooks.store_event(payload).event.pk)
        citizen.refresh_from_db()
        assert citizen.opt_out_source == OptOutSource.KEYWORD

    def test_start_resumes_a_keyword_opt_out(self, world) -> None:
        citizen = CitizenFactory(station=world.station, phone="+919000000001")
        for text in ("STOP", "START"):
            webhooks.process_event(event_id=webhooks.store_event(_inbound_payload(text)).event.pk)
        citizen.refresh_from_db()
        assert citizen.opted_out_at is None


class TestInbound:
    def test_inbound_message_is_signalled_once_even_when_delivered_twice(
        self, client, sample, world
    ) -> None:
        CitizenFactory(station=world.station, phone="+919000000001")
        received = []

        def receiver(**kwargs):  # type: ignore[no-untyped-def]
            received.append(kwargs)

        inbound_message.connect(receiver)
        try:
            body, signature = sample("inbound_text.json")
            _post(client, body, signature)
            _post(client, body, signature)
            _process_all()
            _process_all()
        finally:
            inbound_message.disconnect(receiver)
        assert len(received) == 1
        assert received[0]["from_phone"] == "+919000000001"
        assert "lost phone" in received[0]["text"]
        assert isinstance(received[0]["citizen"], Citizen)


def _inbound_payload(text: str) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "100000000000002"},
                                "messages": [
                                    {
                                        "from": "919000000001",
                                        "id": f"wamid.{abs(hash(text))}",
                                        "timestamp": "1767226000",
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
