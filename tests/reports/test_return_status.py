"""A monthly return's status says by when it is due, or since when it is overdue."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from reports.templatetags.returns import return_status_label

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def _dashboard(world, login, when: datetime) -> str:  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        page = login(world.user(Role.STATION_IC)).get(reverse("home"))
    assert page.status_code == 200
    return page.content.decode()


def test_before_the_due_date_the_card_says_due_by(world, login) -> None:
    html = _dashboard(world, login, datetime(2026, 11, 3, 11, tzinfo=IST))
    assert 'data-testid="return-status">Due by 5 Nov</span>' in html


def test_after_the_due_date_a_missing_return_says_overdue_since(world, login) -> None:
    html = _dashboard(world, login, datetime(2026, 11, 7, 11, tzinfo=IST))
    assert 'data-testid="return-status">Missing · overdue since 5 Nov</span>' in html


def test_the_returns_history_says_overdue_since_each_due_date(world, login) -> None:
    with time_machine.travel(datetime(2026, 11, 3, 11, tzinfo=IST), tick=False):
        page = login(world.user(Role.STATION_IC)).get(
            reverse("dashboard:station_returns", args=[world.station.pk])
        )
    html = page.content.decode()
    assert "Due by 5 Nov" in html  # October's return, due on 5 November
    assert "Missing · overdue since 5 Oct" in html  # September's, never submitted


def test_submitted_returns_keep_their_plain_labels() -> None:
    due = date(2026, 12, 5)
    assert return_status_label("on_time", due) == "Submitted on time"
    assert return_status_label("late", due) == "Submitted late"
    assert return_status_label("missing", due) == "Missing · overdue since 5 Dec"
    assert return_status_label("not_due", due) == "Due by 5 Dec"
