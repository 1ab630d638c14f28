"""The cyber cell imports a subscriber list on a phone (360x740) and watches a real worker.

A real Celery worker process (own queue, this test database) runs the import; the page polls
the status fragment with htmx until the job is done, reloads, and lists the rejected rows.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Posting, Role
from people.models import Citizen, ImportJob
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories import StationFactory, UserFactory
from tests.factories.accounts import TEST_PASSWORD
from tests.factories.people import CitizenFactory
from tests.people.helpers import start_worker

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("celery"),
]

LIST = (
    "phone,name,consent_source,station_code,language,tags\n"
    "98765 00201,सीता देवी,paper form,KWD-1,Hindi,Police Mitan\n"
    "९८७६५००२०२,गीता साहू,whatsapp,,,Police Mitan\n"
    "98765 00203,Rina Das,officer,,bn,\n"
    "0542 2500100,Landline Person,paper form,,,\n"
    "98765 00201,Sita again,paper form,,,\n"
    "98765 00205,,paper form,,,\n"
)


def _log_in(page: Page, base_url: str, username: str) -> None:
    sign_in(page, base_url, username, TEST_PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


@pytest.fixture
def cyber_cell(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A Kabirdham cyber-cell officer; uploads go to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    station = StationFactory(code="KWD-1", name="Kawardha PS")
    user = UserFactory(username="cyber_e2e", first_name="Anil", last_name="Verma")
    Posting.objects.create(user=user, role=Role.CYBER_CELL, district=station.district)
    return user, tmp_path


@pytest.fixture
def worker(settings, cyber_cell):  # type: ignore[no-untyped-def]
    """A real Celery worker on a queue of its own, reading this test database."""
    settings.PEOPLE_IMPORT_QUEUE = f"people-e2e-{os.getpid()}"
    proc = start_worker(settings.PEOPLE_IMPORT_QUEUE, cyber_cell[1])
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


def test_cyber_cell_uploads_a_list_on_a_phone_and_sees_the_rejected_rows(
    live_server, page: Page, cyber_cell, worker, artifacts
) -> None:
    user, tmp_path = cyber_cell
    path = tmp_path / "police-mitan.csv"
    path.write_text(LIST, encoding="utf-8")
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, user.username)

    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name=re.compile("Subscriber imports")).click()
    page.get_by_label(re.compile("Subscriber list")).set_input_files(str(path))
    page.screenshot(path=str(artifacts / "people-import-form-360.png"), full_page=True)
    page.get_by_test_id("upload-submit").click()

    expect(page.get_by_test_id("import-name")).to_have_text("police-mitan.csv")
    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", re.compile("queued|running|done"))
    page.screenshot(path=str(artifacts / "people-import-progress-360.png"), full_page=True)
    expect(status).to_have_attribute("data-status", "done", timeout=60_000)

    # The page reloaded itself when the job finished: counts, equation, every rejected row.
    expect(page.get_by_test_id("count-read")).to_have_text("6")
    expect(page.get_by_test_id("count-created")).to_have_text("3")
    expect(page.get_by_test_id("count-rejected")).to_have_text("3")
    expect(page.get_by_test_id("import-equation")).to_have_text(
        "Imported 3 + rejected 3 = 6 rows read."
    )
    rows = page.get_by_test_id("rejected-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Landline")
    expect(rows.nth(1)).to_contain_text("Same number as row 2 of this file")
    expect(rows.nth(2)).to_contain_text("Name missing")
    expect(page.get_by_test_id("download-rejected")).to_be_visible()
    page.screenshot(path=str(artifacts / "people-import-done-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    job = ImportJob.objects.get()
    assert (job.rows_read, job.imported_created, job.rejected) == (6, 3, 3)
    sita = Citizen.objects.get(phone="+919876500201")
    assert sita.station.code == "KWD-1" and sita.tags.get().name == "Police Mitan"


def test_cyber_cell_finds_a_citizen_and_shows_the_phone_once(
    live_server, page: Page, cyber_cell, artifacts
) -> None:
    user, _tmp = cyber_cell
    district = user.postings.get().district
    station = district.stations.get()
    CitizenFactory(station=station, name="सीता देवी", phone="+919876500301")
    CitizenFactory.create_batch(3, station=station)
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/citizens/")
    page.get_by_role("searchbox").fill("सीता")
    row = page.get_by_test_id("citizen-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("phone-masked")).to_have_text("+91••••••0301")
    row.get_by_test_id("show-phone").click()
    expect(row.get_by_test_id("phone-full")).to_have_text("+919876500301")
    page.screenshot(path=str(artifacts / "people-citizens-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
