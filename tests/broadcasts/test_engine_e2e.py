"""The WhatsApp engine end to end: real Celery workers, real Redis and PostgreSQL, the fake
Cloud API over real HTTP posting signed webhooks back to a live portal. Faults are real too:
workers are SIGKILLed, Redis is restarted, the fake throttles, errors and drops connections.

Each fault test proves the fault happened (pids changed, requests seen before and after,
errors counted by the fake) and ends with every delivery final, nothing lost (every
recipient received the message) and nothing duplicated (no recipient received it twice).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from django.utils import timezone

from accounts.models import Role
from broadcasts import demo, lifecycle
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from people.models import Citizen, ConsentSource, OptOutSource
from tests.broadcasts.harness import (
    Engine,
    beat,
    cloud_settings,
    kill_group,
    route_to,
    start_worker,
    wait_for,
    worker,
)
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = [
    pytest.mark.engine,
    pytest.mark.django_db(transaction=True),
]

OPEN = [DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN]
NOT_FINAL = [*OPEN, DeliveryStatus.SENT]


@pytest.fixture
def fake(live_server):  # type: ignore[no-untyped-def]
    server = FakeWhatsApp().start(
        webhook_url=f"{live_server.url}/webhooks/whatsapp",
        status_delay_ms=20,
        read_rate=0.3,
        pair_window_s=0,
    )
    yield server
    server.stop()


@pytest.fixture
def engine(settings, fake):  # type: ignore[no-untyped-def]
    values = cloud_settings(settings, fake)
    settings.BROADCAST_APPROVAL_THRESHOLD = 10**9
    setup = Engine(
        env={
            **values,
            "WHATSAPP_MESSAGES_PER_SECOND": "1000",
            "WHATSAPP_CLAIM_LEASE_SECONDS": "3",
            "WHATSAPP_UNKNOWN_GRACE_SECONDS": "15",
            "WEBHOOK_SWEEP_AFTER_SECONDS": "2",
            "WHATSAPP_SENDER_LEASE_SECONDS": "4",
            "WHATSAPP_RETRY_BASE_SECONDS": "0.2",
            "BROADCAST_APPROVAL_THRESHOLD": str(10**9),
        }
    )
    with route_to(setup):
        yield setup


def _citizens(world, n: int, *, start: int = 0) -> list[Citizen]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Citizen.objects.bulk_create(
        Citizen(
            phone=f"+9197{start + i:08d}",
            name=f"नागरिक {i}",
            district=world.district,
            station=world.station,
            preferred_language="hi",
            consent_source=ConsentSource.IMPORT,
            consent_at=now,
        )
        for i in range(n)
    )


def _scheduled_broadcast(world) -> Broadcast:  # type: ignore[no-untyped-def]
    demo.seed_sandbox_templates()
    template = MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")
    draft = lifecycle.create_broadcast(
        district=world.district,
        title="Police Mitan: OTP fraud",
        template=template,
        parameters=["Kabirdham"],
        by=world.user(Role.CYBER_CELL),
    )
    return lifecycle.submit_broadcast(broadcast=draft, by=world.user(Role.CYBER_CELL))


def _open_count(broadcast: Broadcast, statuses=NOT_FINAL) -> int:  # type: ignore[no-untyped-def]
    return Delivery.objects.filter(broadcast=broadcast, status__in=statuses).count()


def _finished(broadcast: Broadcast) -> bool:
    broadcast.refresh_from_db()
    return broadcast.status == Broadcast.Status.COMPLETED and _open_count(broadcast) == 0


def _assert_once_each(fake: FakeWhatsApp, citizens: list[Citizen]) -> None:
    """Nothing lost, nothing duplicated: every recipient accepted by WhatsApp exactly once."""
    per_recipient = fake.stats()["per_recipient"]
    expected = {c.phone.lstrip("+") for c in citizens}
    received = {wa_id: n for wa_id, n in per_recipient.items() if wa_id in expected}
    duplicated = {wa_id: n for wa_id, n in received.items() if n != 1}
    lost = expected - set(received)
    if duplicated and os.environ.get("THANA_DEBUG_DUPES"):
        phones = ["+" + w for w in list(duplicated)[:5]]
        for d in Delivery.objects.filter(citizen__phone__in=phones).values(
            "id", "status", "attempts", "wamid", "claimed_at", "sent_at", "error_title"
        ):
            print("DUPE", d)
        reqs = [r for r in fake.requests() if r.get("wa_id") in set(list(duplicated)[:5])]
        for r in reqs:
            print(
                "REQ", r.get("wa_id"), r.get("callback_data"), r.get("received_at"), r.get("wamid")
            )
    assert duplicated == {}, f"{len(duplicated)} recipients got the message more than once"
    assert lost == set(), f"{len(lost)} recipients never got the message"


def test_a_5000_recipient_broadcast_completes_once_per_recipient(world, fake, engine) -> None:
    citizens = _citizens(world, 5000)
    broadcast = _scheduled_broadcast(world)
    with worker(engine):
        wait_for(
            lambda: _finished(broadcast),
            timeout=240,
            tick=lambda: beat(engine),
            what="the broadcast to complete with every delivery final",
        )
    _assert_once_each(fake, citizens)
    statuses = set(Delivery.objects.filter(broadcast=broadcast).values_list("status", flat=True))
    assert statuses <= {DeliveryStatus.DELIVERED, DeliveryStatus.READ}
    assert Delivery.objects.filter(broadcast=broadcast, wamid__isnull=True).count() == 0
    assert fake.stats()["accepted"] == 5000


def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_nothing(world, fake, engine) -> None:
    engine.env["WHATSAPP_MESSAGES_PER_SECOND"] = "150"
    citizens = _citizens(world, 2000)
    broadcast = _scheduled_broadcast(world)
    first = start_worker(engine)
    try:
        wait_for(
            lambda: fake.stats()["accepted"] >= 400,
            timeout=120,
            tick=lambda: beat(engine),
            what="sending to be under way",
        )
        kill_group(first, signal.SIGKILL)
        seen_at_kill = fake.stats()["accepted"]
        in_doubt = _open_count(broadcast, [DeliveryStatus.SENDING])
    finally:
        kill_group(first, signal.SIGKILL)
    assert 0 < seen_at_kill < 2000, "the kill must land in the middle of the broadcast"
    with worker(engine) as second:
        assert second.pid != first.pid
        wait_for(
            lambda: _finished(broadcast),
            timeout=240,
            tick=lambda: beat(engine),
            what="the broadcast to complete after the kill",
        )
    assert fake.stats()["accepted"] > seen_at_kill, "the new worker must have sent the rest"
    _assert_once_each(fake, citizens)
    print(
        f"FAULT worker_sigkill: accepted_at_kill={seen_at_kill} in_doubt={in_doubt} "
        "lost=0 duplicated=0"
    )


def test_redis_restarted_mid_send_resumes(world, fake, engine) -> None:
    engine.env["WHATSAPP_MESSAGES_PER_SECOND"] = "150"
    citizens = _citizens(world, 1500)
    broadcast = _scheduled_broadcast(world)
    port = os.environ["THANA_TEST_REDIS_PORT"]
    with worker(engine):
        wait_for(
            lambda: fake.stats()["accepted"] >= 300,
            timeout=120,
            tick=lambda: beat(engine),
            what="sending to be under way",
        )
        before = fake.stats()["accepted"]
        old_pid = _redis_pid(port)
        subprocess.run(
            ["redis-cli", "-p", port, "shutdown", "nosave"],
            check=False,
            capture_output=True,
            timeout=10,
        )
        time.sleep(1.0)
        _start_redis()
        new_pid = _redis_pid(port)
        assert new_pid != old_pid, "Redis must really have restarted"
        wait_for(
            lambda: _finished(broadcast),
            timeout=240,
            tick=lambda: _safe_beat(engine),
            what="sending to resume after the Redis restart",
        )
    assert fake.stats()["accepted"] > before
    _assert_once_each(fake, citizens)
    print(
        f"FAULT redis_restart: accepted_before={before} old_pid={old_pid} new_pid={new_pid} "
        "lost=0 duplicated=0"
    )


def test_throttling_slows_the_sender_instead_of_failing_messages(world, fake, engine) -> None:
    fake.configure(mps=40)
    engine.env["WHATSAPP_MESSAGES_PER_SECOND"] = "400"  # misconfigured: ten times too fast
    citizens = _citizens(world, 400)
    broadcast = _scheduled_broadcast(world)
    with worker(engine):
        wait_for(
            lambda: _finished(broadcast),
            timeout=240,
            tick=lambda: beat(engine),
            what="the throttled broadcast to complete",
        )
    throttled = sum(n for code, n in fake.stats()["rejected"].items() if str(code) == "130429")
    assert throttled > 0, "the fake must really have throttled"
    assert not Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.FAILED).exists()
    _assert_once_each(fake, citizens)
    print(f"FAULT throttling: throttled_requests={throttled} failed=0 duplicated=0")


def test_5xx_and_dropped_connections_are_retried_or_reconciled_never_duplicated(
    world, fake, engine
) -> None:
    citizens = _citizens(world, 600)
    fake.inject("5xx", count=40)
    fake.inject("drop", count=15)
    fake.inject("drop_before", count=15)
    broadcast = _scheduled_broadcast(world)
    with worker(engine):
        wait_for(
            lambda: _finished(broadcast),
            timeout=240,
            tick=lambda: beat(engine),
            what="the broadcast to complete despite 5xx and dropped connections",
        )
    stats = fake.stats()
    assert sum(v for k, v in stats["rejected"].items() if str(k) in {"1", "2", "131000"}) >= 40
    assert stats["dropped_after_accept"] == 15 and stats["dropped_before"] == 15
    _assert_once_each(fake, citizens)
    print("FAULT 5xx_and_drops: 5xx=40 dropped_after=15 dropped_before=15 lost=0 duplicated=0")


def test_opted_out_citizens_receive_nothing(world, fake, engine) -> None:
    citizens = _citizens(world, 30)
    stopper, blocked = citizens[0], citizens[1]
    fake.configure(fail_recipients={blocked.phone.lstrip("+"): 131050})
    with worker(engine):
        fake.send_inbound(stopper.phone.lstrip("+"), "बंद")
        wait_for(
            lambda: Citizen.objects.filter(pk=stopper.pk, opted_out_at__isnull=False).exists(),
            timeout=60,
            what="the STOP reply to opt the citizen out",
        )
        first = _scheduled_broadcast(world)
        wait_for(
            lambda: _finished(first),
            timeout=120,
            tick=lambda: beat(engine),
            what="the first broadcast",
        )
        blocked.refresh_from_db()
        assert blocked.opt_out_source == OptOutSource.ERROR_131050
        second = _scheduled_broadcast(world)
        wait_for(
            lambda: _finished(second),
            timeout=120,
            tick=lambda: beat(engine),
            what="the second broadcast",
        )
    per_recipient = fake.stats()["per_recipient"]
    assert stopper.phone.lstrip("+") not in per_recipient
    assert per_recipient[blocked.phone.lstrip("+")] == 1  # the first try, refused by WhatsApp
    assert not Delivery.objects.filter(broadcast=second, citizen=blocked).exists()


def _redis_pid(port: str) -> int:
    out = subprocess.run(
        ["redis-cli", "-p", port, "info", "server"], capture_output=True, text=True, timeout=10
    ).stdout
    for line in out.splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":")[1])
    raise AssertionError("Redis is not answering")


def _start_redis() -> None:
    argv = os.environ["THANA_TEST_REDIS_ARGV"].split("\x1f")
    subprocess.Popen(
        [*argv, "--daemonize", "yes"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if (
            subprocess.run(
                ["redis-cli", "-p", os.environ["THANA_TEST_REDIS_PORT"], "ping"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            == "PONG"
        ):
            return
        time.sleep(0.1)
    raise AssertionError("Redis did not come back")


def _safe_beat(engine: Engine) -> None:
    try:
        beat(engine)
    except Exception as error:  # the broker may still be coming back; the next tick retries
        print(f"beat skipped while Redis restarts: {error!r}")
