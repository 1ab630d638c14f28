"""WhatsApp intake: a citizen's message through the signed webhook becomes one complaint."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest

from broadcasts import demo as broadcasts_demo
from broadcasts import webhooks
from broadcasts.models import Delivery, WebhookEvent
from broadcasts.signals import inbound_message
from complaints.models import Complaint, ComplaintChannel, VictimIdentity
from complaints.services import is_sos_text
from people.models import Citizen
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db
URL = "/webhooks/whatsapp"
SECRET = "fake_app_secret_for_tests"
CITIZEN_PHONE = "+919000000001"


@pytest.fixture(autouse=True)
def _secret(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_APP_SECRET = SECRET


@pytest.fixture
def templates(db) -> None:  # type: ignore[no-untyped-def]
    broadcasts_demo.seed_sandbox_templates()


@pytest.fixture
def citizen(world) -> Citizen:  # type: ignore[no-untyped-def]
    return CitizenFactory(
        station=world.station,
        phone=CITIZEN_PHONE,
        name="Meherunnisa Planted",
        preferred_language="en",
    )


def _payload(
    text: str,
    wamid: str = "wamid.TEST.0001",
    timestamp: str = "1767226000",
    *,
    to_number: str = "100000000000002",
    sender: str = CITIZEN_PHONE,
) -> bytes:
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
                                "metadata": {"phone_number_id": to_number},
                                "messages": [
                                    {
                                        "from": sender.lstrip("+"),
                                        "id": wamid,
                                        "timestamp": timestamp,
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


def _deliver(client, body: bytes) -> None:  # type: ignore[no-untyped-def]
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        URL, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )
    assert response.status_code == 200
    for event_id in WebhookEvent.objects.values_list("id", flat=True):
        webhooks.process_event(event_id=event_id)


def test_a_message_delivered_twice_becomes_exactly_one_acknowledged_complaint(
    client, citizen, templates
) -> None:
    body = _payload("A man keeps following my daughter near the school gate.")
    _deliver(client, body)
    _deliver(client, body)
    # The same message id in a re-sent envelope (another body, so stored as a new event).
    _deliver(
        client,
        _payload("A man keeps following my daughter near the school gate.", timestamp="1767226999"),
    )
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.WHATSAPP
    assert complaint.station == citizen.station
    assert complaint.inbound_wamid == "wamid.TEST.0001"
    assert complaint.created_by is None
    assert not complaint.is_sos
    identity = VictimIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.phone) == ("Meherunnisa Planted", CITIZEN_PHONE)
    ack = Delivery.objects.get(purpose="complaints.ack")
    assert ack.citizen == citizen
    assert ack.parameters == [complaint.tracking_number, citizen.station.name]


def test_two_different_messages_become_two_complaints(client, citizen, templates) -> None:
    _deliver(client, _payload("First", wamid="wamid.A"))
    _deliver(client, _payload("Second", wamid="wamid.B"))
    assert Complaint.objects.count() == 2


def test_the_signal_sent_twice_for_one_message_makes_one_complaint(citizen, templates) -> None:
    from django.utils import timezone

    for _ in range(2):
        inbound_message.send(
            sender=Delivery,
            message_id="wamid.DIRECT",
            from_phone=CITIZEN_PHONE,
            text="help",
            message_type="text",
            received_at=timezone.now(),
            to_phone_number_id="1",
            citizen=citizen,
        )
    assert Complaint.objects.filter(inbound_wamid="wamid.DIRECT").count() == 1


@pytest.mark.parametrize(
    "text",
    ["SOS he is outside my door", "Please help!", "मुझे बचाओ", "मदद चाहिए", "আমাকে বাঁচাও", "সাহায্য করুন"],
)
def test_sos_and_help_words_in_three_languages_raise_the_sos_flag(
    client, citizen, templates, text
) -> None:
    _deliver(client, _payload(text))
    complaint = Complaint.objects.get()
    assert complaint.is_sos
    assert complaint.priority == "urgent"


@pytest.mark.parametrize("text", ["Helpful neighbours", "My phone was lost", "chosen"])
def test_ordinary_words_do_not_raise_sos(text) -> None:
    assert not is_sos_text(text)


def test_a_message_from_an_unknown_number_is_skipped_with_a_log_line(
    client, world, templates, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="complaints")
    _deliver(client, _payload("Someone is harassing me"))
    assert Complaint.objects.count() == 0
    assert "wamid.TEST.0001" in caplog.text
    assert "harassing" not in caplog.text


def test_without_an_approved_template_the_complaint_is_still_registered(client, citizen) -> None:
    _deliver(client, _payload("Cyber fraud, lost Rs 5000"))
    assert Complaint.objects.count() == 1
    assert not Delivery.objects.filter(purpose="complaints.ack").exists()


class TestDistrictHelplines:
    """A district with its own WhatsApp helpline gets the messages of senders we cannot place
    at a station that reach its number; the deployment's district setting is the fallback."""

    UNKNOWN = "+919000000555"

    def test_an_unknown_sender_to_a_districts_number_waits_in_that_district(
        self, client, world, settings
    ) -> None:
        from complaints.models import UnroutedMessage

        world.sibling_district.whatsapp_phone_number_id = "100000000000777"
        world.sibling_district.save()
        settings.COMPLAINTS_WHATSAPP_DISTRICT = world.district.code
        _deliver(client, _payload("Help", wamid="wamid.H1", to_number="100000000000777",
                                  sender=self.UNKNOWN))  # fmt: skip
        _deliver(client, _payload("Help", wamid="wamid.H2", to_number="100000000000888",
                                  sender=self.UNKNOWN))  # fmt: skip
        districts = dict(UnroutedMessage.objects.values_list("inbound_wamid", "district_id"))
        assert districts == {
            "wamid.H1": world.sibling_district.pk,  # its own helpline
            "wamid.H2": world.district.pk,  # another number: the deployment's district
        }

    def test_the_citizens_own_district_comes_first(self, client, world) -> None:
        from complaints.models import UnroutedMessage

        world.sibling_district.whatsapp_phone_number_id = "100000000000777"
        world.sibling_district.save()
        CitizenFactory(phone=self.UNKNOWN, station=None, district=world.district)
        _deliver(client, _payload("Help", wamid="wamid.H3", to_number="100000000000777",
                                  sender=self.UNKNOWN))  # fmt: skip
        assert UnroutedMessage.objects.get().district == world.district

    def test_two_districts_cannot_share_a_number_and_ids_are_digits(self, world) -> None:
        from django.core.exceptions import ValidationError

        world.district.whatsapp_phone_number_id = "100000000000777"
        world.district.save()
        world.sibling_district.whatsapp_phone_number_id = "100000000000777"
        with pytest.raises(ValidationError, match="Another district"):
            world.sibling_district.full_clean()
        world.sibling_district.whatsapp_phone_number_id = "+91 98"
        with pytest.raises(ValidationError, match="digits only"):
            world.sibling_district.full_clean()
        world.sibling_district.whatsapp_phone_number_id = ""
        world.sibling_district.full_clean()  # many districts share no number of their own
        world.other_district.full_clean()
