"""Citizens who withheld their number behind a WhatsApp username (issue 15, part 1).

Meta's sample `inbound_text_username_user.json` carries no phone at all: only the sender's
business-scoped user id. Before, such a message found nobody, waited in the district queue as
sent from "+" and its writer could never be answered. Now the writer becomes a citizen known by
user id alone, their complaint is marked "no phone number shared", and the officer's reply
within 24 hours reaches them through the documented `recipient` field.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from broadcasts import sending, webhooks
from broadcasts.models import Delivery, SandboxMessage
from broadcasts.providers.base import OutgoingMessage
from broadcasts.providers.cloud import request_body
from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintEvent, UnroutedMessage
from people import services as people_services
from people.models import Citizen
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "whatsapp" / "samples"
THREE = "IN.1000000000000003"
HELPLINE = "100000000000002"  # the sample's metadata.phone_number_id


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


def _process(payload: dict[str, Any]) -> None:
    stored = webhooks.store_event(json.dumps(payload).encode())
    assert webhooks.process_event(event_id=stored.event.pk)


def _inbound_from_username(text: str = "", wamid: str = "") -> dict[str, Any]:
    payload = _sample("inbound_text_username_user.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["timestamp"] = str(int(timezone.now().timestamp()))
    if text:
        message["text"]["body"] = text
    if wamid:
        message["id"] = wamid
    return payload


@pytest.fixture
def helpline(world):  # type: ignore[no-untyped-def]
    type(world.district).objects.filter(pk=world.district.pk).update(
        whatsapp_phone_number_id=HELPLINE
    )
    return world


def _routed_complaint(world) -> Complaint:  # type: ignore[no-untyped-def]
    _process(_inbound_from_username())
    message = UnroutedMessage.objects.get()
    return complaint_services.route_unrouted(
        message=message, station=world.station, by=world.user(Role.DISTRICT_HEAD)
    )


def test_a_message_without_a_phone_makes_one_citizen_known_by_user_id(helpline) -> None:
    _process(_inbound_from_username())
    _process(_inbound_from_username(text="And my phone too."))  # a second message: same writer
    citizen = Citizen.objects.get()
    assert (citizen.phone, citizen.whatsapp_user_id) == (None, THREE)
    assert citizen.name == "Test Citizen Three" and citizen.district_id == helpline.district.pk
    assert citizen.consent_at is None  # writing to us is not joining the broadcasts
    assert citizen.reply_window_open
    message = UnroutedMessage.objects.first()
    assert message is not None and message.citizen_id == citizen.pk and not message.from_phone
    assert str(citizen.masked_phone) == "no phone number shared"


def test_the_complaint_is_marked_and_the_reply_goes_to_the_user_id(helpline, login) -> None:
    complaint = _routed_complaint(helpline)
    assert complaint.whatsapp_citizen is not None
    assert complaint.whatsapp_citizen.whatsapp_user_id == THREE
    client = login(helpline.user(Role.STATION_IC))
    page = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    html = page.content.decode()
    assert 'data-testid="no-phone-shared"' in html and 'data-testid="reply-form"' in html
    response = client.post(
        reverse("complaints:complaint_reply", args=[complaint.pk]),
        {"text": "We have registered it; the beat officer will call at the station."},
    )
    assert response.status_code == 302
    reply = Delivery.objects.get(purpose="complaints.reply")
    assert reply.citizen.whatsapp_user_id == THREE and reply.text.startswith("We have registered")
    assert ComplaintEvent.objects.filter(
        complaint=complaint, kind=ComplaintEvent.Kind.REPLIED
    ).exists()
    sending.run_sender(broadcast_id=None, time_budget=5)
    assert SandboxMessage.objects.filter(to=THREE, body__startswith="We have registered").exists()


def test_a_reply_after_24_hours_is_refused_with_the_reason(helpline, login) -> None:
    complaint = _routed_complaint(helpline)
    Citizen.objects.filter(whatsapp_user_id=THREE).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    client = login(helpline.user(Role.STATION_IC))
    page = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert 'data-testid="reply-closed"' in page.content.decode()
    response = client.post(
        reverse("complaints:complaint_reply", args=[complaint.pk]), {"text": "Hello"}
    )
    assert response.status_code == 400
    assert "24 hours" in response.content.decode()
    assert not Delivery.objects.filter(purpose="complaints.reply").exists()


def test_a_stranger_station_cannot_reply(helpline, login) -> None:
    complaint = _routed_complaint(helpline)
    stranger = login(helpline.strangers[Role.STATION_IC])
    response = stranger.post(
        reverse("complaints:complaint_reply", args=[complaint.pk]), {"text": "Hello"}
    )
    assert response.status_code in {403, 404}
    assert not Delivery.objects.filter(purpose="complaints.reply").exists()


def test_a_stop_from_the_user_id_alone_stops_replies_too(helpline) -> None:
    complaint = _routed_complaint(helpline)
    _process(_inbound_from_username(text="STOP", wamid="wamid.STOP-THREE"))
    citizen = Citizen.objects.get(whatsapp_user_id=THREE)
    assert citizen.opted_out_at is not None
    with pytest.raises(Exception, match="asked not to be messaged"):
        complaint_services.reply_on_whatsapp(
            complaint=complaint, by=helpline.user(Role.STATION_IC), text="Hello"
        )


def test_the_cloud_api_body_uses_recipient_only_without_a_phone() -> None:
    by_id = request_body(OutgoingMessage(to="", user_id=THREE, callback_data="1", text="Hi"))
    assert by_id["recipient"] == THREE and "to" not in by_id
    by_phone = request_body(
        OutgoingMessage(to="+919800000001", user_id=THREE, callback_data="2", text="Hi")
    )
    assert by_phone["to"] == "919800000001" and "recipient" not in by_phone


def test_a_citizen_with_a_phone_is_replied_to_by_phone(helpline) -> None:
    citizen = CitizenFactory(station=helpline.station, phone="+919800000077")
    payload = _sample("inbound_text.json")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"][0]["from"] = "919800000077"
    value["messages"][0]["timestamp"] = str(int(timezone.now().timestamp()))
    value["contacts"][0]["wa_id"] = "919800000077"
    _process(payload)
    complaint = Complaint.objects.get()
    assert complaint.whatsapp_citizen_id == citizen.pk
    complaint_services.reply_on_whatsapp(
        complaint=complaint, by=helpline.user(Role.STATION_IC), text="Noted."
    )
    claimed = sending.load_claimed([Delivery.objects.get(purpose="complaints.reply").pk])[0].message
    assert claimed is not None and (claimed.to, claimed.user_id) == ("+919800000077", "")


def test_a_citizen_known_only_by_user_id_can_be_erased(helpline) -> None:
    _process(_inbound_from_username())
    citizen = Citizen.objects.get()
    erased = people_services.erase_citizen(
        citizen=citizen, by=helpline.user(Role.CYBER_CELL), reason="Written request"
    )
    assert erased.erased_at is not None and erased.whatsapp_user_id is None
    assert erased.phone and erased.phone.startswith("+999")


def test_a_broadcast_counts_and_reaches_a_consenting_citizen_without_a_phone(
    world, awareness
) -> None:
    from broadcasts import audience, lifecycle

    CitizenFactory.create_batch(2, station=world.station)
    CitizenFactory(station=world.station, phone=None, whatsapp_user_id="IN.1000000000000042")
    broadcast = lifecycle.create_broadcast(
        district=world.district,
        title="OTP fraud",
        template=awareness,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
    )
    assert audience.preview(broadcast).recipients == 3
    lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
    assert lifecycle.start_broadcast(broadcast_id=broadcast.pk)
    sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
    assert SandboxMessage.objects.filter(to="IN.1000000000000042").count() == 1
    assert SandboxMessage.objects.count() == 3
