"""The review report's change markers: the arrow shows which way a figure moved, the colour
whether that is good news for that figure (each column says whether a rise is good)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reports.selectors import COLUMNS, DOWN, NEUTRAL, UP
from reports.templatetags.review import review_change
from tests.reports.conftest import PERIOD

CUSTOM = {"period": "custom", "from": PERIOD.start.isoformat(), "to": PERIOD.end.isoformat()}
BY_KEY = {column.key: column for column in COLUMNS}


def _marker(html: str, key: str) -> str:
    """The change marker's classes in the totals cell of column `key`."""
    cell = re.search(rf'data-key="{key}">(.*?)</td>', html, re.S)
    assert cell, key
    marker = re.search(r'class="review-change ([^"]*)"', cell.group(1))
    return marker.group(1) if marker else ""


def test_every_column_says_whether_a_rise_is_good_bad_or_neither() -> None:
    assert all(column.better in {UP, DOWN, NEUTRAL} for column in COLUMNS)
    for key in ("pending", "overdue", "median_days", "open_deficits", "pending_vetting"):
        assert BY_KEY[key].better == DOWN, key
    for key in ("disposed", "within_sla_pct", "counselling_settlements", "people_reached"):
        assert BY_KEY[key].better == UP, key
    assert BY_KEY["received"].better == NEUTRAL


def test_a_rise_in_overdue_is_bad_and_a_fall_is_good_a_rise_in_disposed_good() -> None:
    assert BY_KEY["overdue"].verdict(3) == "bad"
    assert BY_KEY["overdue"].verdict(-3) == "good"
    assert BY_KEY["median_days"].verdict(1.5) == "bad"
    assert BY_KEY["disposed"].verdict(2) == "good"
    assert BY_KEY["disposed"].verdict(-2) == "bad"
    assert BY_KEY["received"].verdict(5) == "neutral"
    assert BY_KEY["overdue"].verdict(0) == "neutral"
    assert BY_KEY["overdue"].verdict(None) == "neutral"


def test_the_marker_of_a_rise_in_pending_is_red_and_says_worse() -> None:
    html = review_change(
        {"column": BY_KEY["pending"], "change": 4, "previous": 1, "verdict": "bad"}
    )
    assert 'class="review-change up bad"' in html
    assert "▲" in html and "+4" in html and "up, worse" in html


@pytest.mark.django_db
def test_the_review_page_colours_each_change_by_whether_it_is_good_news(planted, login) -> None:  # type: ignore[no-untyped-def]
    response = login(planted.user("district_head")).get(reverse("reports:review"), CUSTOM)
    totals = response.context["report"].totals
    assert totals.change("overdue") > 0 and totals.change("pending") > 0
    assert totals.change("median_days") < 0 and totals.change("within_sla_pct") > 0
    assert totals.change("received") > 0
    html = response.content.decode()
    assert _marker(html, "overdue") == "up bad"
    assert _marker(html, "pending") == "up bad"
    assert _marker(html, "median_days") == "down good"
    assert _marker(html, "within_sla_pct") == "up good"
    assert _marker(html, "received") == "up neutral"


def test_the_stylesheet_colours_good_and_bad_news_not_the_arrow() -> None:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "reports-review.css").read_text()
    assert re.search(r"\.review-change\.good\s*\{\s*color:\s*#146c43", css)
    assert re.search(r"\.review-change\.bad\s*\{\s*color:\s*#b02a37", css)
    assert not re.search(r"\.review-change\.(up|down)\s*\{", css)
