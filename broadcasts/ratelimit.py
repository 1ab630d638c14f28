"""A send-rate limiter shared by every worker, and leases that keep one sender per slot.

The limiter is GCRA (a token bucket kept as one 'theoretical arrival time' per WhatsApp phone
number id) in Redis, updated by a Lua script so that all workers on all machines share it. Each
`reserve()` takes the next slots; the sender sleeps until each comes. A throttling error holds
every sender of the number for a moment (`penalise`, the slots move on) and, through
`refused()`, lowers the shared rate itself.

The rate adapts (additive increase, multiplicative decrease, as TCP does): WhatsApp's real limit
for a number may be lower than WHATSAPP_MESSAGES_PER_SECOND says (a number not yet upgraded,
a coexistence number at 20/s, a wrong setting). A refusal after a calm spell cuts the shared rate
by 15%; refusals that keep coming right after a cut (sends made at the old rate, or a limit far
below) cut it by 30% and hold every sender for a second so WhatsApp's window drains. From the
last cut the rate grows back by 2% of itself per second, up to the configured rate, so it settles
just under the real limit and recovers when the limit was a passing one. A `Retry-After` from
WhatsApp is honoured as the least hold. Without Redis (the embedded setup: one worker) the same
algorithm runs in-process.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
import uuid
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The shared rate now (msg/s): the configured ceiling ARGV[1], or, after a refusal, the rate of
# the last cut grown back by ARGV[2] (a share of itself, at least of a quarter of the ceiling)
# per second since. KEYS[2]: the adaptive state {cur, cut_at, strikes}.
_RATE_NOW = """
local function rate_now(now)
  local ceil = tonumber(ARGV[1])
  local st = redis.call('HMGET', KEYS[2], 'cur', 'cut_at')
  if not st[1] then return ceil end
  local cur, cut_at = tonumber(st[1]), tonumber(st[2])
  local grown = cur + tonumber(ARGV[2]) * math.max(cur, ceil / 4) * math.max(0, now - cut_at) / 1000
  return math.min(ceil, grown)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Reserve n consecutive slots at once at the shared rate: one round trip for a whole chunk.
# Returns {ms until the first slot, the rate}; slot i follows i intervals later.
_GCRA_RESERVE = (
    _RATE_NOW
    + """
local rate = rate_now(now)
local interval = 1000 / rate
local n = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * n
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(math.max(2000, new_tat - now + 2000)))
return {tostring(tat - now), tostring(rate)}
"""
)

# A throttling error holds every sender of the number for ARGV[1] ms and shifts the whole
# schedule by as much as the hold grew: the shared slot time (KEYS[1]) moves on, and the hold
# record (KEYS[2]: until, and the running total of every shift) tells each process to move
# the slots it reserved before the hold by the same amount. Several refusals within one hold
# extend it only by what they add. Returns {hold ms left, total shift ms}.
_PENALISE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local d = tonumber(ARGV[1])
local held = tonumber(redis.call('HGET', KEYS[2], 'until') or 0)
local grows = now + d - math.max(held, now)
if grows > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or now)
  if tat < now then tat = now end
  tat = tat + grows
  redis.call('SET', KEYS[1], tat, 'PX', math.ceil(math.max(2000, tat - now + 2000)))
  redis.call('HINCRBY', KEYS[2], 'shift', grows)
  redis.call('HSET', KEYS[2], 'until', now + d)
  held = now + d
end
redis.call('PEXPIRE', KEYS[2], 86400000)
return {math.max(0, held - now), tonumber(redis.call('HGET', KEYS[2], 'shift') or 0)}
"""

# A refusal lowers the shared rate (KEYS[2] the adaptive state, KEYS[3] the slot time). ARGV:
# [1] ceiling, [2] growth, [3] cooldown ms, [4] strikes for a deep cut, [5] cut, [6] deep cut,
# [7] short hold ms, [8] long hold ms, [9] least rate. Returns {hold ms to apply, new rate}.
_ADAPT = (
    _RATE_NOW
    + """
