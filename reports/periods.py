"""Report periods: this month, last month or a custom range, and the period before each.

A period is a pair of inclusive local dates. "This month" runs from the 1st to today (the
month so far), so its previous period is the same number of days just before it, not the
whole of last month: the change against the previous period compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

THIS_MONTH = "this_month"
LAST_MONTH = "last_month"
CUSTOM = "custom"
PERIOD_CHOICES = [
    (THIS_MONTH, _("This month")),
    (LAST_MONTH, _("Last month")),
    (CUSTOM, _("Custom dates")),
]


def max_period_days() -> int:
    """The longest period a report may cover (REPORTS_MAX_PERIOD_DAYS, default 731: two years)."""
    return int(getattr(settings, "REPORTS_MAX_PERIOD_DAYS", 731))


@dataclass(frozen=True)
class Period:
    """An inclusive range of local dates with the kind it was chosen as."""

    start: date
    end: date
    kind: str = CUSTOM

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Period(start=end - timedelta(days=self.days - 1), end=end, kind=CUSTOM)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) as aware datetimes."""
        zone = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after

    def as_params(self) -> dict[str, str]:
        """GET parameters that select this period again (bookmarkable links, exports)."""
        if self.kind in {THIS_MONTH, LAST_MONTH}:
            return {"period": self.kind}
        return {"period": CUSTOM, "from": self.start.isoformat(), "to": self.end.isoformat()}


def this_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(start=today.replace(day=1), end=today, kind=THIS_MONTH)


def last_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    return Period(start=end.replace(day=1), end=end, kind=LAST_MONTH)


class PeriodError(ValueError):
    """A custom period that cannot be reported on; the message is shown to the user."""


def custom(start: date | None, end: date | None) -> Period:
    """A validated custom period: both dates given, start <= end, not longer than the limit."""
    if start is None or end is None:
        raise PeriodError(_("Give both a start and an end date for a custom period."))
    if start > end:
        raise PeriodError(_("The start date must not be after the end date."))
    if (end - start).days + 1 > max_period_days():
        raise PeriodError(
            _("A report may cover at most %(days)d days; choose a shorter period.")
            % {"days": max_period_days()}
        )
    return Period(start=start, end=end, kind=CUSTOM)
