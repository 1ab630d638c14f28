"""Report periods: this month, last month or a custom range, and the period before each.

A period is a pair of inclusive local dates. The period it is compared with follows the
calendar where the period does, as a commissioner reads a review:
- whole calendar months (last month, a quarter, a year) compare with as many whole months just
  before: September with August, July-September with April-June;
- a month so far (1 to 22 November) compares with the same days of the month before (1 to 22
  October; 1 to 28 February when the day does not exist), so like is compared with like;
- any other range compares with the same number of days just before it.
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
        """The period this one is compared with (see the module's docstring)."""
        if self.start.day == 1:
            months = _months_between(self.start, self.end)
            if self.end == _month_end(self.end):  # whole calendar months
                start = _add_months(self.start, -months)
                return Period(start=start, end=self.start - timedelta(days=1), kind=CUSTOM)
            if months == 1:  # a month so far
                start = _add_months(self.start, -1)
                end = min(start + timedelta(days=self.end.day - 1), _month_end(start))
                return Period(start=start, end=end, kind=CUSTOM)
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


def _month_end(day: date) -> date:
    """The last day of the day's month."""
    return _add_months(day.replace(day=1), 1) - timedelta(days=1)


def _add_months(first: date, months: int) -> date:
    """The 1st of the month `months` after (or before) the month of `first` (a 1st)."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months_between(start: date, end: date) -> int:
    """How many calendar months the inclusive range touches."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


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
