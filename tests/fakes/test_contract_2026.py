"""Contract tests of the fake Cloud API's 2026 behaviour against the shared contract
(../shared/whatsapp: USERNAMES.md, LIMITS-2026.md, the spec and samples/), over real HTTP.

Each webhook the fake posts is checked against the shared sample of the same kind -- the same
keys with the same JSON types, nested -- and against the patched spec, never against what our
client happens to send or read.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import httpx
import pytest

from tests.fakes.whatsapp_server import (
    API_VERSION,
    FakeWhatsApp,
    FakeWhatsAppError,
    WebhookRecorder,
    default_spec_path,
    default_templates,
    load_contract,
    validator,
    verify_signature,
)

SAMPLES = default_spec_path().parents[1] / "samples"
CONTRACT = load_contract()
WEBHOOK_SCHEMA = validator(CONTRACT, "webhook")
RESPONSE_SCHEMA = validator(CONTRACT, "send_response")
PHONE_NUMBER_SCHEMA = validator(CONTRACT, "phone_number")

BSUID = "IN.1000000000000003"  # Test Citizen Three of the samples
SECOND_NUMBER = "100000000000003"
THIRD_NUMBER = "100000000000004"

_counter = iter(range(10**6))


def number() -> str:
    return f"9196{next(_counter):08d}"


def bsuid() -> str:
    return f"IN.20000000{next(_counter):08d}"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def sample_change(name: str) -> dict[str, Any]:
    return sample(name)["entry"][0]["changes"][0]  # type: ignore[no-any-return]


def shape(node: Any) -> Any:
    """Keys and JSON types, nested (lists by their first item): what must match a sample."""
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items()}
    if isinstance(node, list):
        return [shape(v) for v in node[:1]]
    return type(node).__name__


def template(
    *,
    to: str | None = None,
    recipient: str | None = None,
    name: str = "cyber_fraud_awareness",
    params: tuple[str, ...] = ("Kabirdham Police",),
) -> dict[str, Any]:
    """The send of USERNAMES.md §5 (`recipient`) or of the README (`to`); no callback data,
    as in the samples."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    if to is not None:
        body["to"] = to
    if recipient is not None:
        body["recipient"] = recipient
    body["type"] = "template"
    body["template"] = {
        "name": name,
        "language": {"code": "hi"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ],
    }
    return body


def utility(**kw: Any) -> dict[str, Any]:
    return template(name="complaint_acknowledgement", params=("C-1", "Cantt PS"), **kw)


def post(api: httpx.Client, body: Any, pnid: str | None = None) -> httpx.Response:
    return api.post(f"/{API_VERSION}/{pnid or '100000000000002'}/messages", json=body)


def code(response: httpx.Response) -> int:
    return int(response.json()["error"]["code"])


