"""The monthly return page: who sees it, who submits, and what bad input gets."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from stations.models import StationReturn
from tests.factories.outreach import AwarenessDriveFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
NOV_3 = datetime(2026, 11, 3, 11, tzinfo=IST)


def url(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:station_returns", args=[world.station.pk])


def test_ic_sees_last_months_figures_and_submits(world, login) -> None:
    AwarenessDriveFactory(station=world.station, held_on=date(2026, 10, 12), people_reached=140)
    AwarenessDriveFactory(station=world.station, held_on=date(2026, 11, 1), people_reached=99)
    with time_machine.travel(NOV_3, tick=False):
        client = login(world.user(Role.STATION_IC))
        page = client.get(url(world))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Return for October 2026 due on 5 Nov 2026" in html
        assert page.context["figures"]["drives"] == 1
        assert page.context["figures"]["people_reached"] == 140
        assert 'data-testid="return-form"' in html
        done = client.post(url(world), {"month": "2026-10-01", "remarks": "All registers checked."})
        assert done.status_code == 302
        again = client.get(url(world))
    ret = StationReturn.objects.get()
    assert (ret.month, ret.remarks, ret.submitted_by) == (
        date(2026, 10, 1),
        "All registers checked.",
        world.user(Role.STATION_IC),
    )
    assert 'data-testid="return-submitted"' in again.content.decode()
    assert 'data-testid="return-form"' not in again.content.decode()


def test_double_submit_is_refused_with_a_message(world, login) -> None:
    with time_machine.travel(NOV_3, tick=False):
        client = login(world.user(Role.SHAKTI_INCHARGE))
        client.post(url(world), {"month": "2026-10-01"})
        second = client.post(url(world), {"month": "2026-10-01"})
    assert second.status_code == 200
    assert "already submitted" in second.content.decode()
    assert StationReturn.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"month": "2026-11-01"},  # this month has not ended
        {"month": "not-a-date"},
        {},
        {"month": "2026-10-01", "remarks": "x" * 2001},
    ],
)
def test_bad_input_gets_a_form_error_and_saves_nothing(world, login, data) -> None:
    with time_machine.travel(NOV_3, tick=False):
        page = login(world.user(Role.STATION_IC)).post(url(world), data)
    assert page.status_code == 200
    assert page.context["form"].errors
    assert not StationReturn.objects.exists()


def test_officer_sees_the_page_but_cannot_submit(world, login) -> None:
    with time_machine.travel(NOV_3, tick=False):
        client = login(world.user(Role.STATION_OFFICER))
        page = client.get(url(world))
        assert 'data-testid="return-not-yours"' in page.content.decode()
        assert client.post(url(world), {"month": "2026-10-01"}).status_code == 403
    assert not StationReturn.objects.exists()


def test_district_head_reads_the_history(world, login) -> None:
    with time_machine.travel(NOV_3, tick=False):
        page = login(world.user(Role.DISTRICT_HEAD)).get(url(world))
    assert page.status_code == 200
    assert len(page.context["history"]) == 12
    assert page.context["history"][0].month == date(2026, 10, 1)
    assert page.context["history"][1].status == "missing"
    assert 'data-testid="return-form"' not in page.content.decode()


@pytest.mark.parametrize("role", list(Role.values))
def test_foreign_users_get_404(world, login, role) -> None:
    client = login(world.strangers[role])
    with time_machine.travel(NOV_3, tick=False):
        assert client.get(url(world)).status_code == 404
        assert client.post(url(world), {"month": "2026-10-01"}).status_code == 404
    assert not StationReturn.objects.exists()


def test_ngo_of_our_district_gets_404(world, login) -> None:
    with time_machine.travel(NOV_3, tick=False):
        assert login(world.user(Role.NGO_COORDINATOR)).get(url(world)).status_code == 404


def test_sibling_station_ic_gets_404(world, login) -> None:
    sibling = reverse("dashboard:station_returns", args=[world.sibling_station.pk])
    with time_machine.travel(NOV_3, tick=False):
        assert login(world.user(Role.STATION_IC)).get(sibling).status_code == 404


@pytest.mark.parametrize("month", ["2026-11", "2026-13", "garbage"])
def test_months_not_ended_or_malformed_are_404(world, login, month) -> None:
    with time_machine.travel(NOV_3, tick=False):
        page = login(world.user(Role.STATION_IC)).get(url(world), {"month": month})
    assert page.status_code == 404


def test_an_older_missing_month_can_still_be_sent_late(world, login) -> None:
    with time_machine.travel(NOV_3, tick=False):
        client = login(world.user(Role.STATION_IC))
        page = client.get(url(world), {"month": "2026-08"})
        assert page.context["month"] == date(2026, 8, 1)
        client.post(url(world), {"month": "2026-08-01"})
    assert StationReturn.objects.get().is_late


def test_anonymous_visitor_is_sent_to_login(world, client) -> None:
    assert client.get(url(world)).status_code == 302
