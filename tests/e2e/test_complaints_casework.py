"""On a phone, the station in-charge records the FIR of a complaint under enquiry (after a
clear error for a bad section) and closes it with a summary and the complainant's feedback."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from complaints.models import ComplaintClosure, FirRegistration
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.complaints_casework import complaint_under_enquiry
from tests.factories.complaints_intake import PLANTED_NAME
from tests.factories.stations import StationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "casework-ic-pass-2026"


def test_an_ic_records_the_fir_and_closes_with_feedback_on_a_phone(
    live_server, page: Page, artifacts
) -> None:
    station = StationFactory(code="VNS-LANKA", name="Lanka PS")
    ic = UserFactory(
        username="lanka_ic", first_name="Ravi", last_name="Inchrg", preferred_language="en"
    )
    ic.set_password(PASSWORD)
    ic.save()
    PostingFactory(user=ic, role=Role.STATION_IC, station=station)
    complaint = complaint_under_enquiry(station=station, ic=ic)
    year = timezone.localdate().year

    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "lanka_ic", PASSWORD)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("Under enquiry")

    page.get_by_test_id("register-fir").click()
    form = page.get_by_test_id("fir-form")
    form.get_by_role("textbox", name="FIR number", exact=True).fill(f"214/{year}")
    form.get_by_label("CCTNS FIR number").fill(f"14410001{year}00214")
    form.get_by_label("BNS sections").fill("78, 999")
    form.get_by_role("button", name="Save FIR").click()
    expect(page.get_by_test_id("error-bns_sections")).to_contain_text("999")
    assert FirRegistration.objects.count() == 0

    form = page.get_by_test_id("fir-form")
    form.get_by_label("BNS sections").fill("78, 351(2)")
    page.screenshot(path=str(artifacts / "complaints-fir-form-360.png"), full_page=True)
    form.get_by_role("button", name="Save FIR").click()
    expect(page.get_by_test_id("fir")).to_contain_text(f"0214/{year}")
    expect(page.get_by_test_id("status")).to_have_text("Action taken")
    assert FirRegistration.objects.get().bns_sections == ["78", "351(2)"]

    page.get_by_test_id("close-complaint").click()
    closing = page.get_by_test_id("closure-form")
    closing.get_by_role("button", name="Close complaint").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    closing = page.get_by_test_id("closure-form")
    closing.get_by_label("Summary").fill("FIR registered; accused warned off, charge sheet due.")
    closing.get_by_label("Partly satisfied").check()
    closing.get_by_label("Remarks").fill("Wanted faster action")
    page.screenshot(path=str(artifacts / "complaints-closure-form-360.png"), full_page=True)
    closing.get_by_role("button", name="Close complaint").click()
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    expect(page.get_by_test_id("feedback")).to_have_text("Partly satisfied")
    closure = ComplaintClosure.objects.get()
    assert (closure.complaint_id, closure.feedback) == (complaint.pk, "partly")
    expect(page.locator("body")).not_to_contain_text(PLANTED_NAME)
    page.screenshot(path=str(artifacts / "complaints-closed-360.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
