"""accounts.services: postings and audit events."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import access, services
from accounts.models import AuditEvent, Role
from tests.factories import UserFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_records_who_did_what_to_which_object(world) -> None:
    actor = world.user(Role.STATION_IC)
    event = services.record_event(
        actor=actor,
        action="stations.station.viewed",
        target=world.station,
        station=world.station,
        data={"why": "test"},
    )
    event.refresh_from_db()
    assert event.actor == actor
    assert event.target_type == "stations.station"
    assert event.target_id == str(world.station.pk)
    assert event.district_id == world.district.pk
    assert event.data == {"why": "test"}


def test_create_posting_grants_access_and_is_audited(world, admin_user_) -> None:
    user = UserFactory()
    assert not access.stations_for(user).exists()
    services.create_posting(user=user, role=Role.STATION_IC, unit=world.station, by=admin_user_)
    assert list(access.stations_for(user)) == [world.station]
    event = AuditEvent.objects.get(action="accounts.posting.created")
    assert event.actor == admin_user_
    assert event.station == world.station


def test_create_posting_refuses_a_unit_that_does_not_fit_the_role(world, admin_user_) -> None:
    with pytest.raises(ValidationError):
        services.create_posting(
            user=UserFactory(), role=Role.STATION_IC, unit=world.district, by=admin_user_
        )
    assert not AuditEvent.objects.filter(action="accounts.posting.created").exists()


def test_logins_and_failed_logins_are_audited_without_passwords(world) -> None:
    user = world.user(Role.STATION_IC)
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    failed = AuditEvent.objects.get(action="accounts.login.failed")
    assert failed.data == {"username": user.username}
    assert "wrong" not in str(failed.data)
    assert failed.ip_address == "127.0.0.1"
    assert AuditEvent.objects.get(action="accounts.login.succeeded").actor == user


def test_preferred_language_accepts_only_portal_languages(world) -> None:
    user = world.user(Role.STATION_IC)
    services.set_preferred_language(user=user, language="bn")
    user.refresh_from_db()
    assert user.preferred_language == "bn"
    with pytest.raises(ValueError):
        services.set_preferred_language(user=user, language="fr")
