"""Second factor: enrolment, verification, backup codes, enforcement per role, admin reset."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, Role
from tests.conftest import totp_code, verified_device
from tests.factories import UserFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db

POLICE_ROLES = [role for role in Role.values if role != Role.NGO_COORDINATOR]
SETUP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")


@pytest.fixture(autouse=True)
def _no_throttle(settings) -> None:  # type: ignore[no-untyped-def]
    """django-otp's delay after a wrong code would refuse the right code typed straight after."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _password_login(user, address: str = "10.1.0.1") -> Client:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _fresh_code(device: TOTPDevice) -> str:
    """A code the device will accept again (each time step's code is usable only once)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return totp_code(device)


class TestPasswordAloneIsNotEnough:
    @pytest.mark.parametrize("role", POLICE_ROLES)
    def test_every_police_role_without_a_device_is_sent_to_enrol(self, world, role) -> None:
        client = _password_login(world.user(role))
        response = client.get(reverse("stations:station_list"))
        assert response.status_code == 302
        assert response["Location"].startswith(SETUP)
        assert "next=%2Fstations%2F" in response["Location"]

    @pytest.mark.parametrize("role", POLICE_ROLES)
    def test_every_police_role_with_a_device_is_sent_to_verify(self, world, role) -> None:
        user = world.user(role)
        verified_device(user)
        client = _password_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(VERIFY)

    @pytest.mark.parametrize("role", POLICE_ROLES)
    def test_the_api_refuses_a_password_only_session(self, world, login_without_otp, role) -> None:
        response = login_without_otp(world.user(role)).get(reverse("api:me"))
        assert response.status_code == 403
        assert response.json()["code"] == "second_factor_required"

    def test_a_verified_session_reaches_pages_and_api(self, world, login) -> None:
        client = login(world.user(Role.STATION_IC))
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("api:me")).status_code == 200

    def test_htmx_requests_are_told_where_to_go(self, world, login_without_otp) -> None:
        client = login_without_otp(world.user(Role.STATION_IC))
        response = client.get(
            reverse("stations:station_list"),
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/stations/"},
        )
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith(SETUP)

    def test_a_fragment_of_the_enrolment_page_never_redirects_it_to_itself(
        self, world, login_without_otp
    ) -> None:  # type: ignore[no-untyped-def]
        # The notification bell polls from every page, the enrolment page too: an HX-Redirect
        # there reloaded the page with a longer ?next= each time, and the code never got typed.
        client = login_without_otp(world.user(Role.STATION_IC))
        response = client.get(
            reverse("notifications:badge"),
            headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{SETUP}?next=/"},
        )
        assert response.status_code == 204
        assert "HX-Redirect" not in response

    def test_an_account_without_postings_needs_it_too(self, no_posting_user, login_without_otp):  # type: ignore[no-untyped-def]
        response = login_without_otp(no_posting_user).get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(SETUP)

    def test_public_and_account_pages_stay_open(self, world, login_without_otp) -> None:
        client = login_without_otp(world.user(Role.STATION_IC))
        for name in ("healthz", "complaints:status_lookup", "complaints:public_complaint"):
            assert client.get(reverse(name)).status_code == 200, name
        assert client.get(SETUP).status_code == 200
        client.post(reverse("set_language"), {"language": "hi", "next": "/"})
        assert client.post(reverse("logout")).status_code == 302
        assert "_auth_user_id" not in client.session

    def test_the_setting_turns_enforcement_off(self, world, settings, login_without_otp) -> None:
        settings.THANA_REQUIRE_2FA = False
        client = login_without_otp(world.user(Role.STATION_IC))
        assert client.get(reverse("home")).status_code == 200


class TestNgoCoordinators:
    def test_read_without_a_second_factor(self, world, login_without_otp) -> None:
        client = login_without_otp(world.user(Role.NGO_COORDINATOR))
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("outreach:activity_list")).status_code == 200
        assert client.get(reverse("api:me")).status_code == 200

    def test_cannot_write_without_one(self, world, login_without_otp) -> None:
        client = login_without_otp(world.user(Role.NGO_COORDINATOR))
        page = client.post(reverse("outreach:activity_create"), {"place": "School"})
        assert page.status_code == 302 and page["Location"].startswith(SETUP)
        api = client.post(
            reverse("api:outreach-activity-create"), {}, content_type="application/json"
        )
        assert api.status_code == 403 and api.json()["code"] == "second_factor_required"

    def test_can_write_once_verified(self, world, login) -> None:
        client = login(world.user(Role.NGO_COORDINATOR))
        page = client.post(reverse("outreach:activity_create"), {"place": "School"})
        assert not (page.status_code == 302 and "two-factor" in page["Location"])
        api = client.post(
            reverse("api:outreach-activity-create"), {}, content_type="application/json"
        )
        assert api.status_code != 403 or api.json().get("code") != "second_factor_required"

    def test_a_coordinator_who_also_holds_a_police_posting_needs_it_to_read(
        self, world, login_without_otp
    ) -> None:
        from tests.factories import PostingFactory

        user = world.user(Role.NGO_COORDINATOR)
        PostingFactory(user=user, role=Role.STATION_OFFICER, station=world.station)
        response = login_without_otp(user).get(reverse("home"))
        assert response.status_code == 302


class TestAdminSite:
    def test_the_admin_needs_the_second_factor(self, admin_user_, login_without_otp) -> None:
        response = login_without_otp(admin_user_).get(reverse("admin:index"))
        assert response.status_code == 302 and response["Location"].startswith(SETUP)

    def test_staff_without_postings_too(self, db, login_without_otp) -> None:  # type: ignore[no-untyped-def]
        staff = UserFactory(username="staffer", is_staff=True)
        response = login_without_otp(staff).get(reverse("admin:index"))
        assert response.status_code == 302

    def test_a_verified_administrator_gets_in(self, admin_user_, login) -> None:
        assert login(admin_user_).get(reverse("admin:index")).status_code == 200


class TestEnrolment:
    def test_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(
        self, world, login_without_otp
    ) -> None:
        user = world.user(Role.STATION_IC)
        client = login_without_otp(user)
        page = client.get(SETUP + "?next=/stations/")
        html = page.content.decode()
        assert page.status_code == 200
        assert re.search(r'data-testid="two-factor-qr"><svg[^>]*>.*</svg>', html, re.S)
        assert "<script" not in html.split('data-testid="two-factor-qr"')[1].split("</svg>")[0]
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        secret = page.context["secret"].replace(" ", "")
        import base64

        assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
        assert secret[:4] in html

        done = client.post(SETUP, {"token": totp_code(device), "next": "/stations/"})
        assert done.status_code == 200
        codes = done.context["codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(code in done.content.decode() for code in codes)
        assert 'href="/stations/"' in done.content.decode()
        device.refresh_from_db()
        assert device.confirmed
        assert StaticToken.objects.filter(device__user=user).count() == 10
        assert client.get(reverse("stations:station_list")).status_code == 200
        assert AuditEvent.objects.filter(action="accounts.two_factor.enrolled", actor=user).exists()

    def test_the_secret_survives_a_reload_until_confirmed(self, world, login_without_otp) -> None:
        client = login_without_otp(world.user(Role.STATION_IC))
        first = client.get(SETUP).context["secret"]
        assert client.get(SETUP).context["secret"] == first

    @pytest.mark.parametrize("token", ["000000", "", "abc", "1" * 30, "12345678901"])
    def test_a_wrong_or_malformed_code_is_a_form_error(
        self, world, login_without_otp, token
    ) -> None:
        user = world.user(Role.STATION_IC)
        client = login_without_otp(user)
        client.get(SETUP)
        page = client.post(SETUP, {"token": token})
        assert page.status_code == 200
        assert page.context["form"].errors["token"]
        assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert client.get(reverse("home")).status_code == 302

    def test_a_password_alone_cannot_replace_an_enrolled_device(
        self, world, login_without_otp
    ) -> None:
        user = world.user(Role.STATION_IC)
        device = verified_device(user)
        client = login_without_otp(user)
        assert client.get(SETUP)["Location"].startswith(VERIFY)
        assert client.post(SETUP, {"token": "123456"})["Location"].startswith(VERIFY)
        assert list(TOTPDevice.objects.filter(user=user)) == [device]

    def test_a_verified_user_sees_their_backup_codes_count(self, world, login) -> None:
        page = login(world.user(Role.STATION_IC)).get(SETUP)
        assert page.status_code == 200 and page.context["codes_left"] == 0


class TestVerification:
    def test_a_correct_code_verifies_and_follows_next(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        device = verified_device(user)
        client = _password_login(user)
        response = client.post(VERIFY, {"token": totp_code(device), "next": "/stations/"})
        assert response.status_code == 302 and response["Location"] == "/stations/"
        assert client.get(reverse("stations:station_list")).status_code == 200
        event = AuditEvent.objects.get(action="accounts.two_factor.verified")
        assert event.actor == user and event.data == {"method": "totp"}

    def test_a_wrong_code_is_refused(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        device = verified_device(user)
        client = _password_login(user)
        wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        page = client.post(VERIFY, {"token": wrong})
        assert page.status_code == 200 and page.context["form"].errors["token"]
        assert client.get(reverse("home")).status_code == 302
        failed = AuditEvent.objects.get(action="accounts.two_factor.failed")
        assert failed.data == {"username": user.username}

    def test_a_code_cannot_be_replayed(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        device = verified_device(user)
        code = totp_code(device)
        assert _password_login(user).post(VERIFY, {"token": code}).status_code == 302
        replay = _password_login(user).post(VERIFY, {"token": code})
        assert replay.status_code == 200 and replay.context["form"].errors["token"]

    def test_an_outside_next_is_ignored(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        device = verified_device(user)
        client = _password_login(user)
        response = client.post(
            VERIFY, {"token": totp_code(device), "next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("home")

    def test_verification_changes_the_session_key(self, world) -> None:
        user = world.user(Role.DISTRICT_HEAD)
        device = verified_device(user)
        client = _password_login(user)
        before = client.session.session_key
        client.post(VERIFY, {"token": totp_code(device)})
        assert client.session.session_key != before

    def test_without_a_device_the_verify_page_sends_to_enrolment(
        self, world, login_without_otp
    ) -> None:
        response = login_without_otp(world.user(Role.STATION_IC)).get(VERIFY)
        assert response["Location"].startswith(SETUP)

    def test_anonymous_visitors_are_sent_to_log_in(self, client) -> None:
        for url in (SETUP, VERIFY):
            assert client.get(url)["Location"].startswith(reverse("login"))


class TestBackupCodes:
    def _enrolled(self, user) -> list[str]:  # type: ignore[no-untyped-def]
        from accounts import two_factor

        verified_device(user)
        return two_factor.regenerate_backup_codes(user=user, by=user, request=None)

    def test_a_backup_code_works_once(self, world) -> None:
        user = world.user(Role.STATION_OFFICER)
        codes = self._enrolled(user)
        first = _password_login(user)
        assert first.post(VERIFY, {"token": codes[0].upper()})["Location"] == reverse("home")
        assert first.get(reverse("home")).status_code == 200
        again = _password_login(user)
        refused = again.post(VERIFY, {"token": codes[0]})
        assert refused.status_code == 200 and refused.context["form"].errors["token"]
        assert again.post(VERIFY, {"token": codes[1]}).status_code == 302
        assert StaticToken.objects.filter(device__user=user).count() == 8
        event = AuditEvent.objects.filter(action="accounts.two_factor.verified").first()
        assert event is not None and event.data == {"method": "backup_code"}

    def test_regenerating_replaces_every_old_code(self, world, login) -> None:
        user = world.user(Role.STATION_OFFICER)
        old = self._enrolled(user)
        page = login(user).post(reverse("two_factor_backup_codes"))
        new = page.context["codes"]
        assert page.status_code == 200 and len(new) == 10 and not set(new) & set(old)
        assert _password_login(user).post(VERIFY, {"token": old[2]}).status_code == 200
        assert AuditEvent.objects.filter(
            action="accounts.two_factor.backup_codes_regenerated"
        ).exists()

    def test_regenerating_needs_a_verified_session(self, world, login_without_otp) -> None:
        user = world.user(Role.STATION_OFFICER)
        old = self._enrolled(user)
        response = login_without_otp(user).post(reverse("two_factor_backup_codes"))
        assert response.status_code == 302 and response["Location"].startswith(VERIFY)
        assert set(StaticToken.objects.values_list("token", flat=True)) == set(old)


class TestAdministratorReset:
    def test_a_system_admin_resets_a_lost_phone_and_the_session_loses_verification(
        self, world, admin_user_, login
    ) -> None:
        officer = world.user(Role.STATION_IC)
        officer_client = login(officer)
        assert officer_client.get(reverse("home")).status_code == 200
        admin_client = login(admin_user_)
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [officer.pk]},
        )
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=officer).exists()
        assert not StaticDevice.objects.filter(user=officer).exists()
        event = AuditEvent.objects.get(action="accounts.two_factor.reset")
        assert event.actor == admin_user_ and event.target_id == str(officer.pk)
        after = officer_client.get(reverse("home"))
        assert after.status_code == 302 and after["Location"].startswith(SETUP)

    def test_an_officer_cannot_use_the_admin_actions(self, world, login) -> None:
        officer = world.user(Role.DISTRICT_HEAD)
        target = world.user(Role.STATION_IC)
        verified_device(target)
        response = login(officer).post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [target.pk]},
        )
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert TOTPDevice.objects.filter(user=target).exists()


def test_a_verified_request_does_not_query_the_device(world, login) -> None:
    """The device behind the session comes from the cache: page query budgets are unchanged."""
    client = login(world.user(Role.STATION_IC))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("api:me")).status_code == 200
    assert not [q for q in queries if "otp_" in q["sql"]]


def test_demo_seed_enrols_demo_logins_with_the_published_secret(db, settings) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from accounts import demo

    settings.DEBUG = True
    UserFactory(username="demo_ic")
    out = StringIO()
    demo.seed(stdout=out)
    device = TOTPDevice.objects.get(user__username="demo_ic", confirmed=True)
    assert device.key == settings.DEMO_TOTP_KEY
    assert demo.demo_secret_base32() in out.getvalue().replace(" ", "")
    demo.seed(stdout=StringIO())
    assert TOTPDevice.objects.filter(user__username="demo_ic").count() == 1


def test_the_code_step_is_usable_with_the_fixture_device(world) -> None:
    """Guard for tests/e2e/helpers.sign_in: a fresh code always works for a fixture device."""
    user = world.user(Role.STATE_HQ)
    device = verified_device(user)
    client = _password_login(user)
    client.post(VERIFY, {"token": _fresh_code(device)})
    client2 = _password_login(user)
    assert client2.post(VERIFY, {"token": _fresh_code(device)}).status_code == 302
