"""Demo field work: hotspots and patrols at the demo stations, an audit per Varanasi station."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from stations import selectors
from stations.models import ActionItem, Hotspot, Patrol, ResourceAudit, Station

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", "--allow-production", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_stations_have_hotspots_patrols_and_an_overdue_one() -> None:
    _seed()
    for code, username in (("VNS-CANTT", "demo_ic_cantt"), ("NDA-NABADWIP", "demo_ic")):
        user = User.objects.get(username=username)
        hotspots = selectors.hotspot_list(user=user)
        assert hotspots.count() >= 5
        assert {h.station.code for h in hotspots} == {code}
        overdue = selectors.hotspots_not_patrolled(user=user, days=7)
        assert overdue.filter(last_patrolled_at__isnull=True).exists()  # never patrolled
        assert overdue.filter(last_patrolled_at__isnull=False).exists()  # lapsed
        assert overdue.count() < hotspots.count()
    assert Patrol.objects.count() > 30


def test_every_varanasi_station_has_an_audit_and_some_deficits_stay_open() -> None:
    _seed()
    cp = User.objects.get(username="demo_cp")
    rows = list(selectors.station_resource_status(user=cp))
    assert len(rows) == Station.objects.filter(district__code="VNS").count()
    assert all(row.latest_audit_id for row in rows)
    assert selectors.open_deficits_count(user=cp) > 0
    assert ActionItem.objects.filter(status="closed").exists()


def test_seeding_again_changes_nothing() -> None:
    _seed()
    counts = [m.objects.count() for m in (Hotspot, Patrol, ResourceAudit, ActionItem)]
    _seed()
    assert [m.objects.count() for m in (Hotspot, Patrol, ResourceAudit, ActionItem)] == counts
