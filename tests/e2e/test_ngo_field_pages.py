"""Field pages on a phone (360x740): a police officer records an awareness drive with a photo,
and the register, hotspot, audit and NGO pages fit the screen without sideways scrolling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from complaints.models import RomeoAction
from outreach.models import AwarenessDrive
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories import DistrictFactory, PostingFactory, StateFactory, StationFactory
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.complaints import RomeoPersonFactory
from tests.factories.fieldwork import ActionItemFactory, HotspotFactory, PatrolFactory, image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    district = DistrictFactory(state=StateFactory(code="UPX"), code="VNSX", name="Varanasi")
    station = StationFactory(district=district, code="VNSX-CANTT", name="Cantt")
    user = UserFactory(username="si_priyanka", first_name="Priyanka")
    PostingFactory(user=user, role=Role.SHAKTI_INCHARGE, station=station)
    hotspot = HotspotFactory(station=station, name="Cantt Roadways Bus Stand", kind="bus_stand")
    PatrolFactory(hotspot=hotspot, recorded_by=user)
    RomeoPersonFactory(action__station=station, action__recorded_by=user)
    ActionItemFactory(raised_in__station=station, raised_in__audited_by=user, owner=user)
    return user


def _log_in(page: Page, base_url: str, username: str) -> None:
    sign_in(page, base_url, username, TEST_PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_an_officer_records_a_drive_with_a_photo_on_a_phone(
    live_server, page: Page, officer, artifacts, tmp_path
) -> None:
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, officer.username)
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name=re.compile("Awareness drives")).click()
    page.get_by_test_id("record-drive").click()

    photo = Path(tmp_path) / "drive.jpg"
    photo.write_bytes(image_bytes("JPEG", (800, 600)))
    page.locator("input[name=place]").fill("Govt. Girls Inter College, Nadesar")
    page.get_by_label("Girl students").check()
    page.locator("input[name=people_reached]").fill("140")
    page.get_by_label("Helplines 112 / 1090 / 181 / 1930").check()
    page.get_by_label("Self-defence").check()
    page.locator("input[name=photos]").set_input_files(str(photo))
    _fits(page)
    page.screenshot(path=str(artifacts / "drive-quick-log-360.png"), full_page=True)
    page.locator("form[data-testid=drive-form] button[type=submit]").click()

    expect(page.get_by_test_id("drive-reached")).to_have_text("140")
    expect(page.get_by_test_id("drive-photo")).to_have_count(1)
    # The photo is served back (re-encoded, same size) through the access-checked view.
    expect(page.get_by_test_id("drive-photo")).to_have_js_property("naturalWidth", 800)
    drive = AwarenessDrive.objects.get()
    assert (drive.people_reached, drive.photos.count()) == (140, 1)
    page.screenshot(path=str(artifacts / "drive-detail-360.png"), full_page=True)
    _fits(page)


@pytest.mark.parametrize(
    ("path", "shot"),
    [
        ("/anti-romeo/", "anti-romeo-register"),
        ("/anti-romeo/new/", "anti-romeo-form"),
        ("/hotspots/", "hotspots"),
        ("/resource-audits/", "resources"),
        ("/action-items/", "action-items"),
        ("/outreach/drives/", "drives"),
    ],
)
def test_field_pages_fit_a_phone(live_server, page: Page, officer, artifacts, path, shot) -> None:
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, officer.username)
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200
    _fits(page)
    page.screenshot(path=str(artifacts / f"{shot}-360.png"), full_page=True)


def test_an_officer_records_a_preventive_action_adding_person_rows(
    live_server, page: Page, officer, artifacts
) -> None:
    page.set_viewport_size(PHONE)
    _log_in(page, live_server.url, officer.username)
    page.goto(f"{live_server.url}/anti-romeo/new/")
    page.locator("input[name=squad]").fill("Anti-Romeo squad 1")
    page.get_by_label("Preventive action (BNSS 126/135/170)").check()
    page.locator("select[name=hotspot]").select_option(label="Cantt · Cantt Roadways Bus Stand")
    page.locator("input[name='persons-0-name']").fill("Sonu K.")
    page.locator("select[name='persons-0-bnss_section']").select_option("126")
    # One more row through htmx: the row arrives and the formset's total follows.
    page.get_by_test_id("add-person").click()
    expect(page.get_by_test_id("person-row")).to_have_count(2)
    expect(page.locator("#id_persons-TOTAL_FORMS")).to_have_value("2")
    page.locator("input[name='persons-1-name']").fill("Monu P.")
    page.locator("select[name='persons-1-bnss_section']").select_option("170")
    _fits(page)
    page.get_by_role("button", name="Save the action").click()

    expect(page.get_by_test_id("action-title")).to_have_text("Preventive action (BNSS 126/135/170)")
    expect(page.get_by_test_id("person")).to_have_count(2)
    page.screenshot(path=str(artifacts / "anti-romeo-saved-360.png"), full_page=True)
    action = RomeoAction.objects.get(squad="Anti-Romeo squad 1", hotspot__isnull=False)
    assert sorted(action.persons.values_list("bnss_section", flat=True)) == ["126", "170"]
