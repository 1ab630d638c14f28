"""The citizens' public web form: banner, rate limit, clear errors, one complaint per submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from complaints.models import Complaint, ComplaintChannel, VictimIdentity

pytestmark = pytest.mark.django_db
URL = reverse("complaints:public_complaint")


@pytest.fixture(autouse=True)
def _clean_cache() -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _data(world, **changes):  # type: ignore[no-untyped-def]
    data = {
        "station": world.station.pk,
        "category": "cyber_harassment",
        "description": "Someone posts my photos on a fake profile.",
        "victim_name": "Planted Web Person",
        "victim_phone": "98111 22334",
        "token": "b" * 32,
    }
    data.update(changes)
    return data


def test_the_form_shows_the_emergency_banner(client, world) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert b'data-testid="emergency-banner"' in response.content
    assert b"112" in response.content


def test_a_citizen_reports_and_gets_a_tracking_number_then_the_status(client, world) -> None:
    response = client.post(URL, _data(world))
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.WEB
    assert complaint.created_by is None
    assert complaint.tracking_number.encode() in response.content
    assert b"Planted Web Person" not in response.content
    assert VictimIdentity.objects.get().phone == "+919811122334"
    status = client.post(
        reverse("complaints:status_lookup"),
        {"tracking_number": complaint.tracking_number, "phone": "9811122334"},
    )
    assert b'data-testid="lookup-result"' in status.content


def test_a_double_submit_makes_one_complaint(client, world) -> None:
    first = client.post(URL, _data(world))
    second = client.post(URL, _data(world))
    assert Complaint.objects.count() == 1
    number = Complaint.objects.get().tracking_number.encode()
    assert number in first.content and number in second.content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": " "}, "description"),
        ({"occurred_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "occurred_on"),
        ({"category": "nonsense"}, "category"),
        ({"victim_phone": "12345"}, "victim_phone"),
        ({"station": "0"}, "station"),
    ],
)
def test_bad_input_gets_clear_errors_and_saves_nothing(client, world, changes, field) -> None:
    response = client.post(URL, _data(world, **changes))
    assert response.status_code == 200
    assert f'data-testid="error-{field}"'.encode() in response.content
    assert Complaint.objects.count() == 0


def test_it_is_rate_limited_per_address(client, world, settings) -> None:
    settings.COMPLAINTS_STATUS_LOOKUPS_PER_HOUR = 2
    codes = [client.post(URL, _data(world, token=f"{n}" * 32)).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert Complaint.objects.count() == 2
