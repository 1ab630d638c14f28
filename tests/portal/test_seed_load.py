"""`manage.py seed_load`: exact counts, valid rows, refusals (tiny sizes; the full size is a bench).

PostgreSQL checks every CHECK / UNIQUE constraint as the rows go in; foreign keys are deferred, so
each test forces them with SET CONSTRAINTS ALL IMMEDIATE before it looks at the data.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import Posting, Role, User
from broadcasts.models import Broadcast, Delivery
from complaints.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintEvent,
    CounsellingSession,
    RomeoAction,
    RomeoCase,
    RomeoPerson,
    TrackingCounter,
    VictimIdentity,
)
from groups.models import CommunityGroup, Membership, Nomination
from outreach.models import AwarenessDrive, place_key
from people.models import Citizen
from people.phones import normalize_mobile
from stations.models import ActionItem, District, State, Station
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

TINY = ["--stations", "6", "--districts", "2", "--complaints", "500", "--citizens", "300"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_load", *args, stdout=out)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign keys checked now
    return out.getvalue()


@pytest.fixture
def debug_on(settings):  # type: ignore[no-untyped-def]
    """pytest-django runs with DEBUG off; the command refuses that without --allow-production."""
    settings.DEBUG = True


@pytest.fixture
def tiny(debug_on) -> str:  # type: ignore[no-untyped-def]
    return seed(*TINY)


def test_counts_are_exact(tiny: str) -> None:
    state = State.objects.get(code="LOAD")
    assert District.objects.filter(state=state).count() == 2
    stations = Station.objects.filter(district__state=state)
    assert stations.count() == 6
    assert stations.values("code").distinct().count() == 6
    assert Citizen.objects.count() == 300
    assert Complaint.objects.count() == 500
    assert VictimIdentity.objects.count() == 500
    assert ComplaintEvent.objects.filter(kind="registered").count() == 500
    # One IC per station, a district head and a cyber cell per district, one state HQ.
    assert Posting.objects.filter(role=Role.STATION_IC).count() == 6
    assert Posting.objects.filter(role=Role.DISTRICT_HEAD).count() == 2
    assert Posting.objects.filter(role=Role.CYBER_CELL).count() == 2
    assert Posting.objects.filter(role=Role.STATE_HQ).count() == 1
    assert User.objects.count() == 6 + 2 + 2 + 1
    assert "Load data created" in tiny


def test_citizens_have_valid_unique_mobiles_and_consent(tiny: str) -> None:
    phones = list(Citizen.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones)
    assert all(normalize_mobile(phone) == phone for phone in phones)
    assert not Citizen.objects.filter(consent_at__isnull=True).exists()
    for citizen in Citizen.objects.select_related("station"):
        assert citizen.station.district_id == citizen.district_id


def test_tracking_numbers_and_counters_are_consistent(tiny: str) -> None:
    """Tracking number = station code + year + sequence; the counter holds the last sequence."""
    for complaint in Complaint.objects.select_related("station"):
        assert complaint.tracking_number == (
            f"{complaint.station.code}-{complaint.year}-{complaint.sequence:05d}"
        )
    counters = {(c.station_id, c.year): c.last_sequence for c in TrackingCounter.objects.all()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, year, max(sequence), count(*) FROM complaints_complaint "
            "GROUP BY station_id, year"
        )
        rows = cursor.fetchall()
    assert {(s, y): m for s, y, m, _ in rows} == counters
    # Sequences are 1..n without gaps, in order of registration.
    assert all(m == n for _, _, m, n in rows)


def test_new_complaint_after_load_continues_the_sequence(tiny: str) -> None:
    from complaints.services import allocate_tracking_number

    counter = TrackingCounter.objects.order_by("-last_sequence").first()
    assert counter is not None
    station = Station.objects.get(pk=counter.station_id)
    sequence, tracking = allocate_tracking_number(station=station, year=counter.year)
    assert sequence == counter.last_sequence + 1
    assert not Complaint.objects.filter(tracking_number=tracking).exists()


def test_complaint_mixes_are_plausible(tiny: str) -> None:
    today = timezone.localdate()
    complaints = list(Complaint.objects.all())
    statuses = {c.status for c in complaints}
    assert {"closed", "received"} <= statuses and len(statuses) >= 5
    assert len({c.category for c in complaints}) >= 8
    for c in complaints:
        registered_on = timezone.localtime(c.created_at).date()
        assert (today - registered_on).days < 30
        assert c.due_on >= registered_on
        if c.status in ("closed", "withdrawn"):
            assert c.closed_at is not None and c.closed_at >= c.created_at
        if c.status != "received":
            assert c.assigned_to_id is not None
    assert any(c.status in OPEN_STATUSES and c.due_on < today for c in complaints)  # overdue


def test_victim_identity_pool_decrypts(tiny: str) -> None:
    identity = VictimIdentity.objects.order_by("?").first()
    assert identity is not None
    assert identity.name.startswith("Load Victim ")
    assert re.fullmatch(r"\+91\d{10}", identity.phone)
    assert identity.phone_hash


def test_every_review_section_has_data(tiny: str) -> None:
    assert CounsellingSession.objects.filter(outcome__in=["reconciled", "family_reunited"]).exists()
    assert RomeoCase.objects.exists()
    assert RomeoPerson.objects.filter(outcome="arrested").exists()
    assert set(
        RomeoPerson.objects.filter(outcome="detained").values_list("bnss_section", flat=True)
    ) == {"126", "135", "170"}
    # Every "accused arrested" action names an FIR of its own station registered on or before it.
    for person in RomeoPerson.objects.filter(outcome="arrested").select_related(
        "case__action", "action"
    ):
        assert person.case.station_id == person.action.station_id
        assert person.case.action.acted_on <= person.action.acted_on
    assert not RomeoAction.objects.filter(persons__isnull=True).exists()
    drives = list(AwarenessDrive.objects.all())
    assert drives and all(d.place_key == place_key(d.place) for d in drives)
    assert ActionItem.objects.filter(status="open").exists()
    for group in CommunityGroup.objects.all():
        active = Membership.objects.filter(group=group, status="active").count()
        assert group.seats_taken == active > 0
    assert Nomination.objects.filter(status__in=["submitted", "screened"]).exists()
    assert Broadcast.objects.filter(status="completed").count() == 2
    assert Delivery.objects.filter(status="read").exists()
    for broadcast in Broadcast.objects.all():
        assert broadcast.recipient_count == broadcast.deliveries.count()
        assert broadcast.approved_by_id != broadcast.created_by_id


def test_second_run_refuses_and_changes_nothing(tiny: str) -> None:
    with pytest.raises(CommandError, match="already here"):
        call_command("seed_load", *TINY, stdout=StringIO())
    out = seed(*TINY, "--skip-if-loaded")
    assert "Nothing to do" in out
    assert Complaint.objects.count() == 500
    assert Citizen.objects.count() == 300


def test_refuses_a_database_with_real_data(debug_on) -> None:  # type: ignore[no-untyped-def]
    StationFactory()
    with pytest.raises(CommandError, match="real data"):
        call_command("seed_load", *TINY, stdout=StringIO())
    assert not State.objects.filter(code="LOAD").exists()
    seed(*TINY, "--force")
    assert Complaint.objects.count() == 500


def test_refuses_production_unless_allowed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_load", *TINY, stdout=StringIO())
    assert not Station.objects.exists()
    seed(*TINY, "--allow-production")
    assert Station.objects.count() == 6


@pytest.mark.parametrize(
    "args",
    [
        ["--stations", "1", "--districts", "2"],
        ["--districts", "0"],
        ["--days", "0"],
        ["--complaints", "-1"],
        ["--members-per-group", "1000"],
    ],
)
def test_bad_options_are_refused_cleanly(debug_on, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        call_command("seed_load", *args, stdout=StringIO())
    assert not Station.objects.exists()


def test_foreign_keys_are_checked_set_based(tiny: str) -> None:
    """With the row-by-row triggers off for speed, a dangling reference still stops the load."""
    from portal.management.commands.seed_load import Command

    complaint = Complaint.objects.order_by("pk").first()
    assert complaint is not None
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE complaints_complaint SET station_id = -1 WHERE id = %s", [complaint.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    with pytest.raises(CommandError, match=r"complaints_complaint\.station_id"):
        Command().validate_foreign_keys()
