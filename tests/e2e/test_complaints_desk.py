"""A Mission Shakti desk officer registers a complaint on a phone, logs a counselling outcome
and finds the complaint in the queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from complaints.models import Complaint, CounsellingSession, VictimIdentity
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.stations import StationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "desk-officer-pass-2026"
VICTIM = "Planted Victim Nasreen"


def _log_in(page: Page, base_url: str, username: str) -> None:
    sign_in(page, base_url, username, PASSWORD)


def test_an_officer_registers_a_complaint_logs_counselling_and_finds_it_in_the_queue(
    live_server, page: Page, artifacts
) -> None:
    station = StationFactory(code="VNS-CANTT", name="Cantonment PS")
    officer = UserFactory(
        username="desk_officer", first_name="Asha", last_name="Officer0", preferred_language="en"
    )
    officer.set_password(PASSWORD)
    officer.save()
    PostingFactory(user=officer, role=Role.SHAKTI_INCHARGE, station=station)

    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, "desk_officer")
    page.goto(f"{live_server.url}/complaints/")
    page.get_by_test_id("register-complaint").click()

    # First an empty description: a clear error, nothing saved.
    page.get_by_label("Category").select_option("domestic_violence")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("error-description")).to_have_text("Describe what happened.")
    assert Complaint.objects.count() == 0

    page.get_by_label("What happened").fill(
        "Husband beats her every night; she fears for her life."
    )
    page.get_by_label("Victim's name").fill(VICTIM)
    page.get_by_label("Victim's phone").fill("98123 45678")
    page.get_by_label("SOS — danger now").check()
    page.screenshot(path=str(artifacts / "complaints-register-360.png"), full_page=True)
    page.get_by_role("button", name="Register").click()

    complaint = Complaint.objects.get()
    expect(page.get_by_test_id("tracking-number")).to_have_text(complaint.tracking_number)
    assert complaint.tracking_number.startswith("VNS-CANTT-")
    assert complaint.is_sos
    assert VictimIdentity.objects.get().name == VICTIM
    expect(page.get_by_test_id("identity-panel")).not_to_contain_text(VICTIM)

    # The identity needs a reason, and then shows.
    page.get_by_label("Why do you need to see the identity?").fill("Arranging shelter")
    page.get_by_role("button", name="Show identity").click()
    expect(page.get_by_test_id("identity")).to_contain_text(VICTIM)
    page.screenshot(path=str(artifacts / "complaints-detail-360.png"), full_page=True)

    # Quick actions on the phone: assign to herself, then log a counselling outcome.
    page.get_by_test_id("assign-form").locator("select").select_option(label="Asha Officer0")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("status")).to_have_text("Assigned")
    page.get_by_test_id("log-counselling").click()
    form = page.get_by_test_id("counselling-form")
    form.get_by_label("Parties present").fill("complainant, husband")
    form.get_by_label("Outcome").select_option("referred")
    form.get_by_label("Notes").fill("Referred to the One Stop Centre for shelter.")
    page.screenshot(path=str(artifacts / "complaints-counselling-form-360.png"), full_page=True)
    form.get_by_role("button", name="Save session").click()
    expect(page.get_by_test_id("counselling-session")).to_contain_text("Referred")
    session = CounsellingSession.objects.get()
    assert (session.complaint, session.outcome, session.recorded_by) == (
        complaint,
        "referred",
        officer,
    )
    page.screenshot(path=str(artifacts / "complaints-detail-counselled-360.png"), full_page=True)

    page.goto(f"{live_server.url}/complaints/")
    row = page.get_by_test_id("complaint-row").first
    expect(row).to_contain_text(complaint.tracking_number)
    expect(row).to_contain_text("SOS")
    expect(page.locator("body")).not_to_contain_text(VICTIM)
    page.screenshot(path=str(artifacts / "complaints-queue-360.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
