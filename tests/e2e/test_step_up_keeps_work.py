"""What an officer typed survives the second-factor step-up, on a phone (issue 17 item 1).

An NGO coordinator may read with a password alone but not write: pressing Save asks for the
code, and after the code the activity is saved with everything typed, not an empty form.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from outreach.models import NgoActivity, NgoMembership
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import VERIFY_PATH, _fresh_code
from tests.factories import DistrictFactory, PostingFactory, StateFactory, StationFactory
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.outreach import NgoFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    state = StateFactory(code="MPS", name="Madhya Pradesh")
    bhopal = DistrictFactory(state=state, code="BPLS", name="Bhopal")
    StationFactory(district=bhopal, code="BPLS-TT", name="TT Nagar")
    ngo = NgoFactory(name="Aarambh Samiti", districts=[bhopal])
    user = UserFactory(username="ngo_stepup", first_name="Meenakshi", preferred_language="en")
    PostingFactory(user=user, role=Role.NGO_COORDINATOR, station=None, district=bhopal)
    NgoMembership.objects.create(ngo=ngo, user=user)
    return user


def test_an_activity_typed_before_the_code_is_saved_after_it(
    live_server, page: Page, coordinator, artifacts
) -> None:
    code = _fresh_code(coordinator.username)  # the authenticator exists; not verified yet
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill(coordinator.username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form button[type=submit].btn-primary").click()
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()  # reading needs no code

    page.goto(f"{live_server.url}/outreach/activities/new/")
    page.locator("select[name=kind]").select_option("good_touch_bad_touch")
    page.locator("select[name=district]").select_option(label="Bhopal")
    page.locator("input[name=place]").fill("Govt. Primary School, Bhel")
    page.locator("input[name=persons_reached]").fill("84")
    page.get_by_test_id("save-activity").click()

    expect(page).to_have_url(
        f"{live_server.url}{VERIFY_PATH}?next=%2Foutreach%2Factivities%2Fnew%2F"
    )
    assert NgoActivity.objects.count() == 0
    page.locator("input[name=token]").fill(code)
    page.get_by_test_id("token-submit").click()

    # Resent on its own after the code: the activity as typed, saved once.
    expect(page.get_by_test_id("activity-title")).to_have_text("Good touch, bad touch")
    expect(page.get_by_test_id("activity-reached")).to_have_text("84")
    activity = NgoActivity.objects.get()
    assert (activity.place, activity.persons_reached) == ("Govt. Primary School, Bhel", 84)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "step-up-kept-work-360.png"), full_page=True)
    page.reload()  # the saved activity again: nothing is sent twice
    expect(page.get_by_test_id("activity-title")).to_have_text("Good touch, bad touch")
    assert NgoActivity.objects.count() == 1
