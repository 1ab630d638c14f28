"""A stop-and-alert answer from WhatsApp halts, at once, every sender it concerns.

After a stop code every further request of its kind is refused too, and some do harm: sending
on after 131048 (spam rate limit) lowers the number's standing further. The sender thread that
gets the first one raises a halt in the cache (Redis in production, shared by every worker):

- scope `number`: 190 (token expired), 131048, 133010 (number not registered), 131031
  (account locked), 368 (policy block): nothing may be sent from the number;
- scope `template`: 132015 / 132016 (template paused / disabled): nothing with that template.

Every sender thread of every process checks the halts of its number and template just before
each request (a flag in its own process at once, the shared record at most HALT_POLL seconds
old) and hands its message back untouched: `pending`, no attempt used. The durable state is the
broadcasts' `stopped` status (lifecycle.stop_for_halt); a halt record only bridges the moments
until every sender has seen it, and holds the single-message stream back for HALT_SECONDS, after
which one request probes again. Resuming a broadcast, or WhatsApp approving the template again,
clears the halts concerned.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

NUMBER_CODES = frozenset({190, 131048, 133010, 131031, 368})
TEMPLATE_CODES = frozenset({132015, 132016})
HALT_POLL = 0.005  # seconds: how stale a process's view of the shared halts may be
HALT_SECONDS = 300  # a halt record's life: the single-message stream probes again after it


@dataclass(frozen=True)
class Halt:
    """Why and how far sending stops: the whole number, or one template."""

    scope: str  # "number" | "template"
    code: int | None
    reason: str
    sender_id: str
    template_id: int | None = None

    def key(self) -> str:
        return (
            _template_key(self.template_id)
            if self.scope == "template"
            else _number_key(self.sender_id)
        )


def _number_key(sender_id: str) -> str:
    return f"thana:halt:number:{sender_id}"


def _template_key(template_id: int | None) -> str:
    return f"thana:halt:template:{template_id}"


def halt_for(*, code: int | None, reason: str, sender_id: str, template_id: int | None) -> Halt:
    """The halt a stop code calls for (template codes without a template halt the number)."""
    if code in TEMPLATE_CODES and template_id is not None:
        return Halt("template", code, reason[:300], sender_id, template_id)
    return Halt("number", code, reason[:300], sender_id)


def raise_halt(halt: Halt) -> None:
    """Record the halt for every process; a cache outage is logged (the stopped broadcast and
    the local flag still stop the senders, only more slowly)."""
    try:
        cache.set(halt.key(), json.dumps(asdict(halt)), timeout=HALT_SECONDS)
    except Exception:
        logger.warning("halt %s not shared: cache unavailable", halt.key())


def clear_halts(
    *, sender_id: str | None = None, template_ids: list[int] | tuple[int, ...] = ()
) -> None:
    """Lift the halts of a number and of templates (an officer resumed; WhatsApp approved)."""
    keys = [_template_key(t) for t in template_ids]
    if sender_id is not None:
        keys.append(_number_key(sender_id))
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("halts %s not cleared: cache unavailable", keys)


def active_halt(*, sender_id: str, template_ids: list[int] | tuple[int, ...] = ()) -> Halt | None:
    """The halt in force for the number or any of the templates, if one is."""
    keys = [_number_key(sender_id), *(_template_key(t) for t in template_ids)]
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("halts not read: cache unavailable")
        return None
    for key in keys:
        if key in found:
            try:
                return Halt(**json.loads(found[key]))
            except (TypeError, ValueError):
                logger.warning("unreadable halt record %s", key)
    return None


class HaltWatch:
    """One sender run's view of the halts: what this process tripped, and the shared records.

    `check()` is called before every request by many threads: one of them reads the cache when
    the view is older than HALT_POLL, the others use the view (one round trip per HALT_POLL,
    not per message).
    """

    def __init__(self, *, sender_id: str, template_ids: set[int] | None = None) -> None:
        self.sender_id = sender_id
        self.template_ids: set[int] = set(template_ids or ())
        self.tripped: Halt | None = None
        self._seen: Halt | None = None
        self._read_at = -1e9
        self._lock = threading.Lock()

    def watch_template(self, template_id: int | None) -> None:
        if template_id is not None:
            self.template_ids.add(template_id)

    def trip(self, halt: Halt) -> None:
        """This process got a stop answer: stop its own threads now, and tell the others."""
        if self.tripped is None:
            self.tripped = halt
        raise_halt(halt)

    def check(self, template_id: int | None = None) -> Halt | None:
        """The halt that stops a send with this template now, or None."""
        for halt in (self.tripped, self._current()):
            if halt is not None and (halt.scope == "number" or halt.template_id == template_id):
                return halt
        return None

    def _current(self) -> Halt | None:
        if time.monotonic() - self._read_at < HALT_POLL or not self._lock.acquire(blocking=False):
            return self._seen
        try:
            self._seen = active_halt(
                sender_id=self.sender_id, template_ids=tuple(sorted(self.template_ids))
            )
            self._read_at = time.monotonic()
        finally:
            self._lock.release()
        return self._seen