local rate = rate_now(now)
local st = redis.call('HMGET', KEYS[2], 'cur', 'cut_at', 'strikes')
local cur, hold
if (not st[1]) or now - tonumber(st[2]) >= tonumber(ARGV[3]) then
  cur = math.max(tonumber(ARGV[9]), rate * tonumber(ARGV[5]))
  redis.call('HSET', KEYS[2], 'cur', tostring(cur), 'cut_at', now, 'strikes', 1)
  hold = tonumber(ARGV[7])
else
  local strikes = tonumber(st[3]) + 1
  if strikes >= tonumber(ARGV[4]) then
    cur = math.max(tonumber(ARGV[9]), tonumber(st[1]) * tonumber(ARGV[6]))
    redis.call('HSET', KEYS[2], 'cur', tostring(cur), 'cut_at', now, 'strikes', 1)
    hold = tonumber(ARGV[8])
  else
    cur = rate
    redis.call('HSET', KEYS[2], 'strikes', strikes)
    hold = tonumber(ARGV[7])
  end
end
redis.call('PEXPIRE', KEYS[2], 86400000)
return {hold, tostring(cur)}
"""
)

_HOLD_STATE = (
    _RATE_NOW
    + """
local held = tonumber(redis.call('HGET', KEYS[3], 'until') or 0)
return {math.max(0, held - now), tonumber(redis.call('HGET', KEYS[3], 'shift') or 0),
        tostring(rate_now(now))}
