"""Review report test data: rows planted with known dates so every figure is predictable."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from broadcasts.models import Delivery, DeliveryStatus
from complaints.models import Complaint, CounsellingSession, PersonOutcome
from groups.models import Membership, Nomination
from reports.periods import Period
from stations.models import Station
from tests.factories import UserFactory
from tests.factories.complaints import RomeoActionFactory, RomeoCaseFactory, RomeoPersonFactory
from tests.factories.complaints_intake import PLANTED_NAME, make_complaint
from tests.factories.fieldwork import ActionItemFactory
from tests.factories.groups import GroupFactory
from tests.factories.outreach import AwarenessDriveFactory
from tests.factories.people import CitizenFactory

# A fixed past month, so "previous period" is fixed too: 1-30 Sep 2026, previous 1-31 Aug.
PERIOD = Period(start=date(2026, 9, 1), end=date(2026, 9, 30))
IN_PERIOD = date(2026, 9, 10)
BEFORE = date(2026, 8, 20)

_sequence = iter(range(100_000, 10**9))  # clear of the tracking counter (starts at 1)


def at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def plant_complaint(
    station: Station,
    *,
    created: date,
    closed: date | None = None,
    status: str = "under_enquiry",
    due_on: date | None = None,
) -> Complaint:
    """A complaint row with chosen registration and closure dates (no identity: none needed)."""
    number = next(_sequence)
    complaint = Complaint.objects.create(
        tracking_number=f"T-{station.code}-{number}",
        station=station,
        year=created.year,
        sequence=number,
        channel="desk",
        category="stalking",
        description="Followed to the college gate.",
        status="closed" if closed else status,
        due_on=due_on or created + timedelta(days=15),
        closed_at=at(closed) if closed else None,
    )
    Complaint.objects.filter(pk=complaint.pk).update(created_at=at(created, 10))
    return complaint


def plant_station_figures(station: Station, officer: User, scale: int = 1) -> None:
    """Known figures at one station for PERIOD (see test_review_selectors for the arithmetic)."""
    # Received in the period: 3 * scale; one disposed in 5 days (within SLA), one pending overdue.
    for _ in range(scale):
        plant_complaint(station, created=IN_PERIOD, closed=IN_PERIOD + timedelta(days=5))
        plant_complaint(station, created=IN_PERIOD, due_on=IN_PERIOD + timedelta(days=2))
        settled = plant_complaint(
            station, created=IN_PERIOD, status="counselling", due_on=IN_PERIOD + timedelta(days=30)
        )
        CounsellingSession.objects.create(
            complaint=settled,
            held_on=IN_PERIOD + timedelta(days=1),
            parties="complainant, husband",
            outcome="reconciled",
            recorded_by=officer,
        )
        # A second settling session on the same complaint counts once.
        CounsellingSession.objects.create(
            complaint=settled,
            held_on=IN_PERIOD + timedelta(days=2),
            parties="complainant, husband",
            outcome="family_reunited",
            recorded_by=officer,
        )
    # Previous period: one complaint received and disposed late (due date passed).
    plant_complaint(
        station,
        created=BEFORE,
        closed=BEFORE + timedelta(days=9),
        due_on=BEFORE + timedelta(days=3),
    )
    case = RomeoCaseFactory(action__station=station, action__acted_on=IN_PERIOD)
    RomeoPersonFactory(
        action=case.action, outcome=PersonOutcome.ARRESTED, case=case, bnss_section=""
    )
    RomeoPersonFactory(action=RomeoActionFactory(station=station, acted_on=IN_PERIOD))
    AwarenessDriveFactory(station=station, held_on=IN_PERIOD, people_reached=120)
    ActionItemFactory(raised_in__station=station)
    citizen = CitizenFactory(station=station)
    delivery_rows(citizen, read_on=IN_PERIOD)
    plant_group(station, citizen, officer)


def plant_group(station: Station, citizen: Any, officer: User) -> None:
    """One group at the station with one active member and one nomination awaiting vetting."""
    group = GroupFactory(station=station)
    person = {
        "group": group,
        "source": "self_application",
        "nominee_district": station.district,
        "nominee_consent": True,
    }
    Nomination.objects.create(**person, nominee_name="Waiting", nominee_phone="+919811111111")
    approved = Nomination.objects.create(
        **person,
        nominee_name="Member",
        nominee_phone=str(citizen.phone),
        status="approved",
        screened_at=timezone.now(),
        decided_at=timezone.now(),
        decided_by=officer,
        revet_on=timezone.localdate() + timedelta(days=365),
        citizen=citizen,
    )
    Membership.objects.create(
        group=group, citizen=citizen, nomination=approved, joined_on=timezone.localdate()
    )


def delivery_rows(citizen: Any, *, read_on: date) -> None:
    from broadcasts.models import Broadcast, MessageTemplate

    template = MessageTemplate.objects.first() or MessageTemplate.objects.create(
        name=f"awareness_{citizen.pk}",
        language="hi",
        category="MARKETING",
        status="APPROVED",
        body="Dial 1090",
    )
    broadcast = Broadcast.objects.create(
        district=citizen.district,
        title="Helplines",
        template=template,
        created_by=UserFactory(),
        status="completed",
    )
    Delivery.objects.create(
        broadcast=broadcast,
        citizen=citizen,
        status=DeliveryStatus.READ,
        delivered_at=at(read_on),
        read_at=at(read_on, 12),
    )


@pytest.fixture
def planted(world):  # type: ignore[no-untyped-def]
    """World with known figures at our station and at the other district's station."""
    officer = world.user("station_ic")
    plant_station_figures(world.station, officer)
    plant_station_figures(world.other_station, officer)
    make_complaint(station=world.station, by=officer)  # with a victim identity, registered today
    return world


__all__ = ["PLANTED_NAME"]
