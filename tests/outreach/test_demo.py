"""Demo outreach: Varanasi's drives match the review exactly; MP's NGOs and campaigns are there."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from outreach import selectors
from outreach.models import AwarenessDrive, Campaign, Ngo, NgoActivity, NgoMembership

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", "--allow-production", stdout=io.StringIO(), stderr=io.StringIO())


def test_varanasi_drives_reach_exactly_90000_at_exactly_2114_locations() -> None:
    _seed()
    rows = list(selectors.drive_totals(user=User.objects.get(username="demo_cp")))
    assert sum(r.locations for r in rows) == 2114
    assert sum(r.women_girls_reached for r in rows) == 90_000
    assert sum(r.people_reached for r in rows) == 90_000  # only women and girls in the demo
    # Some places were visited twice: more drives than locations.
    assert sum(r.drives for r in rows) > 2114
    by_code = {r.code: r for r in rows}
    assert by_code["VNS-CANTT"].locations > 3 * by_code["VNS-KAPSETHI"].locations


def test_the_demo_ngo_coordinator_is_bound_to_an_ngo_working_in_bhopal_and_indore() -> None:
    _seed()
    coordinator = User.objects.get(username="demo_ngo")
    (ngo,) = selectors.ngos_for(coordinator)
    assert sorted(ngo.districts.values_list("code", flat=True)) == ["BPL", "IDR"]
    assert NgoMembership.objects.filter(user=coordinator).count() == 1
    activities = selectors.ngo_activity_list(user=coordinator)
    assert activities.count() > 10
    assert activities.filter(verified_at__isnull=False).exists()
    assert activities.filter(verified_at__isnull=True).exists()
    assert set(activities.values_list("ngo", flat=True)) == {ngo.pk}


def test_state_hq_sees_the_42_ngos_of_the_state_and_progress_per_campaign() -> None:
    _seed()
    state = User.objects.get(username="demo_state")
    assert selectors.ngo_list(user=state).count() == 42
    codes = set(selectors.campaigns_for(state).values_list("code", flat=True))
    assert {"sambal", "srijan", "abhimanyu", "chetna"} <= codes
    progress = list(selectors.campaign_progress(user=state))
    assert {t.district.code for t in progress} == {"BPL", "IDR"}
    assert any(t.actual > 0 for t in progress)
    assert all(t.verified <= t.actual for t in progress)


def test_seeding_again_changes_nothing() -> None:
    _seed()
    counts = [m.objects.count() for m in (AwarenessDrive, NgoActivity, Ngo, Campaign)]
    _seed()
    assert [m.objects.count() for m in (AwarenessDrive, NgoActivity, Ngo, Campaign)] == counts
