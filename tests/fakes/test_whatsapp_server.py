"""Contract tests of the fake WhatsApp Cloud API, against the running process over HTTP."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from tests.fakes.whatsapp_server import (
    API_VERSION,
    REPO_ROOT,
    FakeWhatsApp,
    FakeWhatsAppError,
    MemoValidator,
    WebhookRecorder,
    default_spec_path,
    load_contract,
    sign,
    validator,
    verify_signature,
)

SAMPLES = default_spec_path().parents[1] / "samples"
CONTRACT = load_contract()
WEBHOOK_SCHEMA = validator(CONTRACT, "webhook")
RESPONSE_SCHEMA = validator(CONTRACT, "send_response")

_counter = iter(range(10**6))


def number() -> str:
    """A fresh recipient, so the 6-second pair limit never bites by accident."""
    return f"9197{next(_counter):08d}"


def template_body(
    to: str | None = None,
    name: str = "cyber_fraud_awareness",
    lang: str = "hi",
    params: tuple[str, ...] = ("Kabirdham Police",),
    callback: str | None = "delivery-1",
) -> dict[str, Any]:
    """The README's template message."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "to": to or number(),
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": lang},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
            ],
        },
    }
    if callback is not None:
        body["biz_opaque_callback_data"] = callback
    return body


def text_body(to: str, text: str = "Your complaint is registered.") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}}


def send(api: httpx.Client, wa: FakeWhatsApp, body: Any) -> httpx.Response:
    return api.post(f"/{API_VERSION}/{wa.phone_number_id}/messages", json=body)


def error_code(response: httpx.Response) -> int:
    error = response.json()["error"]
    assert error["type"] == "OAuthException"
    assert error["fbtrace_id"]
    assert "details" in error["error_data"]
    return int(error["code"])


def statuses_for(recorder: WebhookRecorder, wamid: str) -> list[dict[str, Any]]:
    return [s for s in recorder.statuses() if s["id"] == wamid]


def wait_statuses(recorder: WebhookRecorder, wamid: str, n: int) -> list[dict[str, Any]]:
    """The statuses posted for `wamid`, once there are at least n."""

    def enough(r: WebhookRecorder) -> list[dict[str, Any]] | None:
        found = statuses_for(r, wamid)
        return found if len(found) >= n else None

    return recorder.wait_for(enough)  # type: ignore[no-any-return]


def last_post(recorder: WebhookRecorder, field: str, key: str) -> Any:
    """The latest POST whose first change is `field` and whose value holds `key`."""
    for post in reversed(recorder.received()):
        change = post.json["entry"][0]["changes"][0]
        if change["field"] == field and key in change["value"]:
            return post
    raise AssertionError(f"no {field}/{key} webhook received")


# ---- the contract itself ---------------------------------------------------------------------


def test_samples_validate_against_the_patched_spec_and_their_signatures_match() -> None:
    secret_file = json.loads((SAMPLES / "signatures.json").read_text())
    for name, signature in secret_file["signatures"].items():
        raw = (SAMPLES / name).read_bytes()
        assert verify_signature(secret_file["app_secret"], raw, signature), name
        assert sign(secret_file["app_secret"], raw) == signature
        errors = [e.message for e in WEBHOOK_SCHEMA.iter_errors(json.loads(raw))]
        assert errors == [], name


def test_memo_validator_gives_the_plain_validators_verdict() -> None:
    plain = validator(CONTRACT, "send")
    memo = MemoValidator(CONTRACT["send"], plain)
    assert memo.sound
    base = template_body(to="919800000001")
    variants: list[Any] = [base, text_body("919800000001"), {}, [], "x", None]
    for path, _leaf in _leaves(base):
        for replacement in (None, 1, 1.5, True, "", "z" * 600, [], {}, "text", "body"):
            variants.append(_replace(base, path, replacement))
        variants.append(_delete(base, path))
    long_cb = copy.deepcopy(base)
    long_cb["biz_opaque_callback_data"] = "x" * 513
    variants += [long_cb, {**base, "bogus": 1}, {**text_body("1"), "bogus": 1}]
    for body in variants + variants:  # the second round is answered from the memo
        assert (memo.errors(body) == []) == plain.is_valid(body), body


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))] + [(path, node)]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [(path, node)]