"""
)


class RateLimiter(Protocol):
    interval: float  # seconds between two sends at the current (adapted) rate

    def acquire(self) -> float: ...

    def reserve(self, n: int) -> list[float]: ...

    def schedule_shift(self) -> float: ...

    def wait_until(self, at: float, shift_seen: float | None = None) -> dt.datetime | None: ...

    def penalise(self, seconds: float) -> None: ...

    def refused(self, retry_after: float | None = None) -> float: ...


MAX_INLINE_HOLD = 10.0  # seconds a sender thread waits out a throttle hold in place

# The adaptive rate (module docstring). Cooldown: refusals sooner than this after a cut come
# from sends already made at the old rate (WhatsApp counts over a one-second window).
ADAPT_GROWTH = 0.02  # per second, of the rate at the last cut (or a quarter of the ceiling)
ADAPT_CUT = 0.85
ADAPT_DEEP_CUT = 0.7
ADAPT_DEEP_STRIKES = 3
ADAPT_COOLDOWN = 1.0
ADAPT_SHORT_HOLD = 0.2
ADAPT_LONG_HOLD = 1.0
ADAPT_LEAST_RATE = 1.0


class AdaptiveRate:
    """The adaptive rate in one process (the shared limiter runs the same rules in Redis)."""

    def __init__(self, ceiling: float) -> None:
        self.ceiling = ceiling
        self.cur: float | None = None  # None: never refused (or long since): the ceiling
        self.cut_at = 0.0
        self.strikes = 0
        self.lock = threading.Lock()

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        if self.cur is None:
            return self.ceiling
        base = max(self.cur, self.ceiling / 4)
        return min(self.ceiling, self.cur + ADAPT_GROWTH * base * max(0.0, now - self.cut_at))

    def refused(self, now: float | None = None) -> tuple[float, float]:
        """A refusal: (the hold to apply, seconds; the new rate)."""
        now = time.monotonic() if now is None else now
        with self.lock:
            rate = self.rate(now)
            if self.cur is None or now - self.cut_at >= ADAPT_COOLDOWN:
                self.cur, self.cut_at, self.strikes = (
                    max(ADAPT_LEAST_RATE, rate * ADAPT_CUT),
                    now,
                    1,
                )
                return ADAPT_SHORT_HOLD, self.cur
            self.strikes += 1
            if self.strikes >= ADAPT_DEEP_STRIKES:
                self.cur = max(ADAPT_LEAST_RATE, self.cur * ADAPT_DEEP_CUT)
                self.cut_at, self.strikes = now, 1
                return ADAPT_LONG_HOLD, self.cur
            return ADAPT_SHORT_HOLD, rate


class _Pacing:
    """Local half of every limiter: sleeping until a reserved slot, and the throttle hold.

    A hold shifts the whole schedule: every slot reserved before it moves on by as much as the
    hold added (`shift` is the running total), so the sends after a hold keep the spacing they
    were reserved with. (Shifting each slot by the hold time left when its thread happened to
    notice squeezed together threads that noticed at different moments.)
    """

    interval: float

    def __init__(self) -> None:
        self.held_until = 0.0  # time.monotonic() before which nothing may be sent
        self.shift = 0.0  # seconds every hold so far has moved the schedule on, in total
        self.shared_shift = 0.0  # of the shared total (Redis hold record), what is taken on
        self.hold_lock = threading.Lock()
        # No two sends of this process closer than one interval, even when a thread reaches
        # its slot late: late threads (the first requests of a batch open their connections
        # first) used to fire back to back to catch up, and a burst of ~7 at the start of a
        # run put the one-second window over the limit; the refusal's hold then made the
        # next burst (bench: about half the throttled runs refused ~14% of requests).
        self.next_free = 0.0
        self.spacing_lock = threading.Lock()

    def slots_from(self, delay: float, n: int) -> list[float]:
        start = time.monotonic() + max(0.0, delay)
        return [start + i * self.interval for i in range(n)]

    def schedule_shift(self) -> float:
        """Read before reserving; give it to wait_until with the slots reserved after it."""
        return self.shift

    def refresh(self) -> None:
        """Learn of holds set elsewhere (the shared limiter asks Redis; a local one knows)."""

    def wait_until(self, at: float, shift_seen: float | None = None) -> dt.datetime | None:
        """Sleep until the slot at `at`, sitting out a short throttle hold (it shifts the slot).

        `shift_seen` is schedule_shift() from before the slot was reserved: every hold since
        then moves the slot on. Returns None when it is time to send, or when a long hold
        (> MAX_INLINE_HOLD) ends: the caller then hands the message back instead of keeping
        its row claimed that long.
        """
        if shift_seen is None:
            shift_seen = self.shift
        while True:
            self.refresh()
            remaining = self.held_until - time.monotonic()
            if remaining > MAX_INLINE_HOLD:
                return timezone.now() + dt.timedelta(seconds=remaining)
            if remaining > 0:
                time.sleep(min(remaining, 0.5))
                continue
            now = time.monotonic()
            pause = at + (self.shift - shift_seen) - now
            if pause <= 0:
                interval = getattr(self, "interval", 0.0)
                if interval < 0.0005:  # over 2,000 msg/s: sleep cannot space sends that close
                    return None
                with self.spacing_lock:
                    if now >= self.next_free:
                        self.next_free = now + interval
                        return None
                    pause = self.next_free - now  # another send just went: keep the spacing
            time.sleep(min(pause, 0.5))  # wake often enough to notice a new hold

    def hold(self, seconds: float) -> float:
        """Hold every send of this process for `seconds` from now; returns how far that moved
        the schedule (0 when a hold at least as long was already on)."""
        with self.hold_lock:
            now = time.monotonic()
            grows = now + seconds - max(self.held_until, now)
            if grows <= 0:
                return 0.0
            self.shift += grows
            self.held_until = now + seconds
            return grows

    def follow(self, remaining: float, shift_total: float) -> None:
        """Take on a shared hold: `remaining` seconds left, `shift_total` moved in all."""
        with self.hold_lock:
            grows = shift_total - self.shared_shift
            self.shared_shift = shift_total
            if grows > 0:
                self.shift += grows
            self.held_until = max(self.held_until, time.monotonic() + remaining)


def messages_per_second() -> float:
    """The configured throughput, less a safety margin so bursts never cross the limit."""
    rate = float(settings.WHATSAPP_MESSAGES_PER_SECOND)
    margin = float(getattr(settings, "WHATSAPP_RATE_SAFETY", 0.93))
    return max(0.1, rate * margin)


def redis_client() -> Any | None:
    """The raw redis-py client behind Django's Redis cache, or None for other caches."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(None, write=True)


