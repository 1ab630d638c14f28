"""Fixtures of the complaint intake tests (imported by the test modules)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from complaints.models import Complaint
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.complaints_intake import make_complaint


@pytest.fixture
def complaint(world) -> Complaint:  # type: ignore[no-untyped-def]
    return make_complaint(station=world.station, by=world.user(Role.STATION_OFFICER))


@pytest.fixture
def assigned_officer(world, complaint):  # type: ignore[no-untyped-def]
    """A second officer of our station, assigned to the complaint."""
    from complaints import services

    officer = UserFactory(username="our_assigned_officer")
    PostingFactory(user=officer, role=Role.STATION_OFFICER, station=world.station)
    services.assign_complaint(complaint=complaint, officer=officer, by=world.user(Role.STATION_IC))
    complaint.refresh_from_db()
    return officer
