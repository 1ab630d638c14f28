"""The commissioner opens the review report, changes the period and downloads the XLSX."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from accounts.models import Role
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories.accounts import TEST_PASSWORD, PostingFactory, UserFactory
from tests.factories.stations import DistrictFactory, StationFactory
from tests.reports.conftest import PERIOD, plant_station_figures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def commissioner():  # type: ignore[no-untyped-def]
    district = DistrictFactory(name="Varanasi", name_local="वाराणसी")
    officer = UserFactory(username="e2e_officer")
    for name, local in (("Cantt", "कैंट"), ("Lanka", "लंका"), ("Chowk", "चौक")):
        station = StationFactory(district=district, name=name, name_local=local)
        plant_station_figures(station, officer)
    user = UserFactory(username="e2e_cp")
    PostingFactory(user=user, role=Role.DISTRICT_HEAD, district=district, station=None, state=None)
    return user


def test_the_commissioner_reviews_a_period_and_downloads_the_xlsx(
    live_server, page: Page, commissioner, artifacts
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, commissioner.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/review/")
    expect(page.get_by_role("heading", name="Review report")).to_be_visible()
    expect(page.get_by_test_id("review-row")).to_have_count(3)

    page.locator("#id_period").select_option("custom")
    page.locator("#id_date_from").fill(PERIOD.start.isoformat())
    page.locator("#id_date_to").fill(PERIOD.end.isoformat())
    page.get_by_test_id("show-report").click()
    page.wait_for_url(re.compile(r"date_from=2026-09-01"))
    totals = page.get_by_test_id("review-totals")
    expect(totals.locator("[data-key=received]")).to_contain_text("9")
    expect(page.get_by_test_id("report-period")).to_contain_text("01 Sep 2026")
    page.wait_for_function("document.querySelector('#chart-complaints').height > 0")
    page.screenshot(path=str(artifacts / "review-report-1280.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "review-20260901-20260930.xlsx"
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    header = [cell.value for cell in sheet[2]]
    assert sheet.cell(sheet.max_row, header.index("Complaints received") + 1).value == 9

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("review-table")).to_be_visible()
    # On a phone the table scrolls sideways inside its box; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(artifacts / "review-report-360.png"), full_page=True)