class RedisRateLimiter(_Pacing):
    """The shared limiter. If Redis fails mid-send, this process falls back to its own share
    of the rate (rate / sender slots) instead of failing the batch: losing Redis must never
    strand deliveries; the shared limiter resumes as soon as Redis answers again."""

    def __init__(self, client: Any, key: str, rate: float) -> None:
        super().__init__()
        self.client, self.key = client, key
        self.ceiling = rate
        self.interval = 1.0 / rate
        self._reserve = client.register_script(_GCRA_RESERVE)
        self._penalise = client.register_script(_PENALISE)
        self._adapt = client.register_script(_ADAPT)
        self._hold_state = client.register_script(_HOLD_STATE)
        self.hold_key = f"{key}:hold"
        self.adapt_key = f"{key}:adapt"
        slots = max(1, int(getattr(settings, "BROADCAST_SENDERS_PER_BROADCAST", 1)))
        self._fallback = LocalRateLimiter(rate / slots)
        self._synced_at = -math.inf
        self._sync_lock = threading.Lock()
        self._refresh_hold(starting=True)  # a hold set before this sender started still counts

    # How often (seconds) a sending process asks Redis whether another process was refused.
    sync_every = 0.05

    def refresh(self) -> None:
        if time.monotonic() - self._synced_at >= self.sync_every:
            self._refresh_hold()

    def schedule_shift(self) -> float:
        """Up to date before a reservation: the shared slot time already counts every hold
        so far, so slots reserved now must not be moved again for those."""
        self._refresh_hold()
        return self.shift

    def _refresh_hold(self, *, starting: bool = False) -> None:
        """Take on a hold another process set (one thread asks at a time)."""
        now = time.monotonic()
        if not self._sync_lock.acquire(blocking=False):
            return  # another thread is asking right now
        try:
            self._synced_at = now
            remaining_ms, shift_ms, rate = self._hold_state(
                keys=[self.key, self.adapt_key, self.hold_key], args=[self.ceiling, ADAPT_GROWTH]
            )
        except RedisError:
            return  # the local hold still applies; shared holds resume with Redis
        finally:
            self._sync_lock.release()
        if starting:  # earlier holds already moved the shared slot time, and no slot of ours
            self.shared_shift = float(shift_ms) / 1000.0
        self.follow(float(remaining_ms) / 1000.0, float(shift_ms) / 1000.0)
        self._set_rate(rate)

    def _set_rate(self, rate: Any) -> None:
        self.interval = 1.0 / max(ADAPT_LEAST_RATE, float(rate))

    def acquire(self) -> float:
        """Wait for this worker's next slot; returns the seconds waited."""
        shift = self.schedule_shift()
        slot = self.reserve(1)[0]
        started = time.monotonic()
        self.wait_until(slot, shift)
        return max(0.0, time.monotonic() - started)

    def reserve(self, n: int) -> list[float]:
        """Reserve n consecutive slots shared with every worker; their local send times."""
        try:
            delay_ms, rate = self._reserve(
                keys=[self.key, self.adapt_key], args=[self.ceiling, ADAPT_GROWTH, n]
            )
        except RedisError:
            logger.warning("rate limiter: Redis unavailable, using this process's share")
            return self._fallback.reserve(n)
        self._set_rate(rate)
        return self.slots_from(float(delay_ms) / 1000.0, n)

    def penalise(self, seconds: float) -> None:
        """Hold every sender of this number back for `seconds` (WhatsApp said 'too fast')."""
        self._fallback.penalise(seconds)
        try:
            remaining_ms, shift_ms = self._penalise(
                keys=[self.key, self.hold_key], args=[int(seconds * 1000)]
            )
        except RedisError:
            logger.warning("rate limiter: Redis unavailable, penalty kept locally")
            self.hold(seconds)
            return
        self.follow(float(remaining_ms) / 1000.0, float(shift_ms) / 1000.0)

    def refused(self, retry_after: float | None = None) -> float:
        """WhatsApp refused a send as too fast: lower the shared rate and hold every sender
        (at least `retry_after` seconds when WhatsApp said so). Returns the hold."""
        try:
            hold_ms, rate = self._adapt(
                keys=[self.key, self.adapt_key],
                args=[
                    self.ceiling,
                    ADAPT_GROWTH,
                    int(ADAPT_COOLDOWN * 1000),
                    ADAPT_DEEP_STRIKES,
                    ADAPT_CUT,
                    ADAPT_DEEP_CUT,
                    int(ADAPT_SHORT_HOLD * 1000),
                    int(ADAPT_LONG_HOLD * 1000),
                    ADAPT_LEAST_RATE,
                ],
            )
            hold = float(hold_ms) / 1000.0
            self._set_rate(rate)
        except RedisError:
            logger.warning("rate limiter: Redis unavailable, adapting this process's share")
            hold = self._fallback.refused(retry_after)
        hold = max(hold, retry_after or 0.0)
        self.penalise(hold)
        return hold


