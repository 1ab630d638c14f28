"""The period a review compares with follows the calendar where the chosen period does."""

from __future__ import annotations

from datetime import date

import pytest

from reports.periods import CUSTOM, Period, last_month, this_month


def _previous(start: date, end: date) -> tuple[date, date]:
    before = Period(start=start, end=end).previous()
    return before.start, before.end


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Whole months compare with as many whole months just before.
        (date(2026, 9, 1), date(2026, 9, 30), (date(2026, 8, 1), date(2026, 8, 31))),
        (date(2026, 10, 1), date(2026, 10, 31), (date(2026, 9, 1), date(2026, 9, 30))),
        (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2028, 3, 1), date(2028, 3, 31), (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2026, 1, 1), date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
        (date(2026, 7, 1), date(2026, 9, 30), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 1, 1), date(2026, 12, 31), (date(2025, 1, 1), date(2025, 12, 31))),
        # A month so far compares with the same days of the month before.
        (date(2026, 11, 1), date(2026, 11, 22), (date(2026, 10, 1), date(2026, 10, 22))),
        (date(2026, 3, 1), date(2026, 3, 30), (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 1, 1), date(2026, 1, 1), (date(2025, 12, 1), date(2025, 12, 1))),
        # Any other range: the same number of days just before.
        (date(2026, 9, 10), date(2026, 9, 19), (date(2026, 8, 31), date(2026, 9, 9))),
        (date(2026, 9, 15), date(2026, 10, 14), (date(2026, 8, 16), date(2026, 9, 14))),
        (date(2026, 9, 1), date(2026, 10, 15), (date(2026, 7, 18), date(2026, 8, 31))),
    ],
)
def test_the_previous_period(start: date, end: date, expected: tuple[date, date]) -> None:
    assert _previous(start, end) == expected


def test_the_previous_period_is_a_custom_range_ending_before_the_period_starts() -> None:
    for period in (this_month(date(2026, 11, 22)), last_month(date(2026, 11, 22))):
        before = period.previous()
        assert before.kind == CUSTOM
        assert before.end < period.start
        assert before.days <= period.days + 3  # never longer than a month more


def test_last_month_on_any_day_compares_with_the_month_before_it() -> None:
    for day in range(1, 31):
        before = last_month(date(2026, 11, day)).previous()
        assert (before.start, before.end) == (date(2026, 9, 1), date(2026, 9, 30))
