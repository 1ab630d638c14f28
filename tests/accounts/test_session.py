"""Idle session timeout: short for police and administrators, restarted by every request."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_police_sessions_get_the_short_idle_timeout(world, login, settings) -> None:
    client = login(world.user(Role.STATION_IC))
    assert client.session.get_expiry_age() == settings.POLICE_SESSION_IDLE_MINUTES * 60 == 1800


def test_ngo_sessions_keep_the_ordinary_age(world, login, settings) -> None:
    client = login(world.user(Role.NGO_COORDINATOR))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_administrators_get_the_short_timeout(admin_user_, login, settings) -> None:
    client = login(admin_user_)
    assert client.session.get_expiry_age() == settings.POLICE_SESSION_IDLE_MINUTES * 60


def test_an_idle_police_session_ends_and_activity_keeps_it_alive(world, login, settings) -> None:
    # The database's expiry date decides here: the cached copy (cached_db) expires by Redis's
    # own clock, which time_machine cannot move; Django gives it the same expiry age.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login(world.user(Role.STATION_IC))
        assert client.get(reverse("home")).status_code == 200
        clock.move_to(start + timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200  # restarts the clock
        clock.move_to(start + timedelta(minutes=45))
        assert client.get(reverse("home")).status_code == 200
        clock.move_to(start + timedelta(minutes=76))
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_session_cookie_is_http_only_and_secure_in_production(settings) -> None:
    """Production values come from DEBUG off (see test_security's deploy check)."""
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_TOUCH_SECONDS <= 60


def test_the_idle_clock_is_saved_at_most_once_a_minute(world, login) -> None:
    """A page view within SESSION_TOUCH_SECONDS of the last save writes no session row."""

    def session_writes(client) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return sum(
            1
            for q in ctx.captured_queries
            if "django_session" in q["sql"] and q["sql"].lstrip().startswith(("UPDATE", "INSERT"))
        )

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login(world.user(Role.STATION_IC))
        session_writes(client)
        key = client.session.session_key
        clock.move_to(start + timedelta(seconds=30))
        assert session_writes(client) == 0
        assert Session.objects.get(session_key=key).expire_date < start + timedelta(minutes=31)
        clock.move_to(start + timedelta(seconds=95))
        assert session_writes(client) == 1
        stored = Session.objects.get(session_key=key).expire_date
        assert stored == start + timedelta(seconds=95) + timedelta(minutes=30)