def _replace(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(body)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def _delete(body: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return {}
    out = copy.deepcopy(body)
    node = out
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    return out


def test_cli_prints_ready_with_the_chosen_port() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.whatsapp_server", "--port", "0", "--token", "t"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY ")
        port = int(line.split()[1])
        response = httpx.post(
            f"http://127.0.0.1:{port}/{API_VERSION}/100000000000002/messages",
            json=template_body(),
            headers={"Authorization": "Bearer t"},
        )
        assert response.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---- sending ---------------------------------------------------------------------------------


def test_missing_or_wrong_token_is_401_with_code_190(wa: FakeWhatsApp) -> None:
    url = f"{wa.base_url}/{API_VERSION}/{wa.phone_number_id}/messages"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": wa.token}):
        response = httpx.post(url, json=template_body(), headers=headers)
        assert response.status_code == 401
        assert error_code(response) == 190
        assert response.json()["error"]["message"].startswith("Error validating access token")
    response = httpx.get(f"{wa.base_url}/{API_VERSION}/{wa.waba_id}/message_templates")
    assert (response.status_code, error_code(response)) == (401, 190)
    assert wa.stats()["rejected"] == {190: 4}
    assert wa.requests() == []


def test_unknown_phone_number_id_is_code_100(api: httpx.Client) -> None:
    response = api.post(f"/{API_VERSION}/999/messages", json=template_body())
    assert (response.status_code, error_code(response)) == (400, 100)


def test_readme_template_message_is_accepted_with_a_realistic_wamid(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    to = number()
    response = send(api, wa, template_body(to="+" + to, callback="delivery-42"))
    assert response.status_code == 200
    answer = response.json()
    assert list(RESPONSE_SCHEMA.iter_errors(answer)) == []
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "+" + to, "wa_id": to}]
    wamid = answer["messages"][0]["id"]
    assert answer["messages"][0]["message_status"] == "accepted"
    assert wamid.startswith("wamid.")
    assert to.encode() in base64.b64decode(wamid[6:], validate=True)
    (record,) = wa.requests()
    assert record["to"] == "+" + to
    assert record["wa_id"] == to
    assert record["template"] == "cyber_fraud_awareness"
    assert record["language"] == "hi"
    assert record["parameters"] == ["Kabirdham Police"]
    assert record["callback_data"] == "delivery-42"
    assert record["wamid"] == wamid
    assert record["dropped_after_accept"] is False
    assert abs(record["received_at"] - time.time()) < 60
    wamids = {send(api, wa, template_body()).json()["messages"][0]["id"] for _ in range(30)}
    assert len(wamids) == 30 and wamid not in wamids


