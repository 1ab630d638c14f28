# ruff: noqa: F811 - the shared fixtures are imported by name and used as parameters
"""Counselling sessions: recorded on the complaint, moving an enquiry into counselling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, Role
from complaints import services
from complaints.models import CounsellingSession
from tests.complaints.intake_fixtures import assigned_officer, complaint  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def _log(complaint, by, **changes):  # type: ignore[no-untyped-def]
    values = {
        "held_on": TODAY(),
        "parties": "complainant, husband",
        "outcome": "reconciled",
        "follow_up_on": TODAY() + dt.timedelta(days=14),
    }
    values.update(changes)
    return services.log_counselling(complaint=complaint, by=by, **values)


def test_a_session_on_an_enquiry_moves_it_into_counselling(
    world, complaint, assigned_officer
) -> None:
    services.change_status(complaint=complaint, status="under_enquiry", by=assigned_officer)
    session = _log(complaint, assigned_officer)
    complaint.refresh_from_db()
    assert complaint.status == "counselling"
    assert session.outcome == "reconciled"
    assert complaint.events.filter(kind="counselling").count() == 1
    audit = AuditEvent.objects.get(action="complaints.counselling.logged")
    assert audit.target_repr == complaint.tracking_number


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": TODAY() + dt.timedelta(days=1)}, "held_on"),
        ({"follow_up_on": TODAY() - dt.timedelta(days=1)}, "follow_up_on"),
        ({"parties": "  "}, "parties"),
        ({"outcome": "magic"}, "outcome"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_is_saved(
    world, complaint, assigned_officer, changes, field
) -> None:
    with pytest.raises(ValidationError) as error:
        _log(complaint, assigned_officer, **changes)
    assert field in error.value.message_dict
    assert CounsellingSession.objects.count() == 0


def test_a_received_complaint_cannot_be_counselled_before_assignment(world, complaint) -> None:
    with pytest.raises(ValidationError):
        _log(complaint, world.user(Role.SHAKTI_INCHARGE))


def test_staff_of_another_station_cannot_log_a_session(world, complaint, assigned_officer) -> None:
    with pytest.raises(PermissionDenied):
        _log(complaint, world.strangers[Role.SHAKTI_INCHARGE])


def test_the_page_form_logs_a_session_and_shows_it(
    world, login, complaint, assigned_officer
) -> None:
    client = login(world.user(Role.SHAKTI_INCHARGE))
    url = reverse("complaints:complaint_counselling", args=[complaint.pk])
    response = client.post(
        url,
        {"held_on": TODAY().isoformat(), "parties": "complainant, in-laws", "outcome": "referred"},
    )
    assert response.status_code == 302
    page = client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).content
    assert b'data-testid="counselling-session"' in page
    assert b"complainant, in-laws" in page


def test_the_page_form_shows_errors_and_saves_nothing(
    world, login, complaint, assigned_officer
) -> None:
    client = login(world.user(Role.SHAKTI_INCHARGE))
    url = reverse("complaints:complaint_counselling", args=[complaint.pk])
    future = (TODAY() + dt.timedelta(days=5)).isoformat()
    response = client.post(url, {"held_on": future, "parties": "x", "outcome": "referred"})
    assert response.status_code == 400
    assert b'data-testid="error-held_on"' in response.content
    assert CounsellingSession.objects.count() == 0


def test_a_stranger_gets_404_on_the_counselling_url(world, login, complaint) -> None:
    client = login(world.strangers[Role.SHAKTI_INCHARGE])
    url = reverse("complaints:complaint_counselling", args=[complaint.pk])
    response = client.post(
        url, {"held_on": TODAY().isoformat(), "parties": "x", "outcome": "referred"}
    )
    assert response.status_code == 404
    assert CounsellingSession.objects.count() == 0
