"""A station IC opens the dashboard on a phone, sees the SOS complaint first and submits last
month's Mission Shakti return."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from complaints.models import Complaint
from stations.models import Station, StationReturn
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.stations import StationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "station-ic-pass-2026"
_numbers = count(1)


def _complaint(station: Station, *, due_in: int, sos: bool = False) -> Complaint:
    number = next(_numbers)
    return Complaint.objects.create(
        tracking_number=f"{station.code}-2026-{number:05d}",
        station=station,
        year=2026,
        sequence=number,
        channel="desk",
        category="stalking",
        description="Followed to the college gate.",
        is_sos=sos,
        due_on=timezone.localdate() + timedelta(days=due_in),
    )


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"


def test_ic_sees_sos_first_and_submits_last_months_return(
    live_server, page: Page, artifacts
) -> None:
    station = StationFactory(code="VNS-CANTT", name="Cantonment PS")
    ic = UserFactory(username="ic_cantt", first_name="Amit", last_name="Singh")
    ic.set_password(PASSWORD)
    ic.save()
    PostingFactory(user=ic, role=Role.STATION_IC, station=station)
    overdue = _complaint(station, due_in=-4)
    sos = _complaint(station, due_in=9, sos=True)
    _complaint(station, due_in=2)

    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "ic_cantt", PASSWORD)
    page.goto(f"{live_server.url}/")
    urgent = page.get_by_test_id("urgent-complaint")
    expect(urgent).to_have_count(2)
    expect(urgent.first).to_contain_text(sos.tracking_number)
    expect(urgent.first).to_contain_text("SOS")
    expect(urgent.nth(1)).to_contain_text(overdue.tracking_number)
    expect(page.get_by_test_id("return-due")).to_contain_text("Return for")
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "dashboard-ic-360.png"), full_page=True)

    page.get_by_test_id("submit-return-link").click()
    expect(page.get_by_test_id("return-figures")).to_be_visible()
    page.get_by_label("Remarks (optional)").fill("Registers checked; figures agree.")
    _no_sideways_scroll(page)
    page.get_by_test_id("submit-return").click()
    expect(page.get_by_test_id("return-submitted")).to_be_visible()
    expect(page.get_by_test_id("return-form")).to_have_count(0)
    page.screenshot(path=str(artifacts / "dashboard-return-submitted-360.png"), full_page=True)

    saved = StationReturn.objects.get()
    assert saved.station == station and saved.submitted_by == ic
    assert saved.remarks == "Registers checked; figures agree."
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    assert saved.month == last_month

    # Back on the dashboard the return no longer asks to be submitted.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("submit-return-link")).to_have_count(0)
