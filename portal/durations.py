"""Durations in words ("1 week, 3 days") from the portal's own catalogue.

Django's timesince/timeuntil take their words from Django's catalogue, which has no Hindi or
Bengali for them (django/conf/locale/hi: "%(num)d week" is untranslated), so the IC dashboard
said "last 1 week, 3 days ago" in English inside a Hindi sentence. These strings carry the
"duration" context: they are ours, extracted by `make messages` into locale/, and translated
there. Templates use the `duration_since` / `duration_until` filters (portal.templatetags.durations)
instead of `|timesince` / `|timeuntil`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timesince as django_timesince
from django.utils.translation import npgettext_lazy

CONTEXT = "duration"

TIME_STRINGS: dict[str, Any] = {
    "year": npgettext_lazy("duration", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("duration", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("duration", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("duration", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("duration", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("duration", "%(num)d minute", "%(num)d minutes", "num"),
}


def duration_since(
    moment: date | datetime, now: date | datetime | None = None, *, depth: int = 2
) -> str:
    """The time from `moment` to now in the active language, e.g. "1 week, 3 days"."""
    return django_timesince.timesince(moment, now, time_strings=TIME_STRINGS, depth=depth)


def duration_until(
    moment: date | datetime, now: date | datetime | None = None, *, depth: int = 2
) -> str:
    """The time from now to `moment` in the active language, e.g. "2 days, 4 hours"."""
    return django_timesince.timeuntil(moment, now, time_strings=TIME_STRINGS, depth=depth)
