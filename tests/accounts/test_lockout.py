"""Lockout covers the second-factor step: 5 failures on username + address, admin unlock."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Role
from tests.conftest import totp_code, verified_device
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db

VERIFY = reverse("two_factor_verify")
SETUP = reverse("two_factor_setup")


@pytest.fixture(autouse=True)
def _no_throttle(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _password(client: Client, username: str, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password})


def _wrong(device) -> str:  # type: ignore[no-untyped-def]
    return f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"


def test_five_wrong_codes_lock_the_username_from_that_address(world) -> None:
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    client = Client(REMOTE_ADDR="10.2.0.1")
    assert _password(client, user.username).status_code == 302
    for _ in range(4):
        assert client.post(VERIFY, {"token": _wrong(device)}).status_code == 200
    locked = client.post(VERIFY, {"token": _wrong(device)})
    assert locked.status_code == 429 and 'data-testid="locked-out"' in locked.content.decode()
    assert "_auth_user_id" not in client.session  # the half-done login is over
    assert _password(client, user.username).status_code == 429  # and the password is refused
    assert AuditEvent.objects.filter(action="accounts.two_factor.failed").count() == 5


def test_a_new_password_login_does_not_reset_the_code_failures(world) -> None:
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    client = Client(REMOTE_ADDR="10.2.0.2")
    _password(client, user.username)
    for _ in range(4):
        client.post(VERIFY, {"token": _wrong(device)})
    assert _password(client, user.username).status_code == 302
    assert client.post(VERIFY, {"token": _wrong(device)}).status_code == 429


def test_password_and_code_failures_count_together(world) -> None:
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    client = Client(REMOTE_ADDR="10.2.0.3")
    for _ in range(3):
        _password(client, user.username, "wrong")
    _password(client, user.username)
    assert client.post(VERIFY, {"token": _wrong(device)}).status_code == 200  # 4th failure
    assert client.post(VERIFY, {"token": _wrong(device)}).status_code == 429  # 5th
    assert _password(client, user.username).status_code == 429


def test_wrong_codes_at_enrolment_count_too(world) -> None:
    user = world.user(Role.STATION_IC)
    client = Client(REMOTE_ADDR="10.2.0.4")
    _password(client, user.username)
    client.get(SETUP)
    for _ in range(4):
        assert client.post(SETUP, {"token": "000000"}).status_code == 200
    assert client.post(SETUP, {"token": "000000"}).status_code == 429


def test_a_complete_login_clears_the_failures(world) -> None:
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    client = Client(REMOTE_ADDR="10.2.0.5")
    _password(client, user.username)
    for _ in range(4):
        client.post(VERIFY, {"token": _wrong(device)})
    assert client.post(VERIFY, {"token": totp_code(device)}).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_another_address_is_not_locked(world) -> None:
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    attacker = Client(REMOTE_ADDR="10.2.0.6")
    _password(attacker, user.username)
    for _ in range(5):
        attacker.post(VERIFY, {"token": _wrong(device)})
    officer = Client(REMOTE_ADDR="10.2.0.7")
    _password(officer, user.username)
    assert officer.post(VERIFY, {"token": totp_code(device)}).status_code == 302


def test_an_ngo_password_login_is_complete_and_clears_its_failures(world) -> None:
    user = world.user(Role.NGO_COORDINATOR)
    client = Client(REMOTE_ADDR="10.2.0.8")
    for _ in range(4):
        _password(client, user.username, "wrong")
    assert _password(client, user.username).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_a_system_admin_unlocks_from_the_admin_and_it_is_audited(world, admin_user_, login) -> None:
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    client = Client(REMOTE_ADDR="10.2.0.9")
    _password(client, user.username)
    for _ in range(5):
        client.post(VERIFY, {"token": _wrong(device)})
    assert _password(client, user.username).status_code == 429

    response = login(admin_user_).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="accounts.login.unlocked")
    assert event.actor == admin_user_ and event.data["attempts_cleared"] == 1
    assert _password(client, user.username).status_code == 302
    assert client.post(VERIFY, {"token": totp_code(device)}).status_code == 302


def test_django_otp_throttles_fast_guessing(world, settings) -> None:
    """Besides the lockout, each wrong code doubles the wait before the next is checked."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = world.user(Role.STATION_IC)
    device = verified_device(user)
    client = Client(REMOTE_ADDR="10.2.0.10")
    _password(client, user.username)
    client.post(VERIFY, {"token": _wrong(device)})
    refused = client.post(VERIFY, {"token": totp_code(device)})  # right, but too soon
    assert refused.status_code == 200
    assert "Wait" in refused.context["form"].errors["token"][0]
    assert client.get(reverse("home")).status_code == 302
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1
