"""Shared fixtures. The suite runs on real PostgreSQL and Redis (scripts/test_services.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

from accounts.models import Posting, Role, User
from stations.models import District, State, Station
from tests.factories import (
    DistrictFactory,
    PostingFactory,
    StateFactory,
    StationFactory,
    UserFactory,
)


@pytest.fixture(autouse=True, scope="session")
def _refuse_sqlite(django_db_setup, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """The suite must never run on SQLite: it proves behaviour on the production stack."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit(
                "Tests must run on PostgreSQL: use `make test` (it starts throwaway servers).",
                returncode=3,
            )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """PBKDF2 at full strength costs ~0.3 s per user; tests need many users, not strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Each test starts and ends in the site's default language.

    A request by a Hindi- or Bengali-speaking user leaves that language active on the thread
    (LocaleMiddleware re-activates per request in production, but a test that calls a service
    directly after another test's request would read its errors in Hindi).
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_halts_left_behind():  # type: ignore[no-untyped-def]
    """A WhatsApp stop halts a number or a template for minutes (broadcasts.halts), keyed by
    ids the next test's database reuses: each test starts and ends without one."""
    yield
    from broadcasts.ratelimit import redis_client

    try:
        client = redis_client()
        if client is not None:
            keys = list(client.scan_iter(match="*thana:halt:*", count=1000))
            if keys:
                client.delete(*keys)
    except Exception as error:  # a test that stopped or replaced the cache on purpose
        print(f"halts not cleared: {error!r}")


@dataclass
class World:
    """Two states, districts and stations, and one user per role in 'ours' and in 'theirs'."""

    state: State
    other_state: State
    district: District
    sibling_district: District
    other_district: District
    station: Station
    sibling_station: Station
    neighbour_station: Station
    other_station: Station
    users: dict[str, User]
    strangers: dict[str, User]

    def user(self, role: str) -> User:
        return self.users[role]


def _user_with(role: str, unit: State | District | Station, username: str) -> User:
    user = UserFactory(username=username)
    units: dict[str, object] = {"state": None, "district": None, "station": None}
    units[{State: "state", District: "district", Station: "station"}[type(unit)]] = unit
    PostingFactory(user=user, role=role, **units)
    return user


def _unit_for(role: str, state: State, district: District, station: Station):  # type: ignore[no-untyped-def]
    if role in {Role.STATE_HQ}:
        return state
    if role in {Role.DISTRICT_HEAD, Role.CYBER_CELL, Role.NGO_COORDINATOR}:
        return district
    return station


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    state, other_state = StateFactory(code="UPX"), StateFactory(code="WBX")
    district = DistrictFactory(state=state, code="VNSX")
    sibling_district = DistrictFactory(state=state, code="HTSX")
    other_district = DistrictFactory(state=other_state, code="NDAX")
    station = StationFactory(district=district, code="VNS-A")
    sibling_station = StationFactory(district=district, code="VNS-B")
    neighbour_station = StationFactory(district=sibling_district, code="HTS-A")
    other_station = StationFactory(district=other_district, code="NDA-A")
    users = {
        role: _user_with(role, _unit_for(role, state, district, station), f"our_{role}")
        for role in Role.values
    }
    strangers = {
        role: _user_with(
            role, _unit_for(role, other_state, other_district, other_station), f"their_{role}"
        )
        for role in Role.values
    }
    return World(
        state=state,
        other_state=other_state,
        district=district,
        sibling_district=sibling_district,
        other_district=other_district,
        station=station,
        sibling_station=sibling_station,
        neighbour_station=neighbour_station,
        other_station=other_station,
        users=users,
        strangers=strangers,
    )


def verified_device(user: User):  # type: ignore[no-untyped-def]
    """The user's confirmed authenticator, created if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_code(device) -> str:  # type: ignore[no-untyped-def]
    """The code the user's authenticator app shows right now, as a person would type it."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """Return a Django test client logged in as the given user, second factor verified.

    Like a real login: password (force_login), then the django-otp session key for the
    user's authenticator, as django_otp.login() stores it after a correct code.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()
        return client

    return _login


@pytest.fixture
def login_without_otp():  # type: ignore[no-untyped-def]
    """Return a test client after the password step only (no second factor yet)."""

    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def no_posting_user(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="unposted")


@pytest.fixture
def admin_user_(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(username="sysadmin", is_superuser=True, is_staff=True)


__all__ = ["Posting", "World"]
