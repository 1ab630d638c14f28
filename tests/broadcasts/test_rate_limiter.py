"""The send-rate limiter: shared slots in Redis, and a throttle hold that moves the schedule.

WhatsApp answers "too fast" (130429) with a refusal; the sender then holds every send of the
number for a while. The slots reserved before the hold must move on by the hold, each by the
same amount, in this process and in every other one sending for the number, so the sends
after the hold keep their spacing instead of bunching up at its end.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import pytest
import redis

from broadcasts import ratelimit
from broadcasts.ratelimit import LocalRateLimiter, RedisRateLimiter

RATE = 50.0  # one slot every 20 ms
HOLD = 0.3


def _redis_limiter(key: str) -> RedisRateLimiter:
    client = ratelimit.redis_client()
    assert client is not None, "the suite runs on Redis"
    return RedisRateLimiter(client, key, RATE)


def _wait_all(limiter, slots: list[float], shift_seen: float, *, threads: bool) -> list[float]:  # type: ignore[no-untyped-def]
    """Wait for every slot as the sender does; the time each wait let its send go."""
    sent = [0.0] * len(slots)

    def one(i: int) -> None:
        assert limiter.wait_until(slots[i], shift_seen) is None
        sent[i] = time.monotonic()

    if not threads:
        for i in range(len(slots)):
            one(i)
        return sent
    workers = [threading.Thread(target=one, args=(i,)) for i in range(len(slots))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not any(worker.is_alive() for worker in workers)
    return sent


def _sleep_until(at: float) -> None:
    while (left := at - time.monotonic()) > 0:
        time.sleep(left)


class TestInOneProcess:
    def test_slots_are_spaced_one_interval_apart_and_never_sent_early(self) -> None:
        limiter = LocalRateLimiter(RATE)
        shift = limiter.schedule_shift()
        slots = limiter.reserve(10)
        assert [round(b - a, 6) for a, b in itertools.pairwise(slots)] == [0.02] * 9
        sent = _wait_all(limiter, slots, shift, threads=True)
        assert all(s >= at for s, at in zip(sent, slots, strict=True))
        later = limiter.reserve(1)[0]
        assert later >= slots[-1] + limiter.interval - 0.001  # the next one queues behind

    def test_a_hold_moves_every_slot_not_yet_due_by_the_whole_hold(self) -> None:
        limiter = LocalRateLimiter(RATE)
        shift = limiter.schedule_shift()
        slots = limiter.reserve(40)  # 800 ms of slots
        result: list[float] = []
        runner = threading.Thread(
            target=lambda: result.extend(_wait_all(limiter, slots, shift, threads=True))
        )
        runner.start()
        _sleep_until(slots[10])
        limiter.penalise(HOLD)  # the 11th request was refused
        held_at = time.monotonic()
        runner.join(timeout=30)
        sent = result
        assert len(sent) == len(slots)
        not_yet_due = [i for i, at in enumerate(slots) if at > held_at]
        assert not_yet_due, "the hold must come before the last slot"
        # Each moves by the whole hold, wherever its thread was when the hold came: before
        # the fix, a thread moved its slot by the hold time left when it noticed, so every
        # slot due during the hold went at its end, back to back.
        for i in not_yet_due:
            assert sent[i] >= slots[i] + HOLD, (i, sent[i] - slots[i])
        # New reservations queue behind the moved schedule.
        assert limiter.reserve(1)[0] >= slots[-1] + limiter.interval + HOLD - 0.001

    def test_refusals_within_one_hold_extend_it_only_by_what_they_add(self) -> None:
        limiter = LocalRateLimiter(RATE)
        limiter.penalise(HOLD)
        limiter.penalise(HOLD)  # a second request of the same burst refused
        limiter.penalise(0.1)  # shorter than what is left: adds nothing
        assert HOLD <= limiter.schedule_shift() < HOLD + 0.2  # not 0.6: once, not twice

    def test_a_long_hold_hands_the_message_back_with_the_time_it_ends(self) -> None:
        limiter = LocalRateLimiter(RATE)
        shift = limiter.schedule_shift()
        slot = limiter.reserve(1)[0]
        limiter.penalise(ratelimit.MAX_INLINE_HOLD + 20)
        handed_back = limiter.wait_until(slot, shift)
        assert handed_back is not None


class TestAcrossProcesses:
    """Two limiters on one key stand for two worker processes sending for one number."""

    def test_reservations_of_two_processes_never_overlap(self) -> None:
        key = f"test:ratelimit:{uuid.uuid4().hex}"
        first, second = _redis_limiter(key), _redis_limiter(key)
        a = first.reserve(5)
        b = second.reserve(5)
        # (Redis counts in whole milliseconds, and each process turns its answer into its own
        # clock a moment later: a few ms either way, against 100 ms for the five slots.)
        assert b[0] >= a[-1] + first.interval - 0.05
        c = first.reserve(1)
        assert c[0] >= b[-1] + first.interval - 0.05

    def test_a_refusal_in_one_process_moves_the_slots_of_the_other(self) -> None:
        key = f"test:ratelimit:{uuid.uuid4().hex}"
        refused, other = _redis_limiter(key), _redis_limiter(key)
        other.sync_every = 0.0  # ask Redis before every send (the default is every 50 ms)
        other_shift = other.schedule_shift()
        other_slots = other.reserve(10)
        refused.penalise(HOLD)  # WhatsApp refused one of the first process's requests
        held_at = time.monotonic()
        sent = _wait_all(other, other_slots, other_shift, threads=False)
        for i, at in enumerate(other_slots):
            if at > held_at:
                assert sent[i] >= at + HOLD - 0.002, (i, sent[i] - at)
        # Slots reserved after the hold come after the moved schedule, by either process.
        after = other.reserve(1)[0]
        assert after >= other_slots[-1] + other.interval + HOLD - 0.05

    def test_a_process_started_during_a_hold_waits_it_out(self) -> None:
        key = f"test:ratelimit:{uuid.uuid4().hex}"
        started = time.monotonic()
        _redis_limiter(key).penalise(HOLD)
        newcomer = _redis_limiter(key)
        assert newcomer.held_until >= started + HOLD - 0.01
        shift = newcomer.schedule_shift()
        assert shift == 0.0  # the hold moved the shared slot time, not this process's slots
        slot = newcomer.reserve(1)[0]
        assert slot >= started + HOLD - 0.05
        assert newcomer.wait_until(slot, shift) is None
        assert time.monotonic() >= started + HOLD - 0.05

    def test_repeated_refusals_across_processes_extend_the_hold_once(self) -> None:
        key = f"test:ratelimit:{uuid.uuid4().hex}"
        first, second = _redis_limiter(key), _redis_limiter(key)
        first.penalise(HOLD)
        second.penalise(HOLD)  # the other process's request of the same burst
        client = ratelimit.redis_client()
        assert client is not None
        total_ms = int(client.hget(first.hold_key, "shift"))
        assert HOLD * 1000 <= total_ms < HOLD * 1000 + 200  # not 600: once, not twice
        assert second.schedule_shift() == pytest.approx(total_ms / 1000)
        assert first.schedule_shift() == pytest.approx(total_ms / 1000)

    def test_without_redis_a_process_keeps_its_own_share_and_its_own_hold(self) -> None:
        dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
        limiter = RedisRateLimiter(dead, f"test:ratelimit:{uuid.uuid4().hex}", RATE)
        shift = limiter.schedule_shift()
        slots = limiter.reserve(3)
        assert len(slots) == 3
        before = time.monotonic()
        limiter.penalise(HOLD)
        assert limiter.schedule_shift() - shift >= HOLD - 0.001
        assert limiter.wait_until(slots[-1], shift) is None
        assert time.monotonic() >= before + HOLD - 0.05


class TestAdaptiveRate:
    """WhatsApp's real limit may be below the setting: the rate follows what WhatsApp says."""

    def test_a_refusal_after_a_calm_spell_cuts_the_rate_by_15_percent(self) -> None:
        rate = ratelimit.AdaptiveRate(80.0)
        assert rate.rate(now=0.0) == 80.0
        hold, new = rate.refused(now=10.0)
        assert new == pytest.approx(68.0)
        assert hold == ratelimit.ADAPT_SHORT_HOLD

    def test_refusals_that_keep_coming_right_after_a_cut_cut_deep_and_hold_long(self) -> None:
        rate = ratelimit.AdaptiveRate(80.0)
        rate.refused(now=10.0)  # 68
        grown = 68.0 + 0.02 * 68.0 * 0.1  # it grows back from the cut at once
        assert rate.refused(now=10.1) == (ratelimit.ADAPT_SHORT_HOLD, pytest.approx(grown))
        hold, new = rate.refused(now=10.2)  # the third within the cooldown: far too fast
        assert hold == ratelimit.ADAPT_LONG_HOLD
        assert new == pytest.approx(68.0 * 0.7)

    def test_the_rate_grows_back_to_the_setting_and_never_past_it(self) -> None:
        rate = ratelimit.AdaptiveRate(80.0)
        rate.refused(now=0.0)  # 68
        assert rate.rate(now=5.0) == pytest.approx(68.0 + 0.02 * 68.0 * 5)
        assert rate.rate(now=1000.0) == 80.0

    def test_a_local_limiter_spaces_its_slots_by_the_adapted_rate(self) -> None:
        limiter = LocalRateLimiter(RATE)
        limiter.refused()
        slots = limiter.reserve(3)
        spacing = slots[1] - slots[0]
        assert spacing == pytest.approx(1 / (RATE * 0.85), rel=0.05)

    def test_a_retry_after_is_the_least_hold(self) -> None:
        limiter = LocalRateLimiter(RATE)
        assert limiter.refused(retry_after=0.7) == pytest.approx(0.7)
        assert limiter.held_until - time.monotonic() > 0.6

    def test_one_process_s_refusal_slows_every_process_sending_for_the_number(self) -> None:
        key = f"test:ratelimit:{uuid.uuid4().hex}"
        refused, other = _redis_limiter(key), _redis_limiter(key)
        assert other.interval == pytest.approx(1 / RATE)
        refused.refused()
        other.sync_every = 0.0
        other.refresh()  # what it asks Redis every 50 ms while sending
        assert other.interval == pytest.approx(1 / (RATE * 0.85), rel=0.02)
        slots = other.reserve(3)
        assert slots[1] - slots[0] == pytest.approx(1 / (RATE * 0.85), rel=0.05)

    def test_the_shared_rate_follows_the_same_rules_as_the_local_one(self) -> None:
        key = f"test:ratelimit:{uuid.uuid4().hex}"
        first, second = _redis_limiter(key), _redis_limiter(key)
        holds = [first.refused(), second.refused(), first.refused()]  # one burst, two processes
        assert holds[:2] == [ratelimit.ADAPT_SHORT_HOLD] * 2
        assert holds[2] == pytest.approx(ratelimit.ADAPT_LONG_HOLD)
        assert first.interval == pytest.approx(1 / (RATE * 0.85 * 0.7), rel=0.02)
