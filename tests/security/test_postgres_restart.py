"""PostgreSQL restarted in the middle of a broadcast that a real Celery worker is sending to
the fake Cloud API (whose signed status webhooks hit a live portal). Every process loses its
database connections at once: the worker mid-batch, the webhook view mid-request, this test.

The test proves the fault happened (the postmaster's pid changed; messages were accepted both
before and after the restart) and that the broadcast then completes with every delivery final,
every recipient reached exactly once (nothing lost, nothing duplicated) and none failed.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count

from broadcasts.models import Broadcast, Delivery, DeliveryStatus, WebhookEvent
from tests.broadcasts.harness import beat, wait_for, worker
from tests.broadcasts.test_engine_e2e import (  # the same fake server and engine set-up
    OPEN,
    _assert_once_each,
    _citizens,
    _finished,
    _scheduled_broadcast,
    engine,
    fake,
)

pytestmark = [pytest.mark.engine, pytest.mark.django_db(transaction=True)]
__all__ = ["engine", "fake"]  # fixtures, imported for pytest

RECIPIENTS = 1500


def _pg(*argv: str) -> list[str]:
    """A pg_ctl command for the throwaway cluster, as the user that owns it."""
    user = os.environ.get("THANA_TEST_PG_USER") or None
    command = [f"{os.environ['THANA_TEST_PG_BIN']}/pg_ctl", "-D", os.environ["THANA_TEST_PGDATA"]]
    command += list(argv)
    return ["runuser", "-u", user, "--", *command] if user else command


def _postmaster_pid() -> int:
    pid_file = Path(os.environ["THANA_TEST_PGDATA"]) / "postmaster.pid"
    return int(pid_file.read_text().split()[0])


def _restart_postgres(outage_seconds: float) -> None:
    """Stop the server the hard way (every backend killed, crash recovery on start), stay down
    for a moment so clients really meet refused connections, then start it again."""
    subprocess.run(_pg("-m", "immediate", "-w", "stop"), check=True, capture_output=True)
    time.sleep(outage_seconds)
    subprocess.run(
        _pg(
            "-w",
            "-l",
            os.environ["THANA_TEST_PG_LOG"],
            "-o",
            os.environ["THANA_TEST_PG_OPTIONS"],
            "start",
        ),
        check=True,
        capture_output=True,
    )


def _durable_commits() -> None:
    """Make a commit mean what it means in production for this test's database.

    The throwaway cluster runs with synchronous_commit=off for speed: a commit is acknowledged
    before its WAL is flushed, so an immediate shutdown silently drops the last few hundred
    milliseconds of acknowledged commits (a webhook the portal answered 200 to, then forgot).
    Production keeps PostgreSQL's default (on). A database-level setting overrides the server's
    command line for every new session: the worker and the live server connect after this.
    """
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
        cursor.execute("SET synchronous_commit = on")
    connection.close()


def _finished_or_reconnect(broadcast: Broadcast) -> bool:
    """_finished, but a dropped connection means 'not yet' (and a fresh one next time)."""
    try:
        return _finished(broadcast)
    except (OperationalError, InterfaceError):
        connection.close()
        return False


def _sending_over(broadcast: Broadcast) -> bool:
    """Completed, with no row waiting, being sent or in doubt (reconnecting if need be)."""
    try:
        broadcast.refresh_from_db()
        return broadcast.status == Broadcast.Status.COMPLETED and not (
            Delivery.objects.filter(broadcast=broadcast, status__in=OPEN).exists()
        )
    except (OperationalError, InterfaceError):
        connection.close()
        return False


def _where_things_stand(broadcast: Broadcast, fake) -> str:  # type: ignore[no-untyped-def]
    """What to look at when the broadcast does not finish: statuses, stored webhooks, fake."""
    broadcast.refresh_from_db()
    statuses = dict(
        Delivery.objects.filter(broadcast=broadcast)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    unprocessed = WebhookEvent.objects.filter(processed_at__isnull=True).count()
    stats = {k: v for k, v in fake.stats().items() if k != "per_recipient"}
    return (
        f"broadcast={broadcast.status} deliveries={statuses} "
        f"unprocessed_webhooks={unprocessed} fake={stats}"
    )


@pytest.mark.skipif(
    not os.environ.get("THANA_TEST_PGDATA"), reason="needs scripts/test_services.py's servers"
)
def test_postgres_restart_mid_broadcast_loses_and_duplicates_nothing(world, fake, engine) -> None:
    fake.configure(webhook_retries=12)  # Meta retries webhooks for hours; the outage is seconds
    engine.env["WHATSAPP_MESSAGES_PER_SECOND"] = "150"
    # While PostgreSQL is down the portal cannot take webhooks, so a message WhatsApp accepted
    # just before the outage is confirmed only when a webhook retry gets through (the fake backs
    # off up to 30 s, as Meta does for longer). A row still unconfirmed after the grace period
    # is taken as never sent and sent again: the grace must outlast outage + retry delay. The
    # other engine tests use 15 s (no outage there); production's default is 600 s.
    engine.env["WHATSAPP_UNKNOWN_GRACE_SECONDS"] = "60"
    _durable_commits()
    citizens = _citizens(world, RECIPIENTS)
    broadcast = _scheduled_broadcast(world)
    with worker(engine):
        wait_for(
            lambda: fake.stats()["accepted"] >= 300,
            timeout=120,
            tick=lambda: beat(engine),
            what="sending to be under way",
        )
        old_pid = _postmaster_pid()
        accepted_before = fake.stats()["accepted"]
        _restart_postgres(outage_seconds=2.0)
        new_pid = _postmaster_pid()
        connection.close()  # this process's connection died with the server
        assert new_pid != old_pid, "PostgreSQL must really have restarted"
        assert accepted_before < RECIPIENTS, "the restart must land in the middle of sending"
        wait_for(
            lambda: _sending_over(broadcast),
            timeout=240,
            tick=lambda: beat(engine),
            what="the broadcast to complete after the PostgreSQL restart",
        )
        try:  # then the last delivered / read webhooks
            wait_for(lambda: _finished_or_reconnect(broadcast), timeout=30, what="final statuses")
        except AssertionError:
            pass  # reported below, after the lost / duplicated check
    accepted_after = fake.stats()["accepted"] - accepted_before
    assert accepted_after > 0, "sending must have gone on after the restart"
    _assert_once_each(fake, citizens)
    assert not Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.FAILED).exists()
    assert _finished(broadcast), (
        "every delivery must reach a final status (delivered / read): "
        + _where_things_stand(broadcast, fake)
    )
    hooks = fake.stats()["webhooks"]
    print(
        f"FAULT postgres_restart: recipients={RECIPIENTS} accepted_before={accepted_before} "
        f"webhook_posts_failed={hooks['failed']} retried={hooks['retried']} "
        f"gave_up={hooks['gave_up']} "
        f"accepted_after={accepted_after} postmaster_pid {old_pid} -> {new_pid} "
        "lost=0 duplicated=0 failed=0"
    )