def test_spec_leniencies_policy_and_recipient_type_are_optional(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    body = template_body()
    assert "recipient_type" not in body and "policy" not in body["template"]["language"]
    assert send(api, wa, body).status_code == 200
    body = template_body()
    body["recipient_type"] = "individual"
    body["template"]["language"]["policy"] = "deterministic"
    assert send(api, wa, body).status_code == 200


def _without_to(b: dict[str, Any]) -> None:
    del b["to"]


def _to_int(b: dict[str, Any]) -> None:
    b["to"] = 919800000001


def _no_language(b: dict[str, Any]) -> None:
    del b["template"]["language"]


def _param_without_text(b: dict[str, Any]) -> None:
    b["template"]["components"][0]["parameters"][0] = {"type": "text"}


def _unknown_type(b: dict[str, Any]) -> None:
    b["type"] = "fax"


def _long_callback(b: dict[str, Any]) -> None:
    b["biz_opaque_callback_data"] = "x" * 513


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (_without_to, "The parameter to is required"),
        (_to_int, "to: 919800000001 is not of type 'string'"),
        (_no_language, "template.language"),
        (_param_without_text, "template.components[0].parameters[0].text"),
        (_unknown_type, "'fax' is not one of"),
        (_long_callback, "biz_opaque_callback_data"),
    ],
)
def test_invalid_bodies_are_code_100(
    api: httpx.Client, wa: FakeWhatsApp, mutate: Any, needle: str
) -> None:
    body = template_body()
    mutate(body)
    response = send(api, wa, body)
    assert (response.status_code, error_code(response)) == (400, 100)
    error = response.json()["error"]
    assert needle in error["message"] + error["error_data"]["details"]
    (rejected,) = wa.rejected()
    assert (rejected["code"], rejected["reason"]) == (100, "schema")


def test_other_malformed_requests_are_code_100(api: httpx.Client, wa: FakeWhatsApp) -> None:
    url = f"/{API_VERSION}/{wa.phone_number_id}/messages"
    response = api.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert (response.status_code, error_code(response)) == (400, 100)
    extra = {**text_body(number()), "unknown_field": 1}  # text messages are closed
    assert error_code(send(api, wa, extra)) == 100
    for to in ("91-98000-00001", "abc", "+"):
        response = send(api, wa, template_body(to=to))
        assert error_code(response) == 100, to
    assert wa.stats()["accepted"] == 0


def test_template_name_language_parameters_and_status(api: httpx.Client, wa: FakeWhatsApp) -> None:
    response = send(api, wa, template_body(name="no_such_template"))
    assert (response.status_code, error_code(response)) == (404, 132001)
    assert error_code(send(api, wa, template_body(lang="ta"))) == 132001
    assert error_code(send(api, wa, template_body(params=("a", "b")))) == 132000
    assert error_code(send(api, wa, template_body(params=()))) == 132000
    ok = template_body(name="community_group_invite", lang="bn", params=("a", "b", "c", "d"))
    assert send(api, wa, ok).status_code == 200
    ack = template_body(name="complaint_acknowledgement", lang="en", params=("C-1", "PS"))
    assert send(api, wa, ack).status_code == 200
    wa.configure(template_status={"cyber_fraud_awareness": "PAUSED"})
    assert error_code(send(api, wa, template_body())) == 132015
    wa.configure(template_status={"cyber_fraud_awareness/hi": "PENDING"})
    assert error_code(send(api, wa, template_body())) == 132001
    assert send(api, wa, template_body(lang="en")).status_code == 200
    wa.configure(templates=[{"name": "daily_alert", "language": "hi", "body": "{{1}} {{2}}"}])
    assert send(api, wa, template_body(name="daily_alert", params=("a", "b"))).status_code == 200
    assert error_code(send(api, wa, template_body())) == 132001
    assert wa.stats()["rejected"] == {132000: 2, 132001: 4, 132015: 1}


# ---- faults ----------------------------------------------------------------------------------


