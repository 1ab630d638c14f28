"""An NGO coordinator logs an activity from a phone (360x740) with the quick-log form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from outreach.models import NgoActivity, NgoMembership
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in
from tests.factories import DistrictFactory, PostingFactory, StateFactory, StationFactory
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.outreach import CampaignFactory, NgoFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    state = StateFactory(code="MPX", name="Madhya Pradesh")
    bhopal = DistrictFactory(state=state, code="BPLX", name="Bhopal")
    indore = DistrictFactory(state=state, code="IDRX", name="Indore")
    DistrictFactory(state=state, code="GWLX", name="Gwalior")  # not the NGO's district
    StationFactory(district=bhopal, code="BPLX-TT", name="TT Nagar")
    ngo = NgoFactory(name="Aarambh Samiti", districts=[bhopal, indore])
    CampaignFactory(code="srijan-x", name="Srijan", state=state)
    user = UserFactory(username="ngo_meenakshi", first_name="Meenakshi")
    PostingFactory(user=user, role=Role.NGO_COORDINATOR, station=None, district=bhopal)
    NgoMembership.objects.create(ngo=ngo, user=user)
    return user


def test_an_ngo_coordinator_logs_an_activity_on_a_phone(
    live_server, page: Page, coordinator, artifacts
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, coordinator.username, TEST_PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()

    # The quick log is in the (collapsed) phone menu.
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name=re.compile("Log an activity")).click()
    expect(page.get_by_test_id("activity-form-title")).to_be_visible()

    # Only the NGO's own districts are offered.
    options = page.locator("select[name=district] option").all_inner_texts()
    assert [o for o in options if o.strip("-— ")] == ["Bhopal", "Indore"]

    page.locator("select[name=kind]").select_option("good_touch_bad_touch")
    page.locator("select[name=district]").select_option(label="Bhopal")
    page.locator("select[name=station]").select_option(label="TT Nagar (Bhopal)")
    page.locator("select[name=campaign]").select_option(label="Srijan")
    page.locator("input[name=place]").fill("Govt. Primary School, Bhel")
    page.locator("input[name=persons_reached]").fill("0")
    page.get_by_test_id("save-activity").click()

    # Nobody reached: a clear error, nothing saved.
    expect(page.get_by_test_id("error-persons_reached")).to_contain_text(
        "Give the number of persons reached or rescued."
    )
    assert NgoActivity.objects.count() == 0
    page.screenshot(path=str(artifacts / "ngo-quick-log-error-360.png"), full_page=True)

    page.locator("input[name=persons_reached]").fill("84")
    page.get_by_test_id("save-activity").click()

    expect(page.get_by_test_id("activity-title")).to_have_text("Good touch, bad touch")
    expect(page.get_by_test_id("activity-reached")).to_have_text("84")
    expect(page.get_by_test_id("verification")).to_contain_text("Waiting for verification")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "ngo-quick-log-saved-360.png"), full_page=True)

    activity = NgoActivity.objects.get()
    assert (activity.persons_reached, activity.district.name, activity.station.name) == (
        84,
        "Bhopal",
        "TT Nagar",
    )
    assert activity.recorded_by == coordinator
