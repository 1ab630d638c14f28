"""/audit/: district heads see their district's events only, state HQ their state's, admins
all; station users and strangers get 404; the CSV export is itself audited; retention purges
only what the database trigger agrees is old enough."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.audit_retention import purge_expired_events
from accounts.models import AuditEvent, Role
from accounts.services import record_event
from complaints.models import IdentityAccessLog
from tests.factories.complaints_intake import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):  # type: ignore[no-untyped-def]
    """One event at our station, one at our district, one at a sibling district, one abroad."""
    actor = world.user(Role.STATION_IC)
    return {
        "station": record_event(
            actor=actor, action="tests.thing.ours_station", station=world.station
        ),
        "district": record_event(
            actor=actor, action="tests.thing.ours_district", district=world.district
        ),
        "sibling": record_event(
            actor=actor, action="tests.thing.sibling", station=world.neighbour_station
        ),
        "foreign": record_event(
            actor=world.strangers[Role.STATION_IC],
            action="tests.thing.foreign",
            station=world.other_station,
        ),
        "unitless": record_event(actor=actor, action="tests.thing.unitless"),
    }


def _actions(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {event.action for event in response.context["page"] if event.action.startswith("tests.")}


def test_district_head_sees_their_district_only(world, events, login) -> None:
    response = login(world.user(Role.DISTRICT_HEAD)).get("/audit/")
    assert response.status_code == 200
    assert _actions(response) == {"tests.thing.ours_station", "tests.thing.ours_district"}
    assert b"tests.thing.foreign" not in response.content


def test_state_hq_sees_their_state(world, events, login) -> None:
    response = login(world.user(Role.STATE_HQ)).get("/audit/")
    assert _actions(response) == {
        "tests.thing.ours_station",
        "tests.thing.ours_district",
        "tests.thing.sibling",
    }


def test_system_admin_sees_everything(world, events, admin_user_, login) -> None:
    response = login(admin_user_).get("/audit/")
    assert {e.action for e in events.values()} <= _actions(response)


def test_foreign_district_head_sees_nothing_of_ours(world, events, login) -> None:
    client = login(world.strangers[Role.DISTRICT_HEAD])
    response = client.get("/audit/")
    assert _actions(response) == {"tests.thing.foreign"}
    export = client.get("/audit/export.csv")
    assert b"tests.thing.ours" not in b"".join(export.streaming_content)
    pk = events["station"].target_id or "x"
    assert b"ours_station" not in client.get(f"/audit/?target={pk}").content


@pytest.mark.parametrize(
    "role",
    [
        Role.STATION_IC,
        Role.STATION_OFFICER,
        Role.SHAKTI_INCHARGE,
        Role.CYBER_CELL,
        Role.NGO_COORDINATOR,
    ],
)
def test_other_roles_get_404(world, events, login, role) -> None:  # type: ignore[no-untyped-def]
    client = login(world.user(role))
    for url in ("/audit/", "/audit/export.csv", "/audit/identity-access/"):
        assert client.get(url).status_code == 404


def test_user_without_posting_gets_404_and_anonymous_is_sent_to_login(
    no_posting_user, login, client
) -> None:
    assert login(no_posting_user).get("/audit/").status_code == 404
    response = client.get("/audit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_filters_by_actor_action_object_and_dates(world, events, login) -> None:
    client = login(world.user(Role.DISTRICT_HEAD))
    actor = world.user(Role.STATION_IC).username
    assert _actions(client.get(f"/audit/?actor={actor}&action=tests.thing.ours_d")) == {
        "tests.thing.ours_district"
    }
    today = timezone.localdate()
    assert _actions(client.get(f"/audit/?date_from={today}&date_to={today}")) == {
        "tests.thing.ours_station",
        "tests.thing.ours_district",
    }
    tomorrow = today + timedelta(days=1)
    assert _actions(client.get(f"/audit/?date_from={tomorrow}")) == set()
    assert _actions(client.get("/audit/?actor=nobody-at-all")) == set()


def test_bad_filters_are_form_errors_not_500(world, events, login) -> None:
    client = login(world.user(Role.DISTRICT_HEAD))
    response = client.get("/audit/?date_from=2026-13-45&date_to=yesterday")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _actions(response) == set()
    backwards = client.get("/audit/?date_from=2026-02-02&date_to=2026-01-01")
    assert "date_to" in backwards.context["form"].errors
    assert client.get("/audit/export.csv?date_from=nonsense").status_code == 400
    assert client.get("/audit/?page=999999").status_code == 200


def test_pagination(world, login) -> None:
    for n in range(55):
        record_event(actor=None, action="tests.bulk.row", district=world.district, data={"n": n})
    client = login(world.user(Role.DISTRICT_HEAD))
    first = client.get("/audit/?action=tests.bulk")
    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"]) == 50
    assert len(client.get("/audit/?action=tests.bulk&page=2").context["page"]) == 5


def test_csv_export_is_audited_and_scoped(world, events, login) -> None:
    head = world.user(Role.DISTRICT_HEAD)
    response = login(head).get("/audit/export.csv?action=tests.")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time", "actor", "action"]
    assert {row[2] for row in rows[1:]} == {"tests.thing.ours_station", "tests.thing.ours_district"}
    exported = AuditEvent.objects.get(action="accounts.audit.exported")
    assert exported.actor == head
    assert exported.district == world.district
    assert exported.data == {"filters": {"action": "tests."}, "rows": 2}
    # The export shows up in the head's own log.
    assert "accounts.audit.exported" in {
        e.action for e in login(head).get("/audit/").context["page"]
    }


def test_csv_export_neutralises_formulas(world, login) -> None:
    record_event(actor=None, action="tests.csv.formula", district=world.district)
    AuditEvent.objects.create(
        action="tests.csv.injected", target_repr="=HYPERLINK(1)", district=world.district
    )
    body = b"".join(
        login(world.user(Role.DISTRICT_HEAD))
        .get("/audit/export.csv?action=tests.csv")
        .streaming_content
    ).decode()
    assert "'=HYPERLINK(1)" in body


def test_identity_access_log_is_viewable_read_only_and_scoped(world, login) -> None:
    ic = world.user(Role.STATION_IC)
    ours = make_complaint(station=world.station, by=ic)
    theirs = make_complaint(station=world.other_station, by=world.strangers[Role.STATION_IC])
    IdentityAccessLog.objects.create(user=ic, complaint=ours, reason="Statement recording")
    IdentityAccessLog.objects.create(
        user=world.strangers[Role.STATION_IC], complaint=theirs, reason="Their reason"
    )
    response = login(world.user(Role.DISTRICT_HEAD)).get("/audit/identity-access/")
    assert response.status_code == 200
    assert [row.complaint_id for row in response.context["page"]] == [ours.pk]
    assert ours.tracking_number.encode() in response.content
    assert theirs.tracking_number.encode() not in response.content
    assert b"Zaitunnisa" not in response.content  # the planted victim name never appears
    foreign = login(world.strangers[Role.DISTRICT_HEAD]).get("/audit/identity-access/")
    assert [row.complaint_id for row in foreign.context["page"]] == [theirs.pk]
    assert login(world.user(Role.DISTRICT_HEAD)).post("/audit/identity-access/").status_code == 405


# --- retention ---------------------------------------------------------------------------------


def _old_event(days: int, action: str) -> AuditEvent:
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return AuditEvent.objects.create(action=action)


def test_purge_deletes_only_events_past_retention(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 400
    old = _old_event(401, "tests.retention.old")
    kept = _old_event(399, "tests.retention.kept")
    fresh = AuditEvent.objects.create(action="tests.retention.fresh")
    assert purge_expired_events() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk__in=[kept.pk, fresh.pk]).count() == 2
    purged = AuditEvent.objects.get(action="accounts.audit.purged")
    assert purged.data["deleted"] == 1 and purged.data["retention_days"] == 400


def test_management_command_purges(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    _old_event(366, "tests.retention.old")
    out = io.StringIO()
    call_command("purge_audit_events", stdout=out)
    assert "Deleted 1 audit events older than 365 days" in out.getvalue()


DELETE = "DELETE FROM accounts_auditevent WHERE id = %s"


def test_trigger_refuses_deleting_young_events_and_every_update() -> None:
    young = _old_event(100, "tests.retention.young")
    old = _old_event(500, "tests.retention.old")
    statements = [
        # No retention announced: nothing may be deleted.
        ("", DELETE, old.pk),
        # A retention under a year is ignored by the trigger, even if announced.
        ("30", DELETE, young.pk),
        # Announced 400 days, but this row is younger than that.
        ("400", DELETE, young.pk),
        # Updates are never allowed, however old the row.
        ("400", "UPDATE accounts_auditevent SET action = 'x.y' WHERE id = %s", old.pk),
    ]
    for days, sql, pk in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            if days:
                cursor.execute("SELECT set_config('thana.audit_retention_days', %s, true)", [days])
            cursor.execute(sql, [pk])
    assert AuditEvent.objects.filter(pk__in=[young.pk, old.pk]).count() == 2


def test_retention_below_a_year_is_refused_at_startup() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "AUDIT_RETENTION_DAYS": "364",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS is malformed: must be at least 365" in result.stderr
    assert ImproperlyConfigured.__name__ in result.stderr
