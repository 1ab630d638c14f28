"""The demo register holds the Varanasi review's figures exactly, and seeding twice adds nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from accounts.models import User
from complaints import selectors
from complaints.models import RomeoAction, RomeoCase, RomeoPerson
from stations.models import Station

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--allow-production", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_varanasi_has_exactly_the_reviewed_anti_romeo_figures() -> None:
    _seed()
    cp = User.objects.get(username="demo_cp")
    rows = list(selectors.enforcement_totals(user=cp))
    summary = selectors.summarize_enforcement(rows)
    assert summary.cases_registered == 94
    assert summary.accused_arrested == 123
    assert summary.detained_total == 659
    assert summary.detained_126 + summary.detained_135 + summary.detained_170 == 659
    assert min(summary.detained_126, summary.detained_135, summary.detained_170) > 50
    assert RomeoCase.objects.filter(station__district__code="VNS").count() == 94
    # Every arrested accused is linked to one of those FIRs; some FIRs have several accused.
    arrested = RomeoPerson.objects.filter(outcome="arrested")
    assert arrested.filter(case__isnull=True).count() == 0
    assert arrested.values("case").distinct().count() == 94
    assert summary.warned > 0


def test_the_busy_city_stations_carry_more_of_the_work_than_rural_ones() -> None:
    _seed()
    rows = {
        r.code: r for r in selectors.enforcement_totals(user=User.objects.get(username="demo_cp"))
    }
    assert len(rows) == Station.objects.filter(district__code="VNS").count()
    busy = rows["VNS-CANTT"].detained_total + rows["VNS-LANKA"].detained_total
    quiet = rows["VNS-KAPSETHI"].detained_total + rows["VNS-JANSA"].detained_total
    assert busy > 3 * quiet
    assert len({r.cases_registered for r in rows.values()}) > 3  # not an even spread


def test_seeding_again_changes_nothing() -> None:
    _seed()
    counts = (RomeoAction.objects.count(), RomeoCase.objects.count(), RomeoPerson.objects.count())
    firs = sorted(RomeoCase.objects.values_list("station__code", "fir_number"))
    _seed()
    assert (
        RomeoAction.objects.count(),
        RomeoCase.objects.count(),
        RomeoPerson.objects.count(),
    ) == counts
    assert sorted(RomeoCase.objects.values_list("station__code", "fir_number")) == firs


# --- Mission Shakti complaints (casework demo) ---------------------------------------------


def test_exactly_255_varanasi_complaints_were_settled_by_counselling() -> None:
    from complaints.models import Complaint, CounsellingSession

    _seed()
    settled = (
        CounsellingSession.objects.filter(
            complaint__station__district__code="VNS",
            outcome__in=["reconciled", "family_reunited"],
        )
        .values("complaint")
        .distinct()
        .count()
    )
    assert settled == 255
    vns = Complaint.objects.filter(station__district__code="VNS")
    # A realistic mix around them, not just the settled ones.
    assert vns.count() > 600
    statuses = set(vns.values_list("status", flat=True))
    assert {"closed", "counselling", "action_taken", "under_enquiry", "withdrawn"} <= statuses
    assert len(set(vns.values_list("category", flat=True))) >= 10
    outcomes = set(CounsellingSession.objects.values_list("outcome", flat=True))
    assert outcomes == {"reconciled", "family_reunited", "referred", "fir_advised", "no_settlement"}
    assert 1 <= vns.filter(is_sos=True).count() <= 5


def test_the_demo_complaints_have_non_trivial_disposal_figures() -> None:
    from django.db.models import F
    from django.utils import timezone

    from complaints.models import (
        Arrest,
        Complaint,
        ComplaintClosure,
        FirRegistration,
        Referral,
        TrackingCounter,
    )

    _seed()
    today = timezone.localdate()
    vns = Complaint.objects.filter(station__district__code="VNS")
    closed = vns.filter(status="closed")
    late = closed.filter(closed_at__date__gt=F("due_on")).count()
    assert 0 < late < closed.count() // 2
    assert vns.filter(status__in=["received", "assigned", "under_enquiry"], due_on__gte=today)
    overdue = vns.filter(
        status__in=["received", "assigned", "under_enquiry", "counselling", "action_taken"],
        due_on__lt=today,
    )
    assert overdue.exists() and overdue.filter(escalation_level__gt=0).count() == overdue.count()
    assert ComplaintClosure.objects.filter(complaint__in=closed).count() == closed.count()
    assert set(ComplaintClosure.objects.values_list("feedback", flat=True)) >= {
        "satisfied",
        "partly",
        "not_satisfied",
    }
    assert FirRegistration.objects.count() > 20 and Arrest.objects.count() > 10
    assert Referral.objects.exclude(follow_up_outcome="pending").exists()
    # Dates fall in the demo period, and created_at is the registration moment, not "now".
    assert vns.filter(created_at__date__lt=today - dt.timedelta(days=100)).count() > 200
    # Tracking numbers are unique and each station's counter is past its last number.
    for counter in TrackingCounter.objects.all():
        top = vns.filter(station=counter.station_id, year=counter.year).order_by("-sequence")
        if top.exists():
            assert counter.last_sequence >= top[0].sequence
    # The anti-Romeo FIR figure is untouched by these FIRs.
    assert RomeoCase.objects.filter(station__district__code="VNS").count() == 94


def test_seeding_the_complaints_again_adds_nothing() -> None:
    from complaints.models import (
        Complaint,
        ComplaintEvent,
        CounsellingSession,
        TrackingCounter,
        VictimIdentity,
    )

    _seed()
    before = (
        Complaint.objects.count(),
        VictimIdentity.objects.count(),
        CounsellingSession.objects.count(),
        ComplaintEvent.objects.count(),
        sorted(TrackingCounter.objects.values_list("station_id", "year", "last_sequence")),
    )
    _seed()
    after = (
        Complaint.objects.count(),
        VictimIdentity.objects.count(),
        CounsellingSession.objects.count(),
        ComplaintEvent.objects.count(),
        sorted(TrackingCounter.objects.values_list("station_id", "year", "last_sequence")),
    )
    assert after == before


def test_demo_victims_are_encrypted_and_findable_by_phone_hash_only() -> None:
    from django.db import connection

    from complaints.models import VictimIdentity

    _seed()
    identity = VictimIdentity.objects.filter(complaint__station__district__code="VNS").first()
    assert identity is not None and identity.name and identity.phone_hash
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name FROM {VictimIdentity._meta.db_table} WHERE id = %s",  # noqa: S608
            [identity.pk],
        )
        stored = cursor.fetchone()[0]
    assert identity.name not in stored
