"""The demo register holds the Varanasi review's figures exactly, and seeding twice adds nothing."""

from __future__ import annotations

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