class LocalRateLimiter(_Pacing):
    """The same GCRA in one process (embedded mode runs a single worker)."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.adaptive = AdaptiveRate(rate)
        self.interval = 1.0 / rate
        self.tat = time.monotonic()
        self.lock = threading.Lock()

    def refresh(self) -> None:
        self.interval = 1.0 / self.adaptive.rate()

    def reserve(self, n: int) -> list[float]:
        with self.lock:
            self.refresh()
            now = time.monotonic()
            first = max(self.tat, now)
            self.tat = first + n * self.interval
        return self.slots_from(first - time.monotonic(), n)

    def acquire(self) -> float:
        with self.lock:
            self.refresh()
            now = time.monotonic()
            self.tat = max(self.tat, now) + self.interval
            wait = self.tat - self.interval - now
        if wait > 0:
            time.sleep(wait)
        return max(0.0, wait)

    def penalise(self, seconds: float) -> None:
        grows = self.hold(seconds)
        with self.lock:  # the slot time moves on with the schedule
            self.tat = max(self.tat, time.monotonic()) + grows

    def refused(self, retry_after: float | None = None) -> float:
        """WhatsApp refused a send as too fast: lower the rate, hold; returns the hold."""
        hold, rate = self.adaptive.refused()
        self.interval = 1.0 / rate
        hold = max(hold, retry_after or 0.0)
        self.penalise(hold)
        return hold


_local: dict[str, LocalRateLimiter] = {}


def limiter_for(sender_id: str) -> RateLimiter:
    """The limiter guarding one WhatsApp phone number id."""
    rate = messages_per_second()
    client = redis_client()
    if client is not None:
        return RedisRateLimiter(client, cache.make_key(f"thana:ratelimit:{sender_id}"), rate)
    key = f"{sender_id}:{rate}"
    if key not in _local:
        _local[key] = LocalRateLimiter(rate)
    return _local[key]


class Lease:
    """A named lock with a time-to-live, renewed while its holder works (one sender per slot)."""

    def __init__(self, name: str, ttl: float) -> None:
        self.key = f"thana:lease:{name}"
        self.ttl = ttl
        self.token = uuid.uuid4().hex

    def acquire(self) -> bool:
        return bool(cache.add(self.key, self.token, timeout=self.ttl))

    def renew(self) -> None:
        """Extend the lease; a cache outage is tolerated (the lease may lapse, which at worst
        lets a second sender start: SKIP LOCKED claims keep that safe)."""
        try:
            if cache.get(self.key) == self.token:
                cache.touch(self.key, timeout=self.ttl)
        except Exception:
            logger.warning("lease %s: cache unavailable, not renewed", self.key)

    def release(self) -> None:
        try:
            if cache.get(self.key) == self.token:
                cache.delete(self.key)
        except Exception:
            logger.warning("lease %s: cache unavailable, left to expire", self.key)

    def is_held(self) -> bool:
        return cache.get(self.key) is not None


class PairSpacing:
    """At most one message to the same phone number per `seconds`, across every worker.

    WhatsApp refuses a second message to the same recipient too soon (the pair rate limit,
    error 131056, about one per 6 s). The engine's two streams (broadcasts, single messages such
    as a group invite and its acknowledgement) can each pick the same citizen in the same
    second; rather than let WhatsApp refuse one, the sender claims a key per recipient just
    before the request (SET NX with an expiry: atomic in Redis) and defers the message whose
    key is taken until the spacing has passed. If the cache is down the message goes out
    unspaced: a 131056 is then retried with backoff as before, nothing is lost.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, float(seconds))

    def _key(self, phone: str) -> str:
        return f"thana:pair:{phone}"

    def claim(self, phone: str) -> dt.datetime | None:
        """None: send now (the spacing window is now ours); else the time it may be sent."""
        return self.claim_many([(phone, time.monotonic())])[0]

    def claim_many(self, requests: list[tuple[str, float]]) -> list[dt.datetime | None]:
        """Claim the window of each (phone, planned send time on time.monotonic()) at once.

        One Redis round trip for a whole batch (two when some windows are taken) instead of
        one per message: at 1,000 messages/s per-message round trips were a third of the
        sender's time. Each window opens at the message's planned send time (the rate
        limiter's slot), so claiming a batch ahead does not shorten anybody's spacing.
        """
        if self.seconds <= 0 or not requests:
            return [None] * len(requests)
        now, clock = time.time(), time.monotonic()
        planned = [(phone, now + max(0.0, at - clock)) for phone, at in requests]
        try:
            held = self._claim_or_last_many(planned, now)
        except Exception:
            logger.warning("pair spacing: cache unavailable, sending unspaced")
            return [None] * len(requests)
        return [
            None
            if last is None
            else dt.datetime.fromtimestamp(max(last, at - self.seconds) + self.seconds, tz=dt.UTC)
            for (_, at), last in zip(planned, held, strict=True)
        ]

    def release(self, phone: str) -> None:
        """Give the window back: the request was refused, so WhatsApp counted no message.

        (The retry is then paced by its own backoff. Should the window have lapsed and been
        taken by another message meanwhile, that one loses its spacing: at worst a 131056,
        retried as usual.)
        """
        if self.seconds <= 0:
            return
        try:
            client = redis_client()
            if client is not None:
                client.delete(cache.make_key(self._key(phone)))
            else:
                cache.delete(self._key(phone))
        except Exception:
            logger.warning("pair spacing: cache unavailable, window left to expire")

    def _claim_or_last_many(
        self, planned: list[tuple[str, float]], now: float
    ) -> list[float | None]:
        """Per request: None (the window is now ours) or when its holder sends (epoch s)."""
        client = redis_client()
        if client is None:
            return [self._claim_or_last_cache(phone, at) for phone, at in planned]
        keys = [cache.make_key(self._key(phone)) for phone, _ in planned]
        pipe = client.pipeline(transaction=False)
        for key, (_, at) in zip(keys, planned, strict=True):
            ms = max(1, int((max(0.0, at - now) + self.seconds) * 1000))
            pipe.set(key, repr(at), nx=True, px=ms)
        taken = pipe.execute()
        result: list[float | None] = [None] * len(planned)
        refused = [i for i, ok in enumerate(taken) if not ok]
        if refused:
            pipe = client.pipeline(transaction=False)
            for i in refused:
                pipe.get(keys[i])
            for i, value in zip(refused, pipe.execute(), strict=True):
                result[i] = self._held_at(value, planned[i][1])
        return result

    def _claim_or_last_cache(self, phone: str, at: float) -> float | None:
        """The same with Django's cache (embedded setup): add, else read the holder's time."""
        if cache.add(self._key(phone), at, timeout=max(1, math.ceil(self.seconds))):
            return None
        return self._held_at(cache.get(self._key(phone)), at)

    def _held_at(self, held: Any, at: float) -> float:
        """The holder's send time; a key that expired meanwhile means the window is free."""
        if held is None:
            return at - self.seconds
        return float(held.decode() if isinstance(held, bytes) else held)


def pair_spacing() -> PairSpacing:
    """The spacing from settings.WHATSAPP_PAIR_SPACING_SECONDS (0 turns it off)."""
    return PairSpacing(float(getattr(settings, "WHATSAPP_PAIR_SPACING_SECONDS", 6.0)))
