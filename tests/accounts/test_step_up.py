"""A form refused for want of a second factor is sent again after it (issue 17 item 1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import step_up
from accounts.models import Role
from tests.conftest import totp_code, verified_device

pytestmark = pytest.mark.django_db

VERIFY = reverse("two_factor_verify")
ACTIVITY_NEW = reverse("outreach:activity_create")


@pytest.fixture(autouse=True)
def _no_throttle(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(user) -> str:  # type: ignore[no-untyped-def]
    device = verified_device(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return totp_code(device)


def _coordinator(world, login_without_otp) -> tuple[Client, object]:  # type: ignore[no-untyped-def]
    user = world.user(Role.NGO_COORDINATOR)
    verified_device(user)
    return login_without_otp(user), user


def test_the_typed_fields_come_back_in_the_resent_form(world, login_without_otp) -> None:
    client, user = _coordinator(world, login_without_otp)
    refused = client.post(ACTIVITY_NEW, {"place": "Govt. School, Bhel", "topics": ["a", "b"]})
    assert refused.status_code == 302 and refused["Location"].startswith(VERIFY)
    page = client.post(VERIFY, {"token": _code(user), "next": ACTIVITY_NEW})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{ACTIVITY_NEW}"' in html
    assert 'name="place" value="Govt. School, Bhel"' in html
    assert html.count('name="topics"') == 2
    assert 'name="csrfmiddlewaretoken"' in html  # a fresh token, not the refused one's
    # Used once: verifying again (or coming back later) just goes on.
    assert step_up.DRAFT_KEY not in client.session


def test_without_a_draft_the_code_simply_goes_on(world, login_without_otp) -> None:
    client, user = _coordinator(world, login_without_otp)
    response = client.post(VERIFY, {"token": _code(user), "next": ACTIVITY_NEW})
    assert response.status_code == 302 and response["Location"] == ACTIVITY_NEW


def test_a_draft_of_another_page_is_not_sent_there(world, login_without_otp) -> None:
    client, user = _coordinator(world, login_without_otp)
    client.post(ACTIVITY_NEW, {"place": "School"})
    elsewhere = reverse("outreach:activity_list")
    response = client.post(VERIFY, {"token": _code(user), "next": elsewhere})
    assert response.status_code == 302 and response["Location"] == elsewhere


def test_an_old_draft_is_dropped(world, login_without_otp) -> None:
    client, user = _coordinator(world, login_without_otp)
    client.post(ACTIVITY_NEW, {"place": "School"})
    session = client.session
    session[step_up.DRAFT_KEY]["at"] -= step_up.DRAFT_SECONDS + 1
    session.save()
    response = client.post(VERIFY, {"token": _code(user), "next": ACTIVITY_NEW})
    assert response.status_code == 302


def test_an_htmx_form_is_resent_to_its_own_address_from_the_page(world, login_without_otp) -> None:
    client, user = _coordinator(world, login_without_otp)
    page = "/outreach/activities/"
    refused = client.post(
        ACTIVITY_NEW, {"place": "School"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page
    )
    assert (
        refused.status_code == 204 and "next=%2Foutreach%2Factivities%2F" in refused["HX-Redirect"]
    )
    resumed = client.post(VERIFY, {"token": _code(user), "next": page})
    assert f'action="{ACTIVITY_NEW}"' in resumed.content.decode()


def test_after_enrolment_continue_resends_it_too(world, login_without_otp) -> None:
    user = world.user(Role.NGO_COORDINATOR)
    client = login_without_otp(user)
    client.post(ACTIVITY_NEW, {"place": "School"})
    resume = client.get(reverse("two_factor_resume"), {"next": ACTIVITY_NEW})
    assert 'name="place" value="School"' in resume.content.decode()