def test_5xx_fault(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.inject("5xx", count=2)
    for _ in range(2):
        response = send(api, wa, template_body())
        assert (response.status_code, error_code(response)) == (500, 131000)
    assert send(api, wa, template_body()).status_code == 200
    wa.inject("5xx", count=1, status=503)
    response = send(api, wa, template_body())
    assert (response.status_code, error_code(response)) == (503, 2)
    assert wa.faults() == []


def test_throttle_pair_limit_and_error_faults(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.inject("throttle", count=1)
    response = send(api, wa, template_body())
    assert (response.status_code, error_code(response)) == (400, 130429)
    wa.inject("pair_limit", count=1)
    assert error_code(send(api, wa, template_body())) == 131056
    wa.inject("error", code=131048)  # count=None: until cleared
    for _ in range(3):
        assert error_code(send(api, wa, template_body())) == 131048
    wa.clear_faults()
    assert send(api, wa, template_body()).status_code == 200
    wa.inject("error", count=1, code=133010)
    assert error_code(send(api, wa, template_body())) == 133010
    reasons = [r["reason"] for r in wa.rejected()]
    assert reasons == ["fault:throttle", "fault:pair_limit"] + ["fault:error"] * 4
    with pytest.raises(FakeWhatsAppError):
        wa.inject("meteor")
    with pytest.raises(FakeWhatsAppError):
        wa.inject("error")  # needs code=


def test_slow_fault(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.inject("slow", count=1, ms=300)
    started = time.monotonic()
    assert send(api, wa, template_body()).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert wa.faults() == []  # the count is spent
    wa.inject("slow", ms=1000)  # until cleared: a client with a short timeout gives up...
    with pytest.raises(httpx.ReadTimeout):
        api.post(f"/{API_VERSION}/{wa.phone_number_id}/messages", json=template_body(), timeout=0.2)
    wa.clear_faults()
    records = wa.requests()  # ...but the message was accepted, as with Meta
    assert len(records) == 2


def test_drop_fault_is_accepted_processed_and_unanswered(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.inject("drop", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        send(api, wa, template_body(callback="dropped-1"))
    (record,) = wa.requests()
    assert record["dropped_after_accept"] is True
    assert record["callback_data"] == "dropped-1"
    sent = wait_statuses(recorder, record["wamid"], 1)[0]
    assert sent["status"] == "sent" and sent["biz_opaque_callback_data"] == "dropped-1"
    assert send(api, wa, template_body()).status_code == 200  # the client reconnects
    assert wa.stats()["dropped_after_accept"] == 1


def test_drop_before_fault_is_not_processed(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.inject("drop_before", count=1)
    with pytest.raises(httpx.TransportError):
        send(api, wa, template_body())
    assert wa.requests() == []
    assert wa.stats()["dropped_before"] == 1
    assert send(api, wa, template_body()).status_code == 200


# ---- limits ----------------------------------------------------------------------------------


def test_throughput_limit(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.configure(mps=20)
    started = time.monotonic()
    codes = [send(api, wa, template_body()).status_code for _ in range(60)]
    elapsed = time.monotonic() - started
    accepted = codes.count(200)
    if elapsed < 1.0:
        assert accepted == 20
    assert 20 <= accepted <= 20 * (elapsed + 1)
    assert set(codes) == {200, 400}
    assert wa.stats()["rejected"] == {130429: 60 - accepted}
    # paced: over ~1.3 s a tight loop gets ~20 per second through
    wa.reset()
    wa.configure(mps=20, throttle_status=429)
    started, accepted, statuses = time.monotonic(), 0, set()
    while time.monotonic() - started < 1.3:
        response = send(api, wa, template_body())
        accepted += response.status_code == 200
        statuses.add(response.status_code)
    elapsed = time.monotonic() - started
    assert 20 * elapsed - 5 <= accepted <= 20 * (elapsed + 1)
    assert statuses == {200, 429}


def test_pair_rate_limit(api: httpx.Client, wa: FakeWhatsApp) -> None:
    to = number()
    assert send(api, wa, template_body(to=to)).status_code == 200
    response = send(api, wa, template_body(to=to))
    assert (response.status_code, error_code(response)) == (400, 131056)
    wa.configure(pair_window_s=0.3)
    time.sleep(0.35)
    assert send(api, wa, template_body(to=to)).status_code == 200
    wa.configure(pair_window_s=0)
    assert send(api, wa, template_body(to=to)).status_code == 200
    assert wa.stats()["per_recipient"] == {to: 3}


# ---- templates -------------------------------------------------------------------------------


def test_template_listing_pages_with_cursors(api: httpx.Client, wa: FakeWhatsApp) -> None:
    url = f"/{API_VERSION}/{wa.waba_id}/message_templates"
    pages, seen = 0, []
    next_url: str | None = f"{wa.base_url}{url}?limit=2"
    while next_url:
        answer = api.get(next_url).json()
        pages += 1
        seen += [(t["name"], t["language"]) for t in answer["data"]]
        assert set(answer["paging"]["cursors"]) == {"before", "after"}
        next_url = answer["paging"].get("next")
    assert pages == 5 and len(seen) == len(set(seen)) == 9
    first = api.get(url).json()["data"][0]
    assert set(first) >= {"name", "language", "status", "category", "components", "id"}
    body = next(c for c in first["components"] if c["type"] == "BODY")
    assert "{{1}}" in body["text"]
    page2 = api.get(url, params={"limit": 3, "after": _cursor(api, url, 3)}).json()
    previous = api.get(page2["paging"]["previous"]).json()
    assert previous["data"] == api.get(url, params={"limit": 3}).json()["data"]
    wa.configure(template_status={"complaint_acknowledgement": "REJECTED"})
    rejected = api.get(url, params={"status": "REJECTED", "fields": "name,status"}).json()
    assert {(t["name"], t["status"]) for t in rejected["data"]} == {
        ("complaint_acknowledgement", "REJECTED")
    }
    assert set(rejected["data"][0]) == {"name", "status", "id"}
    assert error_code(api.get(url, params={"after": "bogus"})) == 100


def _cursor(api: httpx.Client, url: str, limit: int) -> str:
    return str(api.get(url, params={"limit": limit}).json()["paging"]["cursors"]["after"])


# ---- webhooks --------------------------------------------------------------------------------


def test_status_webhooks_are_signed_ordered_and_echo_callback_data(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(read_rate=1.0)
    to = number()
    wamid = send(api, wa, template_body(to=to, callback="delivery-7")).json()["messages"][0]["id"]
    statuses = wait_statuses(recorder, wamid, 3)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    for status in statuses:
        assert status["recipient_id"] == to
        assert status["biz_opaque_callback_data"] == "delivery-7"
        assert status["timestamp"].isdigit()
    assert statuses[0]["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "category": "marketing",
        "type": "regular",
    }
    assert "pricing" not in statuses[2]
    for post in recorder.received():
        assert post.signature == sign(wa.app_secret, post.body)
        assert verify_signature(wa.app_secret, post.body, post.signature)
        assert not verify_signature("another secret", post.body, post.signature)
        assert post.headers["content-type"] == "application/json"
        assert list(WEBHOOK_SCHEMA.iter_errors(post.json)) == []
        change = post.json["entry"][0]["changes"][0]
        assert post.json["entry"][0]["id"] == wa.waba_id
        assert change["field"] == "messages"
        assert change["value"]["metadata"]["phone_number_id"] == wa.phone_number_id
    stats = wa.wait_idle()
    assert stats["webhooks"]["statuses_posted"] == 3


def test_statuses_are_batched(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(
        webhook_batch=10,
        read_rate=0.0,
        status_delay_ms=50,
        webhook_linger_ms=30,
        webhook_concurrency=4,
    )
    for _ in range(40):
        assert send(api, wa, template_body()).status_code == 200
    stats = wa.wait_idle()
    sizes = [
        len(p.json["entry"][0]["changes"][0]["value"]["statuses"]) for p in recorder.received()
    ]
    assert sum(sizes) == stats["webhooks"]["statuses_posted"] == 80
    assert max(sizes) <= 10 and len(sizes) <= 40  # 80 statuses in at most 40 POSTs


def test_duplicates_and_reordering(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(read_rate=1.0, duplicate_rate=1.0)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    statuses = wait_statuses(recorder, wamid, 6)
    assert sorted(s["status"] for s in statuses) == sorted(["sent", "delivered", "read"] * 2)
    wa.configure(duplicate_rate=0.0, reorder=True, status_delay_ms=40)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    statuses = wait_statuses(recorder, wamid, 3)
    assert [s["status"] for s in statuses] == ["read", "delivered", "sent"]
    assert statuses[0]["timestamp"] >= statuses[2]["timestamp"]  # event times stay true
    wa.configure(reorder=False, skip_delivered_rate=1.0)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    wa.wait_idle()
    assert [s["status"] for s in statuses_for(recorder, wamid)] == ["sent", "read"]


def test_failed_webhook_posts_are_retried_then_given_up(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(read_rate=0.0, deliver_rate=0.0)  # one status per message
    recorder.fail_next(2, status=500)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    assert wait_statuses(recorder, wamid, 1)[0]["status"] == "sent"
    stats = wa.wait_idle()["webhooks"]
    assert (stats["failed"], stats["retried"], stats["posted"], stats["gave_up"]) == (2, 2, 1, 0)
    wa.inject("webhook_down", count=2)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    wait_statuses(recorder, wamid, 1)
    assert wa.wait_idle()["webhooks"]["failed"] == 4
    wa.configure(webhook_retries=1)
    recorder.fail_next(2, status=503)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    stats = wa.wait_idle()["webhooks"]
    assert stats["gave_up"] == 1 and statuses_for(recorder, wamid) == []
    wa.inject("webhook_down", ms=150)  # down for a while, then back
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    wa.configure(webhook_retries=5)
    wait_statuses(recorder, wamid, 1)


def test_fail_and_reject_recipients(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    stopped, unregistered = number(), number()
    wa.configure(fail_recipients={stopped: 131050}, reject_recipients={"+" + unregistered: 133010})
    wamid = send(api, wa, template_body(to=stopped, callback="d-9")).json()["messages"][0]["id"]
    (failed,) = wait_statuses(recorder, wamid, 1)
    assert failed["status"] == "failed" and failed["biz_opaque_callback_data"] == "d-9"
    (error,) = failed["errors"]
    assert error["code"] == 131050
    sample = json.loads((SAMPLES / "status_failed.json").read_text())
    expected = sample["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]
    assert error["title"] == expected["title"] and set(error) == set(expected)
    response = send(api, wa, template_body(to=unregistered))
    assert (response.status_code, error_code(response)) == (400, 133010)
    assert [r["failure_code"] for r in wa.requests()] == [131050]


def test_inbound_message_and_user_preferences(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(pair_window_s=0)
    citizen = number()
    wamid = send(api, wa, text_body(citizen)).json()["messages"][0]["id"]
    (failed,) = wait_statuses(recorder, wamid, 1)  # free text outside the 24-h window
    assert failed["errors"][0]["code"] == 131047
    result = wa.send_inbound(citizen, "मेरा फ़ोन चोरी हो गया / phone stolen", name="Asha")
    assert result["status"] == 200 and result["wamid"].startswith("wamid.")
    post = last_post(recorder, "messages", "messages")
    assert b"\\u092e" in post.body and b"\\/" in post.body  # escaped like Meta's
    assert verify_signature(wa.app_secret, post.body, post.signature)
    assert list(WEBHOOK_SCHEMA.iter_errors(post.json)) == []
    sample = json.loads((SAMPLES / "inbound_text.json").read_text())
    assert _keys(post.json) == _keys(sample)
    message = post.json["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message["text"]["body"] == "मेरा फ़ोन चोरी हो गया / phone stolen"
    assert message["from"] == citizen
    wamid = send(api, wa, text_body(citizen)).json()["messages"][0]["id"]
    assert wait_statuses(recorder, wamid, 1)[0]["status"] == "sent"

    assert wa.send_user_preference(citizen, "stop")["status"] == 200
    post = last_post(recorder, "user_preferences", "user_preferences")
    assert list(WEBHOOK_SCHEMA.iter_errors(post.json)) == []
    sample = json.loads((SAMPLES / "user_preferences_stop.json").read_text())
    assert _keys(post.json) == _keys(sample)
    assert post.json["entry"][0]["changes"][0]["field"] == "user_preferences"
    marketing = send(api, wa, template_body(to=citizen)).json()["messages"][0]["id"]
    assert wait_statuses(recorder, marketing, 1)[0]["errors"][0]["code"] == 131050
    utility = template_body(to=citizen, name="complaint_acknowledgement", params=("C-1", "PS"))
    wamid = send(api, wa, utility).json()["messages"][0]["id"]
    assert wait_statuses(recorder, wamid, 1)[0]["status"] == "sent"
    wa.send_user_preference(citizen, "resume")
    wamid = send(api, wa, template_body(to=citizen)).json()["messages"][0]["id"]
    assert wait_statuses(recorder, wamid, 1)[0]["status"] == "sent"
    assert wa.stats()["webhooks"]["user_preferences_posted"] == 2


def _keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_keys(v) for v in node[:1]]
    return type(node).__name__


def test_post_webhook_raw(wa: FakeWhatsApp, recorder: WebhookRecorder) -> None:
    payload = json.loads((SAMPLES / "status_read.json").read_text())
    result = wa.post_webhook(payload)
    assert result["status"] == 200
    post = recorder.received()[-1]
    assert post.json == payload and verify_signature(wa.app_secret, post.body, post.signature)
    result = wa.post_webhook(payload, signature="sha256=" + "0" * 64)
    assert recorder.received()[-1].signature == "sha256=" + "0" * 64
    raw = (SAMPLES / "status_read.json").read_text()
    wa.post_webhook(raw)  # a str goes out byte for byte
    assert recorder.received()[-1].body == raw.encode()


# ---- process and state -----------------------------------------------------------------------


def test_reset_and_control_errors(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.configure(mps=1, read_rate=0.9)
    wa.inject("slow", ms=1)
    send(api, wa, template_body())
    wa.reset()
    assert wa.requests() == [] and wa.faults() == [] and wa.stats()["accepted"] == 0
    options = wa.config()["options"]
    assert options["mps"] == 0 and options["status_delay_ms"] == 10  # start() options return
    with pytest.raises(FakeWhatsAppError, match="unknown option"):
        wa.configure(no_such_option=1)


def test_restart_kills_and_starts_afresh_on_the_same_port() -> None:
    with FakeWhatsApp().start(pair_window_s=0) as fake:
        headers = {"Authorization": f"Bearer {fake.token}"}
        assert httpx.post(fake.messages_url, json=template_body(), headers=headers).is_success
        pid, port = fake.pid, fake.base_url
        fake.restart()
        assert fake.pid != pid and fake.base_url == port
        assert fake.requests() == []
        assert fake.config()["options"]["pair_window_s"] == 0
        assert httpx.post(fake.messages_url, json=template_body(), headers=headers).is_success
    assert not fake.running and fake.pid is None


# ---- faults the independent checks found (issue: nothing lost, nothing sent twice) ----------


def test_a_fault_after_n_lets_the_first_n_requests_through(
    api: httpx.Client, wa: FakeWhatsApp
) -> None:
    wa.inject("error", count=None, code=131048, after=3)
    codes = [send(api, wa, template_body()).status_code for _ in range(6)]
    assert codes == [200, 200, 200, 400, 400, 400]
    assert wa.stats()["rejected"] == {131048: 3}
    wa.clear_faults()
    assert send(api, wa, template_body()).status_code == 200  # "fixed"


def test_throttling_can_carry_a_retry_after(api: httpx.Client, wa: FakeWhatsApp) -> None:
    wa.configure(throttle_retry_after_s=2)
    wa.inject("throttle", count=1)
    response = send(api, wa, template_body())
    assert error_code(response) == 130429
    assert response.headers["Retry-After"] == "2"
    assert "Retry-After" not in send(api, wa, template_body()).headers


def test_early_statuses_are_posted_before_the_send_is_answered(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    to = number()
    wa.configure(early_status_rate=1.0, fail_recipients={to: 131026})
    before = time.time()
    response = send(api, wa, template_body(to=to, callback="d-9"))
    answered = time.time()
    wamid = response.json()["messages"][0]["id"]
    [post] = [p for p in recorder.received() if wamid.encode() in p.body]
    assert before <= post.received_at <= answered  # the webhook came first
    [status] = post.json["entry"][0]["changes"][0]["value"]["statuses"]
    assert status["status"] == "failed" and status["errors"][0]["code"] == 131026
    assert status["biz_opaque_callback_data"] == "d-9"
    assert list(WEBHOOK_SCHEMA.iter_errors(post.json)) == []
    assert wa.stats()["early_statuses"] == 1


def test_wamid_only_statuses_carry_no_callback_data(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(wamid_only_rate=1.0, read_rate=1.0)
    wamid = send(api, wa, template_body(callback="d-10")).json()["messages"][0]["id"]
    statuses = wait_statuses(recorder, wamid, 3)
    assert [s.get("biz_opaque_callback_data") for s in statuses] == [None] * 3
    assert {s["id"] for s in statuses} == {wamid}


def test_malformed_companions_ride_along_with_real_statuses(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    wa.configure(malformed_rate=1.0, read_rate=0.0)
    wamid = send(api, wa, template_body()).json()["messages"][0]["id"]
    wait_statuses(recorder, wamid, 2)
    post = next(p for p in recorder.received() if wamid.encode() in p.body)
    changes = post.json["entry"][0]["changes"]
    assert changes[0]["value"]["statuses"][0]["id"] == wamid  # the real one, readable
    assert isinstance(changes[1]["value"]["statuses"], dict)  # then the unreadable ones
    assert changes[2]["value"]["statuses"][0]["errors"] == ["boom"]
    assert isinstance(changes[3]["value"], list)
    assert post.signature == sign(wa.app_secret, post.body)


def test_a_template_event_changes_sends_and_posts_the_webhook(
    api: httpx.Client, wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    result = wa.template_event("cyber_fraud_awareness", "hi", "PAUSED")
    assert result["status"] == 200
    assert error_code(send(api, wa, template_body())) == 132015
    post = recorder.received()[-1]
    sample = json.loads((SAMPLES / "template_status_paused.json").read_text())
    change = post.json["entry"][0]["changes"][0]
    assert change["field"] == "message_template_status_update"
    assert set(change["value"]) == set(sample["entry"][0]["changes"][0]["value"])
    assert change["value"]["event"] == "PAUSED"
    assert change["value"]["message_template_language"] == "hi"
    assert list(WEBHOOK_SCHEMA.iter_errors(post.json)) == []
    wa.template_event("cyber_fraud_awareness", "hi", "APPROVED")
    assert send(api, wa, template_body()).status_code == 200
    with pytest.raises(FakeWhatsAppError):
        wa.template_event("cyber_fraud_awareness", "hi", "BOGUS")


def test_a_quality_event_posts_meta_s_phone_number_quality_update(
    wa: FakeWhatsApp, recorder: WebhookRecorder
) -> None:
    assert wa.quality_event("DOWNGRADE", old_limit="TIER_10K", limit="TIER_2K")["status"] == 200
    post = recorder.received()[-1]
    change = post.json["entry"][0]["changes"][0]
    assert change["field"] == "phone_number_quality_update"
    assert change["value"] == {
        "display_phone_number": wa.display_phone_number,
        "event": "DOWNGRADE",
        "old_limit": "TIER_10K",
        "max_daily_conversations_per_business": "TIER_2K",
    }
    assert post.signature == sign(wa.app_secret, post.body)
