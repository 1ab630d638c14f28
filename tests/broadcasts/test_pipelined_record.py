"""The Cloud API sender keeps requests in flight across batches.

While a batch is sent, the next one is claimed, and the batch before is recorded on a recorder
thread with its own connection (closed when the run ends). Committed data (transaction=True),
as in a Celery worker: another connection must see the rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection

from broadcasts import sending, services
from broadcasts.models import Delivery, DeliveryStatus
from tests.broadcasts.harness import cloud_provider
from tests.factories.people import CitizenFactory
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeWhatsApp]:
    server = FakeWhatsApp().start(pair_window_s=0)
    yield server
    server.stop()


@pytest.fixture
def fake(fake_server, settings, world) -> Iterator[FakeWhatsApp]:  # type: ignore[no-untyped-def]
    with cloud_provider(settings, fake_server, pair_window_s=0, pair_spacing_s=0):
        yield fake_server


def _queue(world, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(n):
        citizen = CitizenFactory(station=world.station, phone=f"+9198{i:08d}")
        ids.append(
            services.queue_message(
                citizen=citizen,
                purpose="groups.invite",
                template_name="community_group_invite",
                parameters=["Rina", "Cantt PS", "Not Alone", "https://chat.whatsapp.com/x"],
                station=world.station,
            ).pk
        )
    return ids


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return int(cursor.fetchone()[0])


def test_every_batch_is_sent_once_and_recorded(world, fake) -> None:
    ids = _queue(world, 9)
    before = _backends()
    report = sending.run_sender(broadcast_id=None, time_budget=10, batch_size=2)
    assert report.sent == 9 and report.claimed == 9
    rows = Delivery.objects.filter(pk__in=ids)
    assert {row.status for row in rows} == {DeliveryStatus.SENT}
    assert all(row.wamid and row.attempts == 1 for row in rows)
    accepted = fake.requests()
    assert len(accepted) == 9  # each once, though batches were claimed ahead
    assert len({r["wa_id"] for r in accepted}) == 9
    assert report.db_seconds > 0 and report.wall_seconds >= report.db_seconds / 2
    # The recorder thread closed its connection (the server drops the backend a moment later).
    deadline = time.monotonic() + 5
    while _backends() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _backends() <= before


def test_max_messages_holds_with_batches_claimed_ahead(world, fake) -> None:
    ids = _queue(world, 7)
    report = sending.run_sender(broadcast_id=None, time_budget=10, batch_size=2, max_messages=3)
    assert report.sent == 3
    statuses = list(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses.count(DeliveryStatus.SENT) == 3
    assert statuses.count(DeliveryStatus.PENDING) == 4
    assert len(fake.requests()) == 3


def test_a_stop_error_hands_every_unsent_delivery_back(world, fake, monkeypatch) -> None:
    ids = _queue(world, 6)
    released: list[list[int]] = []
    release = sending.release_claimed
    monkeypatch.setattr(
        sending, "release_claimed", lambda batch: released.append(batch) or release(batch)
    )
    fake.inject("error", count=None, code=131031)  # account locked: stop sending
    report = sending.run_sender(broadcast_id=None, time_budget=10, batch_size=2)
    assert report.stop is not None and report.stop.code == 131031
    assert report.stop.scope == "number" and report.claimed == 2
    assert [len(batch) for batch in released] == [2]  # the second batch was claimed ahead
    rows = Delivery.objects.filter(pk__in=ids)
    # The refused message and its batch-mate go back to pending too, with no attempt used:
    # the account is locked, not the citizens' numbers; a later run reaches them all.
    assert {row.status for row in rows} == {DeliveryStatus.PENDING}
    assert {row.attempts for row in rows} == {0}
    assert len(fake.rejected()) <= 2  # the batch-mate was not even tried once the stop came
    # The batch claimed ahead went back untouched: free to claim again.
    untouched = [row for row in rows if row.error_code is None]
    assert len(untouched) == 4 and {row.claimed_at for row in untouched} == {None}


def test_a_failed_write_reaches_the_caller(world, fake, monkeypatch) -> None:
    _queue(world, 3)

    def broken(outcomes):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(sending, "record_outcomes", broken)
    with pytest.raises(RuntimeError, match="database went away"):
        sending.run_sender(broadcast_id=None, time_budget=5, batch_size=2)
