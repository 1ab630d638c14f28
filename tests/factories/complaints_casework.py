"""Casework test data: a complaint under enquiry, and valid FIR values for today."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from complaints import services
from complaints.models import Complaint
from stations.models import Station
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.complaints_intake import make_complaint


def complaint_under_enquiry(
    *, station: Station, ic: User, officer: User | None = None, **kwargs: Any
) -> Complaint:
    """A complaint registered, assigned to an officer of the station and under enquiry."""
    if officer is None:
        officer = UserFactory()
        PostingFactory(user=officer, role=Role.STATION_OFFICER, station=station)
    complaint = make_complaint(station=station, by=ic, **kwargs)
    services.assign_complaint(complaint=complaint, officer=officer, by=ic)
    return services.change_status(complaint=complaint, status="under_enquiry", by=ic)


def fir_values(serial: int = 123, **changes: Any) -> dict[str, Any]:
    """A consistent FIR number, CCTNS number and date (today) with stalking sections."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "fir_number": f"{serial}/{today.year}",
        "cctns_number": f"14410001{today.year}{serial:05d}",
        "registered_on": today,
        "bns_sections": "78, 351(2)",
    }
    values.update(changes)
    return values
