"""seed_demo: the real jurisdictions, one login per role, idempotent, never in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts import access
from accounts.models import Posting, Role, User
from stations.models import District, State, Station

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--allow-production", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_loads_the_field_jurisdictions() -> None:
    _seed()
    varanasi = District.objects.get(code="VNS")
    assert varanasi.kind == District.Kind.COMMISSIONERATE
    assert varanasi.stations.count() >= 20
    assert Station.objects.get(code="NDA-NABADWIP").name_local == "নবদ্বীপ থানা"
    assert District.objects.filter(code__in=["NDA", "KBD", "HTS"]).count() == 3
    assert Station.objects.filter(district__state__code="MP", is_women_station=True).exists()
    assert State.objects.get(code="MP").headquarters


def test_there_is_one_demo_login_per_role_and_each_sees_only_its_units() -> None:
    _seed()
    roles = set(
        Posting.objects.filter(user__username__startswith="demo_").values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    ic = User.objects.get(username="demo_ic")
    assert list(access.stations_for(ic).values_list("code", flat=True)) == ["NDA-NABADWIP"]
    cp = User.objects.get(username="demo_cp")
    assert set(access.stations_for(cp).values_list("district__code", flat=True)) == {"VNS"}
    assert User.objects.get(username="admin").is_superuser


def test_running_twice_changes_nothing() -> None:
    _seed()
    counts = [m.objects.count() for m in (State, District, Station, User, Posting)]
    history = Station.history.count()
    output = _seed()
    assert [m.objects.count() for m in (State, District, Station, User, Posting)] == counts
    assert Station.history.count() == history
    assert "0 created" in output


def test_a_changed_password_is_not_reset(settings) -> None:
    _seed()
    user = User.objects.get(username="demo_ic")
    user.set_password("officer-chose-this-1")
    user.save()
    _seed()
    user.refresh_from_db()
    assert user.check_password("officer-chose-this-1")


def test_it_refuses_to_run_in_production(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="demo_ic").exists()
