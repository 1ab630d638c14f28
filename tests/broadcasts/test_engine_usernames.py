"""WhatsApp as it is in 2026, end to end on the real worker (issue 15 acceptance): a 5,000-
recipient broadcast where 10% of citizens are known only by WhatsApp user id and 15% have
already had their marketing message of the day from WhatsApp's point of view (error 131049).

The fake Cloud API caps marketing at one a person a day (`marketing_cap_per_day=1`, counted
per phone or user id); an earlier broadcast that day to a tagged 15% uses their allowance.
Then: every delivery final, the capped ones sent once and not again the same day, nothing lost
or duplicated; a STOP by user id alone, a complaint from a user id and a user id update all
act on the one right citizen; the next day the capped citizens are offered first.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from broadcasts import demo, lifecycle
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from complaints.models import Complaint
from people.models import Citizen, ConsentSource, Tag
from tests.broadcasts.harness import Engine, beat, cloud_settings, route_to, wait_for, worker
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = [pytest.mark.engine, pytest.mark.django_db(transaction=True)]

TOTAL, USER_ID_ONLY, CAPPED = 5000, 500, 750
# Sent but not yet confirmed counts as open here: the fake confirms every message (delivered,
# read, or failed with 131049), so waiting for it proves every status webhook was applied.
NOT_FINAL = [
    DeliveryStatus.PENDING,
    DeliveryStatus.SENDING,
    DeliveryStatus.UNKNOWN,
    DeliveryStatus.SENT,
]


@pytest.fixture
def fake(live_server):  # type: ignore[no-untyped-def]
    server = FakeWhatsApp().start(
        webhook_url=f"{live_server.url}/webhooks/whatsapp",
        status_delay_ms=20,
        read_rate=0.3,
        pair_window_s=0,
        marketing_cap_per_day=1,
        seed=15,
    )
    yield server
    server.stop()


@pytest.fixture
def engine(settings, fake, world):  # type: ignore[no-untyped-def]
    values = cloud_settings(settings, fake)
    settings.BROADCAST_APPROVAL_THRESHOLD = 10**9
    type(world.district).objects.filter(pk=world.district.pk).update(
        whatsapp_phone_number_id=fake.phone_number_id
    )
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


def _user_id(i: int) -> str:
    return f"IN.2{i:015d}"


def _citizens(world) -> list[Citizen]:  # type: ignore[no-untyped-def]
    """4,500 citizens by phone and 500 by user id alone; every 10th of each kind tagged."""
    now = timezone.now()
    citizens = Citizen.objects.bulk_create(
        Citizen(
            phone=None if i < USER_ID_ONLY else f"+9196{i:08d}",
            whatsapp_user_id=_user_id(i) if i < USER_ID_ONLY else None,
            name=f"नागरिक {i}",
            district=world.district,
            station=world.station,
            preferred_language="hi",
            consent_source=ConsentSource.IMPORT,
            consent_at=now,
        )
        for i in range(TOTAL)
    )
    tag = Tag.objects.create(name="Police Mitan camp")
    early = [c for i, c in enumerate(citizens) if i % 20 < 3]  # 15%, both kinds
    assert len(early) == CAPPED
    tag.citizens.add(*early)
    return citizens


def _key(citizen: Citizen) -> str:
    return citizen.phone.lstrip("+") if citizen.phone else str(citizen.whatsapp_user_id)


def _broadcast(world, title: str, tags=()) -> Broadcast:  # type: ignore[no-untyped-def]
    demo.seed_sandbox_templates()
    template = MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")
    draft = lifecycle.create_broadcast(
        district=world.district,
        title=title,
        template=template,
        parameters=["Kabirdham"],
        by=world.user(Role.CYBER_CELL),
        tags=tags,
    )
    return lifecycle.submit_broadcast(broadcast=draft, by=world.user(Role.CYBER_CELL))


def _finished(broadcast: Broadcast) -> bool:
    broadcast.refresh_from_db()
    open_rows = Delivery.objects.filter(broadcast=broadcast, status__in=NOT_FINAL).count()
    return broadcast.status == Broadcast.Status.COMPLETED and open_rows == 0


def _run(engine, broadcast: Broadcast, what: str) -> None:  # type: ignore[no-untyped-def]
    wait_for(lambda: _finished(broadcast), timeout=240, tick=lambda: beat(engine), what=what)


def _sends_of(fake: FakeWhatsApp, broadcast: Broadcast) -> Counter[str]:
    """Requests WhatsApp accepted for this broadcast, per recipient (phone digits or user id)."""
    ids = set(Delivery.objects.filter(broadcast=broadcast).values_list("pk", flat=True))
    return Counter(
        str(r.get("wa_id") or r.get("user_id") or r.get("recipient"))
        for r in fake.requests()
        if str(r.get("callback_data", "")).isdigit() and int(r["callback_data"]) in ids
    )


def test_username_citizens_and_capped_ones_in_a_5000_broadcast(world, fake, engine) -> None:
    citizens = _citizens(world)
    keys = {_key(c) for c in citizens}
    tagged = {_key(c) for c in Tag.objects.get().citizens.all()}
    with worker(engine):
        early = _broadcast(world, "Camp follow-up", tags=Tag.objects.all())
        _run(engine, early, "the early broadcast to the tagged 15%")
        assert set(_sends_of(fake, early)) == tagged

        main = _broadcast(world, "Police Mitan: OTP fraud")
        _run(engine, main, "the 5,000-recipient broadcast")
        sends = _sends_of(fake, main)
        assert set(sends) == keys, f"{len(keys - set(sends))} recipients never sent to"
        assert max(sends.values()) == 1, "a recipient was sent to twice"
        statuses = Counter(Delivery.objects.filter(broadcast=main).values_list("status", flat=True))
        assert statuses[DeliveryStatus.CAPPED] == CAPPED
        assert statuses[DeliveryStatus.DELIVERED] + statuses[DeliveryStatus.READ] == TOTAL - CAPPED
        capped_keys = {
            _key(d.citizen)
            for d in Delivery.objects.filter(
                broadcast=main, status=DeliveryStatus.CAPPED
            ).select_related("citizen")
        }
        assert capped_keys == tagged
        assert Citizen.objects.filter(marketing_capped_at__isnull=False).count() == CAPPED
        by_user_id = [r for r in fake.requests() if r.get("user_id")]
        assert by_user_id and all(r.get("to") in (None, "") for r in by_user_id)

        # The same day: a capped citizen gets no marketing (a `capped` row, nothing sent).
        again = _broadcast(world, "Same day again", tags=Tag.objects.all())
        _run(engine, again, "a second broadcast the same day")
        assert _sends_of(fake, again) == Counter()
        assert (
            Delivery.objects.filter(broadcast=again, status=DeliveryStatus.CAPPED).count() == CAPPED
        )

        # A STOP, a complaint and a user id change, each by user id alone.
        stopper, writer, mover = citizens[1], citizens[2], citizens[4]
        fake.send_user_preference(None, "stop", user_id=stopper.whatsapp_user_id)
        fake.send_inbound(None, "मेरा फ़ोन चोरी हो गया", user_id=writer.whatsapp_user_id)
        fake.user_id_update(str(mover.whatsapp_user_id), "IN.3000000000000004")
        wait_for(
            lambda: (
                Citizen.objects.filter(pk=stopper.pk, opted_out_at__isnull=False).exists()
                and Complaint.objects.filter(whatsapp_citizen=writer).exists()
                and Citizen.objects.filter(whatsapp_user_id="IN.3000000000000004").exists()
            ),
            timeout=60,
            tick=lambda: beat(engine),
            what="the STOP, the complaint and the user id update to be applied",
        )
        assert Citizen.objects.count() == TOTAL  # nobody made twice
        complaint = Complaint.objects.get(whatsapp_citizen=writer)
        assert complaint.station_id == world.station.pk

        # The next day: WhatsApp's allowance is back; the capped come first; the STOP holds.
        fake.advance_day()
        Citizen.objects.filter(marketing_capped_at__isnull=False).update(
            marketing_capped_at=timezone.now() - timedelta(hours=25)
        )
        tomorrow = _broadcast(world, "Next day")
        _run(engine, tomorrow, "the next day's broadcast")
        sends = _sends_of(fake, tomorrow)
        assert stopper.whatsapp_user_id not in sends
        assert "IN.3000000000000004" in sends and str(mover.whatsapp_user_id) not in sends
        assert set(sends) == (keys - {_key(stopper), str(mover.whatsapp_user_id)}) | {
            "IN.3000000000000004"
        }
        first_ids = list(
            Delivery.objects.filter(broadcast=tomorrow)
            .order_by("pk")
            .values_list("citizen__phone", "citizen__whatsapp_user_id")[: CAPPED - 1]
        )
        offered_first = {phone.lstrip("+") if phone else uid for phone, uid in first_ids}
        assert offered_first <= tagged, "yesterday's capped citizens are offered first"
    print(
        f"ENGINE usernames: recipients={TOTAL} user_id_only={USER_ID_ONLY} capped={CAPPED} "
        "lost=0 duplicated=0"
    )
