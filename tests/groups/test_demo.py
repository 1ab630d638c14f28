"""The demo seed: Nabadwip's "Not Alone" and a Hathras traders' group, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts import access
from accounts.models import User
from groups.models import CommunityGroup, ConductIncident, ExclusionEntry, Nomination

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--allow-production", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_has_the_field_groups_and_runs_twice_without_changes() -> None:
    _seed()
    not_alone = CommunityGroup.objects.get(name="Not Alone")
    assert not_alone.station.code == "NDA-NABADWIP" and not_alone.capacity == 250
    assert not_alone.seats_taken == 50 == not_alone.memberships.filter(status="active").count()
    pending = not_alone.nominations.filter(status="screened")
    assert pending.count() == 4
    [blocked] = [n for n in pending if n.is_blocked]
    assert blocked.nominee_name == "রেখা হালদার"  # Bengali script ...
    entry = ExclusionEntry.objects.get(pk=blocked.register_match_ids[0])
    assert entry.district.code == "NDA"
    assert "Rekha Haldar" in entry.names.values_list("name", flat=True)  # ... Latin register
    hathras = CommunityGroup.objects.get(station__code="HTS-KOTWALI")
    assert hathras.seats_taken == 12
    assert ConductIncident.objects.filter(membership__group=hathras, kind="greeting_spam").exists()
    counts = [
        m.objects.count() for m in (CommunityGroup, Nomination, ConductIncident, ExclusionEntry)
    ]
    output = _seed()
    assert [
        m.objects.count() for m in (CommunityGroup, Nomination, ConductIncident, ExclusionEntry)
    ] == counts
    assert "0 nominations created" in output


def test_the_hathras_ic_login_sees_only_kotwali() -> None:
    _seed()
    ic = User.objects.get(username="demo_ic_hathras")
    assert list(access.stations_for(ic).values_list("code", flat=True)) == ["HTS-KOTWALI"]
