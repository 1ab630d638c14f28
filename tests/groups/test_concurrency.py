"""Two officers approve the last seat at the same moment: the database lets only one in.

Real threads, each on its own PostgreSQL connection, released together by a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from broadcasts import demo as broadcasts_demo
from groups import services
from groups.models import CommunityGroup, Membership, Nomination
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _race(jobs: list[Callable[[], str]]) -> list[str]:
    """Run the jobs in threads started at the same instant; their results (or error names)."""
    barrier = threading.Barrier(len(jobs))
    results: list[str] = [""] * len(jobs)

    def run(index: int, job: Callable[[], str]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # recorded, asserted on below
            results[index] = type(error).__name__
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _last_seat_group(world, nominate, ic, officer):  # type: ignore[no-untyped-def]
    """A group with one seat left and two screened nominations competing for it."""
    broadcasts_demo.seed_sandbox_templates()
    group = GroupFactory(station=world.station, capacity=2, admins=[ic, officer])
    services.approve_nomination(nomination=nominate(group, name="Already In"), by=ic)
    return group, nominate(group, name="Rina Mondal"), nominate(group, name="Tania Sarkar")


def _approver(nomination: Nomination, by) -> Callable[[], str]:  # type: ignore[no-untyped-def]
    return lambda: services.approve_nomination(nomination=nomination, by=by).outcome


def _assert_not_overfilled(group: CommunityGroup, outcomes: list[str]) -> None:
    group.refresh_from_db()
    active = Membership.objects.filter(group=group, status="active").count()
    assert sorted(outcomes) == ["approved", "waitlisted"]
    assert group.seats_taken == active == group.capacity == 2
    assert Nomination.objects.filter(group=group, status="waitlisted").count() == 1


def test_two_concurrent_approvals_for_the_last_seat_never_overfill(
    world, nominate, ic, officer
) -> None:
    group, first, second = _last_seat_group(world, nominate, ic, officer)
    outcomes = _race([_approver(first, ic), _approver(second, officer)])
    _assert_not_overfilled(group, outcomes)


def test_the_seat_counter_alone_holds_even_without_the_row_lock(
    world, nominate, ic, officer, monkeypatch
) -> None:
    """Remove the Python-side lock: the conditional UPDATE and CHECK still refuse over-fill."""

    def unlocked(group_id: int) -> CommunityGroup:
        return CommunityGroup.objects.select_related("station__district").get(pk=group_id)

    monkeypatch.setattr(services, "_lock_group", unlocked)
    for _ in range(3):
        group, first, second = _last_seat_group(world, nominate, ic, officer)
        outcomes = _race([_approver(first, ic), _approver(second, officer)])
        _assert_not_overfilled(group, outcomes)


def test_a_removal_and_an_approval_at_once_keep_the_counter_true(
    world, nominate, ic, officer
) -> None:
    group, first, second = _last_seat_group(world, nominate, ic, officer)
    services.approve_nomination(nomination=first, by=ic)  # full now
    leaving = Membership.objects.filter(group=group, nomination=first).get()
    outcomes = _race(
        [
            lambda: services.remove_member(membership=leaving, by=ic, reason="Spam.").status,
            _approver(second, officer),
        ]
    )
    group.refresh_from_db()
    active = Membership.objects.filter(group=group, status="active").count()
    assert group.seats_taken == active <= group.capacity
    assert outcomes[0] == "removed"
    assert Nomination.objects.get(pk=second.pk).status == "approved"  # seated either way