def wamid(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["messages"][0]["id"]  # type: ignore[no-any-return]


def changes_for(recorder: WebhookRecorder, message_id: str) -> list[tuple[Any, dict[str, Any]]]:
    """(post, change) for each change holding a status of `message_id`, in arrival order."""
    found = []
    for received in recorder.received():
        for entry in received.json["entry"]:
            for change in entry["changes"]:
                statuses = change["value"].get("statuses") or []
                if any(s.get("id") == message_id for s in statuses):
                    found.append((received, change))
    return found


def wait_change(
    recorder: WebhookRecorder, message_id: str, status: str
) -> tuple[Any, dict[str, Any]]:
    """The POST that carries `status` of `message_id`, and its change cut down to that one
    status (a batch may hold other messages' statuses beside it)."""

    def ready(r: WebhookRecorder) -> Any:
        for received, change in changes_for(r, message_id):
            mine = [
                s
                for s in change["value"]["statuses"]
                if s["id"] == message_id and s["status"] == status
            ]
            if mine:
                change = copy.deepcopy(change)
                change["value"]["statuses"] = mine[:1]
                return received, change
        return None

    return recorder.wait_for(ready)  # type: ignore[no-any-return]


def assert_valid_and_signed(wa: FakeWhatsApp, received: Any) -> None:
    assert verify_signature(wa.app_secret, received.body, received.signature)
    assert [e.message for e in WEBHOOK_SCHEMA.iter_errors(received.json)] == []


# ---- 1. sending to a business-scoped user id ---------------------------------------------------


def test_a_bsuid_send_through_recipient_is_answered_with_user_id(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    response = post(api, template(recipient=BSUID))
    assert response.status_code == 200
    answer = response.json()
    assert list(RESPONSE_SCHEMA.iter_errors(answer)) == []
    assert answer["contacts"] == [{"input": BSUID, "user_id": BSUID}]  # USERNAMES.md §5
    assert answer["messages"][0]["message_status"] == "accepted"
    (record,) = wa.requests()
    assert (record["to"], record["wa_id"], record["recipient"]) == (None, None, BSUID)
    assert record["user_id"] == BSUID
    assert wa.stats()["per_recipient"] == {BSUID: 1}
    parent = "US.ENT.11815799212886844830"  # a parent BSUID is a valid recipient too
    assert post(api, template(recipient=parent)).status_code == 200


def test_to_wins_when_both_are_sent_and_one_of_them_is_required(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    phone = number()
    response = post(api, template(to=phone, recipient=bsuid()))
    assert response.status_code == 200
    assert response.json()["contacts"] == [{"input": phone, "wa_id": phone}]
    assert wa.requests()[-1]["wa_id"] == phone and wa.requests()[-1]["user_id"] is None
    response = post(api, template())
    assert (response.status_code, code(response)) == (400, 100)
    assert "to is required" in response.json()["error"]["message"]
    response = post(api, template(recipient=12345))  # type: ignore[arg-type]
    assert code(response) == 100
    assert wa.rejected()[-1]["reason"] == "schema"


@pytest.mark.parametrize(
    "bad",
    [
        "1000000000000003",  # no country
        "in.1000000000000003",  # lower-case country
        "IND.1000000000000003",
        "IN.",
        "IN.1000-0000",
        "IN.ENT.",
        "IN." + "1" * 129,  # longer than 128 since 6 Feb 2026
        "+919000000003",  # a phone number is for `to`
        "",
    ],
)
def test_a_malformed_bsuid_is_code_100(api: httpx.Client, wa: FakeWhatsApp, bad: str) -> None:
    response = post(api, template(recipient=bad))
    assert (response.status_code, code(response)) == (400, 100)
    assert "recipient" in response.json()["error"]["error_data"]["details"]
    (rejected,) = wa.rejected()
    assert (rejected["reason"], rejected["recipient"]) == ("recipient", bad)
    assert wa.requests() == []


def test_an_authentication_template_to_a_bsuid_is_131062(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    otp = {"name": "login_code", "language": "hi", "category": "AUTHENTICATION", "body": "{{1}}"}
    wa.configure(templates=[*default_templates(), otp])
    response = post(api, template(recipient=bsuid(), name="login_code", params=("123456",)))
    assert code(response) == 131062
    assert post(api, template(to=number(), name="login_code", params=("1",))).status_code == 200
    assert post(api, utility(recipient=bsuid())).status_code == 200


def test_statuses_of_a_bsuid_send_are_shaped_like_status_delivered_bsuid(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    profile = {"name": "Test Citizen Three", "username": "@fake_citizen_three"}
    wa.configure(read_rate=0.0, user_profiles={BSUID: profile})
    message = wamid(post(api, template(recipient=BSUID)))
    received, delivered = wait_change(recorder, message, "delivered")
    assert_valid_and_signed(wa, received)
    expected = sample_change("status_delivered_bsuid.json")
    assert shape(delivered) == shape(expected)
    assert delivered["value"]["contacts"] == expected["value"]["contacts"]
    (status,) = delivered["value"]["statuses"]
    assert status["recipient_user_id"] == BSUID and "recipient_id" not in status
    _, sent = wait_change(recorder, message, "sent")
    assert sent["value"]["contacts"] == [{"profile": {"name": profile["name"]}, "user_id": BSUID}]
    assert "recipient_id" not in sent["value"]["statuses"][0]


def test_a_failed_bsuid_send_names_the_user_id_and_has_no_contacts(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    user = bsuid()
    wa.configure(fail_recipients={user: 131050})
    message = wamid(post(api, template(recipient=user)))
    received, failed = wait_change(recorder, message, "failed")
    assert_valid_and_signed(wa, received)
    expected = copy.deepcopy(sample_change("status_failed.json"))
    phone_status = expected["value"]["statuses"][0]
    phone_status["recipient_user_id"] = phone_status.pop("recipient_id")
    assert shape(failed) == shape(expected)  # USERNAMES.md §4: no contacts on failed
    assert failed["value"]["statuses"][0]["recipient_user_id"] == user


def test_a_phone_send_to_a_known_pair_carries_both_ids_but_not_on_failed(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    phone, user, stopped = number(), bsuid(), number()
    wa.configure(
        read_rate=0.0,
        user_ids={phone: user, stopped: bsuid()},
        fail_recipients={stopped: 131050},
    )
    response = post(api, template(to=phone))
    assert response.json()["contacts"] == [{"input": phone, "wa_id": phone}]  # no user_id
    message = wamid(response)
    received, delivered = wait_change(recorder, message, "delivered")
    assert_valid_and_signed(wa, received)
    (status,) = delivered["value"]["statuses"]
    assert (status["recipient_id"], status["recipient_user_id"]) == (phone, user)
    assert delivered["value"]["contacts"] == [
        {"profile": {"name": ""}, "wa_id": phone, "user_id": user}
    ]
    _, failed = wait_change(recorder, wamid(post(api, template(to=stopped))), "failed")
    assert shape(failed) == shape(sample_change("status_failed.json"))  # phone only


# ---- 2. the per-user marketing cap, 131049 -----------------------------------------------------


def test_the_marketing_cap_fails_the_next_marketing_template_with_131049_that_day(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(marketing_cap_per_day=2, pair_window_s=0)
    phone, other = number(), number()
    first = [wamid(post(api, template(to=phone))) for _ in range(2)]
    capped = post(api, template(to=phone))
    assert capped.status_code == 200  # accepted: the cap arrives as a failed status
    received, failed = wait_change(recorder, wamid(capped), "failed")
    assert_valid_and_signed(wa, received)
    expected = sample_change("status_failed_131049.json")
    assert shape(failed) == shape(expected)
    error, want = failed["value"]["statuses"][0]["errors"][0], expected["value"]["statuses"][0]
    assert (error["code"], error["title"]) == (131049, want["errors"][0]["title"])
    assert error["error_data"] == want["errors"][0]["error_data"]
    for message in first:
        assert wait_change(recorder, message, "sent")
    # never for utility templates; other people are unaffected
    for _ in range(3):
        assert wait_change(recorder, wamid(post(api, utility(to=phone))), "sent")
    assert wait_change(recorder, wamid(post(api, template(to=other))), "sent")
    assert [r["failure_code"] for r in wa.requests()] == [None, None, 131049] + [None] * 4
    assert wa.stats()["marketing_capped"] == 1
    # still capped the same day (a capped attempt does not count); the next day it goes again
    assert wa.requests()[-1]["fake_day"] == 0
    post(api, template(to=phone))
    assert wa.requests()[-1]["failure_code"] == 131049
    assert wa.advance_day() == 1
    for expected_code in (None, None, 131049):
        post(api, template(to=phone))
        assert wa.requests()[-1]["failure_code"] == expected_code
    assert wa.requests()[-1]["fake_day"] == 1


def test_the_cap_follows_the_person_not_the_identifier_and_skips_the_service_window(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    phone, user, talking = number(), bsuid(), number()
    wa.configure(marketing_cap_per_day=1, pair_window_s=0, user_ids={phone: user})
    post(api, template(to=phone))
    post(api, template(recipient=user))
    assert [r["failure_code"] for r in wa.requests()] == [None, 131049]
    wa.send_inbound(talking, "thanks")  # a marketing template in the window does not count
    for _ in range(3):
        post(api, template(to=talking))
    assert [r["failure_code"] for r in wa.requests()[2:]] == [None, None, None]
    wa.configure(day_length_s=0.2)  # a fake day can also pass by itself
    time.sleep(0.25)
    post(api, template(to=phone))
    assert wa.requests()[-1]["failure_code"] is None


# ---- 3. several phone number ids -------------------------------------------------------------


def test_each_phone_number_id_has_its_own_throughput_and_webhook_metadata(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(
        mps=3,
        phone_numbers={
            SECOND_NUMBER: {"display_phone_number": "919000000003", "mps": 2},
            THIRD_NUMBER: {"display_phone_number": "919000000004", "quality_rating": "YELLOW"},
        },
    )
    assert set(wa.numbers()) == {wa.phone_number_id, SECOND_NUMBER, THIRD_NUMBER}
    second = [post(api, template(to=number()), SECOND_NUMBER) for _ in range(3)]
    main = [post(api, template(to=number())) for _ in range(4)]
    third = [post(api, template(to=number()), THIRD_NUMBER) for _ in range(4)]  # inherits 3
    assert [r.status_code for r in second] == [200, 200, 400]
    assert [r.status_code for r in main] == [200, 200, 200, 400]
    assert [r.status_code for r in third] == [200, 200, 200, 400]
    assert {code(r) for r in (second[2], main[3], third[3])} == {130429}
    assert [r["phone_number_id"] for r in wa.requests()][:2] == [SECOND_NUMBER] * 2
    received, change = wait_change(recorder, wamid(second[0]), "sent")
    assert_valid_and_signed(wa, received)
    assert change["value"]["metadata"] == {
        "display_phone_number": "919000000003",
        "phone_number_id": SECOND_NUMBER,
    }
    assert shape(change) == shape(sample_change("status_sent.json"))


def test_the_pair_limit_is_per_business_number_and_unknown_ids_are_code_100(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    wa.configure(phone_numbers={SECOND_NUMBER: {}})
    citizen = number()
    assert post(api, template(to=citizen)).status_code == 200
    assert post(api, template(to=citizen), SECOND_NUMBER).status_code == 200
    assert code(post(api, template(to=citizen), SECOND_NUMBER)) == 131056
    response = post(api, template(to=number()), "100000000000999")
    assert (response.status_code, code(response)) == (400, 100)
    error = response.json()["error"]
    assert error["error_subcode"] == 33 and "100000000000999" in error["message"]
    assert wa.rejected()[-1]["reason"] == "unknown_phone_number_id"
    response = api.get(f"/{API_VERSION}/100000000000999")
    assert (response.status_code, code(response)) == (400, 100)


def test_phone_number_info_and_quality_updates_per_number(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(
        mps=80,
        phone_numbers={SECOND_NUMBER: {"display_phone_number": "919000000003"}},
    )
    for pnid in (wa.phone_number_id, SECOND_NUMBER):
        info = api.get(f"/{API_VERSION}/{pnid}").json()
        assert list(PHONE_NUMBER_SCHEMA.iter_errors(info)) == []
        assert (info["id"], info["quality_rating"]) == (pnid, "GREEN")
    assert httpx.get(f"{wa.base_url}/{API_VERSION}/{SECOND_NUMBER}").status_code == 401
    result = wa.quality_event("FLAGGED", phone_number_id=SECOND_NUMBER)
    assert result["status"] == 200
    received = recorder.received()[-1]
    assert_valid_and_signed(wa, received)
    change = received.json["entry"][0]["changes"][0]
    assert change == {
        "value": {"display_phone_number": "919000000003", "event": "FLAGGED"},
        "field": "phone_number_quality_update",
    }
    fields = "?fields=quality_rating"
    assert api.get(f"/{API_VERSION}/{SECOND_NUMBER}{fields}").json() == {
        "id": SECOND_NUMBER,
        "quality_rating": "RED",
    }
    assert api.get(f"/{API_VERSION}/{wa.phone_number_id}").json()["quality_rating"] == "GREEN"
    wa.quality_event("THROUGHPUT_UPGRADE", phone_number_id=SECOND_NUMBER)
    assert wa.numbers()[SECOND_NUMBER]["mps"] == 1000
    assert wa.numbers()[wa.phone_number_id]["mps"] == 80
    wa.quality_event("UNFLAGGED", phone_number_id=SECOND_NUMBER, quality_rating="YELLOW")
    assert wa.numbers()[SECOND_NUMBER]["quality_rating"] == "YELLOW"
    with pytest.raises(FakeWhatsAppError):
        wa.quality_event("FLAGGED", phone_number_id="100000000000999")
    with pytest.raises(FakeWhatsAppError):
        wa.configure(quality_rating="PURPLE")
    wa.reset()
    assert wa.numbers() == {wa.phone_number_id: wa.numbers()[wa.phone_number_id]}


# ---- 4. user_id_update and BSUID-only citizen webhooks -----------------------------------------


def test_user_id_update_is_the_sample_and_the_pair_follows(
    wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(user_ids={"919000000004": "IN.1000000000000004"})
    result = wa.user_id_update(
        "IN.1000000000000004",
        "IN.1000000000000005",
        wa_id="919000000004",
        name="Test Citizen Four",
    )
    assert result["status"] == 200
    received = recorder.received()[-1]
    assert_valid_and_signed(wa, received)
    expected = sample("user_id_update.json")
    assert shape(received.json) == shape(expected)
    got = copy.deepcopy(received.json)
    got["entry"][0]["changes"][0]["value"]["user_id_update"][0]["timestamp"] = "1783000600"
    assert got == expected  # byte-for-byte the sample's content, but for the time
    assert wa.config()["options"]["user_ids"] == {"919000000004": "IN.1000000000000005"}
    assert wa.stats()["webhooks"]["user_id_updates_posted"] == 1
    with pytest.raises(FakeWhatsAppError):
        wa.user_id_update("IN.1", "not-a-bsuid")


def test_the_newer_system_message_shape_of_a_bsuid_change(
    wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.user_id_update(
        "IN.1000000000000004", "IN.1000000000000005", name="Test Citizen Four", style="system"
    )
    received = recorder.received()[-1]
    assert_valid_and_signed(wa, received)
    change = received.json["entry"][0]["changes"][0]
    assert change["field"] == "messages" and "contacts" not in change["value"]
    (message,) = change["value"]["messages"]
    # USERNAMES.md §4, the 11 Aug 2026 shape
    assert set(message) == {"from_user_id", "id", "timestamp", "type", "system"}
    assert message["system"] == {
        "body": "User Test Citizen Four changed from IN.1000000000000004 to IN.1000000000000005",
        "user_id": "IN.1000000000000005",
        "previous_user_id": "IN.1000000000000004",
        "type": "user_changed_user_id",
    }


def test_bsuid_only_inbound_and_stop_are_shaped_like_the_username_samples(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    phone = number()
    wa.configure(user_ids={phone: BSUID}, pair_window_s=0)
    result = wa.send_inbound(
        None,
        "My bicycle was stolen outside the railway station this morning.",
        name="Test Citizen Three",
        user_id=BSUID,
        username="@fake_citizen_three",
    )
    assert result["status"] == 200
    received = recorder.received()[-1]
    assert_valid_and_signed(wa, received)
    expected = sample("inbound_text_username_user.json")
    assert shape(received.json) == shape(expected)
    value = received.json["entry"][0]["changes"][0]["value"]
    assert value["contacts"] == expected["entry"][0]["changes"][0]["value"]["contacts"]
    assert "from" not in value["messages"][0]
    # free text to the BSUID inside its service window goes
    text = {"messaging_product": "whatsapp", "recipient": BSUID, "type": "text"}
    text["text"] = {"body": "Your complaint is registered."}
    assert wait_change(recorder, wamid(post(api, text)), "sent")

    wa.send_user_preference(
        None, "stop", name="Test Citizen Three", user_id=BSUID, username="@fake_citizen_three"
    )
    # The text's own statuses may still be arriving: take the preferences webhook itself.
    received = [
        r
        for r in recorder.received()
        if "user_preferences" in r.json["entry"][0]["changes"][0]["value"]
    ][-1]
    assert_valid_and_signed(wa, received)
    expected = sample("user_preferences_stop_bsuid.json")
    assert shape(received.json) == shape(expected)
    # the stop reaches the phone Meta pairs with the BSUID
    _, failed = wait_change(recorder, wamid(post(api, template(to=phone))), "failed")
    assert failed["value"]["statuses"][0]["errors"][0]["code"] == 131050
    with pytest.raises(FakeWhatsAppError):
        wa.send_inbound(None, "nobody")
