"""Business-scoped user ids (BSUID): a citizen who hides their number is still one citizen, and
their STOP is honoured (issue 15, part 1, first increment).

Since April 2026 every webhook carries the citizen's BSUID beside, or instead of, the phone
number (../shared/whatsapp/USERNAMES.md). Before: a STOP that came with the BSUID alone
(samples/user_preferences_stop_bsuid.json) matched nobody, and the citizen went on receiving
broadcasts. Now the BSUID is learned from the webhooks that name a known phone (the `sent`
status of every message we send, inbound messages, preferences), so the STOP finds them. The
payloads are Meta's signed samples where they exist, processed as the webhook view does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from broadcasts import webhooks
from broadcasts.models import Delivery, DeliveryStatus
from people.models import Citizen, OptOutSource
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "whatsapp" / "samples"
THREE = "IN.1000000000000003"


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


def _process(payload: dict[str, Any]) -> None:
    stored = webhooks.store_event(json.dumps(payload).encode())
    assert webhooks.process_event(event_id=stored.event.pk)


def _sent_status(wamid: str, phone: str, user_id: str) -> dict[str, Any]:
    payload = _sample("status_delivered_bsuid.json")
    value = payload["entry"][0]["changes"][0]["value"]
    status = value["statuses"][0]
    status.update(id=wamid, status="sent", recipient_id=phone.lstrip("+"))
    status["recipient_user_id"] = user_id
    status.pop("biz_opaque_callback_data", None)
    return payload


def _delivery(citizen: Citizen, wamid: str, status: str = DeliveryStatus.PENDING) -> Delivery:
    return Delivery.objects.create(
        citizen=citizen,
        purpose="complaints.ack",
        text="Your complaint is registered.",
        status=status,
        wamid=wamid or None,
    )


def test_a_stop_by_user_id_alone_stops_the_citizen_we_know_by_phone(world) -> None:
    citizen = CitizenFactory(station=world.station, phone="+919000000003")
    _delivery(citizen, "wamid.first", DeliveryStatus.SENDING)
    later = _delivery(citizen, "")
    # The sent status of a message to their phone names their user id: remembered.
    _process(_sent_status("wamid.first", citizen.phone, THREE))
    citizen.refresh_from_db()
    assert citizen.whatsapp_user_id == THREE

    # They adopt a username; WhatsApp's STOP comes with the user id only.
    stop = _sample("user_preferences_stop_bsuid.json")
    assert "wa_id" not in stop["entry"][0]["changes"][0]["value"]["user_preferences"][0]
    _process(stop)

    citizen.refresh_from_db()
    assert citizen.opted_out_at is not None  # before: nobody matched, messages went on
    assert citizen.opt_out_source == OptOutSource.PREFERENCES_WEBHOOK
    later.refresh_from_db()
    assert later.status == DeliveryStatus.SKIPPED  # not sent at send time either
    assert Citizen.objects.count() == 1


def test_stop_written_by_a_username_user_is_matched_by_user_id(world) -> None:
    citizen = CitizenFactory(station=world.station, phone="+919000000003")
    Citizen.objects.filter(pk=citizen.pk).update(whatsapp_user_id=THREE)
    message = _sample("inbound_text_username_user.json")
    value = message["entry"][0]["changes"][0]["value"]
    value["messages"][0]["text"]["body"] = "STOP"
    assert "from" not in value["messages"][0]
    _process(message)
    citizen.refresh_from_db()
    assert citizen.opted_out_at is not None
    assert citizen.opt_out_source == OptOutSource.KEYWORD


def test_a_message_with_phone_and_user_id_attaches_the_id_to_the_known_citizen(world) -> None:
    citizen = CitizenFactory(station=world.station, phone="+919000000003")
    message = _sample("inbound_text_username_user.json")
    value = message["entry"][0]["changes"][0]["value"]
    value["messages"][0]["from"] = "919000000003"
    value["messages"][0]["text"]["body"] = "STOP"
    _process(message)
    assert Citizen.objects.count() == 1  # never a second citizen for one person
    citizen.refresh_from_db()
    assert citizen.whatsapp_user_id == THREE and citizen.opted_out_at is not None


def test_user_id_update_moves_the_id_and_leaves_one_citizen(world) -> None:
    update = _sample("user_id_update.json")
    change = update["entry"][0]["changes"][0]["value"]["user_id_update"][0]
    citizen = CitizenFactory(station=world.station, phone="+" + change["wa_id"])
    Citizen.objects.filter(pk=citizen.pk).update(whatsapp_user_id=change["user_id"]["previous"])
    _process(update)
    citizen.refresh_from_db()
    assert citizen.whatsapp_user_id == change["user_id"]["current"]
    assert Citizen.objects.count() == 1

    # The same change as a `system` message (how Meta sends it since August 2026).
    system = _sample("inbound_text.json")
    message = system["entry"][0]["changes"][0]["value"]["messages"][0]
    message.clear()
    message.update(
        {
            "from": change["wa_id"],
            "id": "wamid.system1",
            "timestamp": "1783000700",
            "type": "system",
            "system": {
                "body": "User changed",
                "type": "user_changed_user_id",
                "user_id": "IN.1000000000000006",
                "previous_user_id": change["user_id"]["current"],
            },
        }
    )
    _process(copy.deepcopy(system))
    citizen.refresh_from_db()
    assert citizen.whatsapp_user_id == "IN.1000000000000006"


def test_a_user_id_is_never_given_to_two_citizens(world) -> None:
    first = CitizenFactory(station=world.station, phone="+919000000003")
    second = CitizenFactory(station=world.station, phone="+919000000013")
    _delivery(first, "wamid.a", DeliveryStatus.SENDING)
    _delivery(second, "wamid.b", DeliveryStatus.SENDING)
    _process(_sent_status("wamid.a", first.phone, THREE))
    _process(_sent_status("wamid.b", second.phone, THREE))  # a clash: logged, not applied
    assert list(Citizen.objects.filter(whatsapp_user_id=THREE).values_list("pk", flat=True)) == [
        first.pk
    ]
