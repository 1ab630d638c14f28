# ruff: noqa: F811 - the shared fixtures are imported by name and used as parameters
"""Complaint intake services: tracking numbers, identity storage, transitions, SLA, escalation."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, connections, transaction

from accounts.models import AuditEvent, Role
from complaints import services
from complaints.access import can_see_identity
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    EscalationLevel,
    IdentityAccessLog,
    TrackingCounter,
    VictimIdentity,
)
from tests.complaints.intake_fixtures import assigned_officer, complaint  # noqa: F401
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.complaints_intake import PLANTED_NAME, PLANTED_PHONE, make_complaint

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


class TestRegistration:
    def test_it_gives_a_tracking_number_of_station_code_year_and_sequence(self, world) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=IST), tick=False):
            first = make_complaint(station=world.station)
            second = make_complaint(station=world.station)
            other = make_complaint(station=world.sibling_station)
        assert first.tracking_number == "VNS-A-2026-00001"
        assert second.tracking_number == "VNS-A-2026-00002"
        assert other.tracking_number == "VNS-B-2026-00001"
        assert str(first) == first.tracking_number

    def test_the_sequence_starts_again_each_year(self, world) -> None:
        with time_machine.travel(dt.datetime(2026, 12, 31, 23, tzinfo=IST), tick=False):
            make_complaint(station=world.station)
        with time_machine.travel(dt.datetime(2027, 1, 1, 9, tzinfo=IST), tick=False):
            new_year = make_complaint(station=world.station)
        assert new_year.tracking_number == "VNS-A-2027-00001"

    def test_the_identity_is_stored_encrypted_with_a_keyed_phone_hash(self, world) -> None:
        complaint = make_complaint(station=world.station)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, phone, address FROM complaints_victimidentity WHERE complaint_id=%s",
                [complaint.pk],
            )
            raw = cursor.fetchone()
        assert PLANTED_NAME not in " ".join(raw)
        assert PLANTED_PHONE not in " ".join(raw)
        identity = VictimIdentity.objects.get(complaint=complaint)
        assert identity.name == PLANTED_NAME
        assert identity.phone_hash == services.phone_lookup_hash("98123 45678")
        assert len(identity.phone_hash) == 64
        assert PLANTED_NAME not in repr(identity) + str(identity)

    def test_it_writes_one_audit_event_with_the_tracking_number_only(self, world) -> None:
        officer = world.user(Role.STATION_OFFICER)
        complaint = make_complaint(station=world.station, by=officer)
        events = AuditEvent.objects.filter(action="complaints.complaint.registered")
        assert events.count() == 1
        event = events.get()
        assert event.target_repr == complaint.tracking_number
        assert event.data["tracking_number"] == complaint.tracking_number
        assert PLANTED_NAME not in str(event.data) + event.target_repr

    @pytest.mark.parametrize(
        ("field", "changes"),
        [
            ("description", {"description": "   "}),
            ("category", {"category": "alien_abduction"}),
            ("occurred_on", {"occurred_on": dt.date.today() + dt.timedelta(days=2)}),
            ("channel", {"channel": "pigeon"}),
        ],
    )
    def test_invalid_input_is_refused_and_nothing_is_saved(self, world, field, changes) -> None:
        with pytest.raises(ValidationError) as error:
            make_complaint(station=world.station, **changes)
        assert field in error.value.message_dict
        assert Complaint.objects.count() == 0
        assert VictimIdentity.objects.count() == 0
        assert TrackingCounter.objects.count() == 0
        assert not AuditEvent.objects.filter(action__startswith="complaints.").exists()

    def test_an_sos_complaint_is_urgent_and_due_the_same_day(self, world) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=IST), tick=False):
            complaint = make_complaint(station=world.station, is_sos=True)
        assert complaint.priority == "urgent"
        assert complaint.due_on == dt.date(2026, 3, 2)


@pytest.mark.django_db(transaction=True)
def test_two_threads_registering_at_once_get_distinct_sequences(world) -> None:
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def register() -> None:
        try:
            barrier.wait(timeout=10)
            numbers.append(make_complaint(station=world.station).tracking_number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(n[-5:] for n in numbers) == ["00001", "00002"]
    assert TrackingCounter.objects.get(station=world.station).last_sequence == 2


class TestStatusMachine:
    def test_assigning_moves_received_to_assigned(self, world, complaint, assigned_officer) -> None:
        assert complaint.status == ComplaintStatus.ASSIGNED
        assert complaint.assigned_to == assigned_officer

    def test_allowed_moves_are_recorded_in_the_timeline(
        self, world, complaint, assigned_officer
    ) -> None:
        ic = world.user(Role.STATION_IC)
        services.change_status(complaint=complaint, status="under_enquiry", by=ic)
        done = services.change_status(complaint=complaint, status="closed", by=ic, note="Settled")
        assert done.status == "closed"
        assert done.closed_at is not None
        kinds = list(complaint.events.values_list("kind", "to_status"))
        assert kinds[-2:] == [("status", "under_enquiry"), ("status", "closed")]

    def test_a_move_outside_the_machine_is_refused(self, world, complaint) -> None:
        with pytest.raises(ValidationError):
            services.change_status(
                complaint=complaint, status="closed", by=world.user(Role.STATION_IC)
            )
        complaint.refresh_from_db()
        assert complaint.status == "received"

    def test_a_closed_complaint_cannot_reopen(self, world, complaint) -> None:
        ic = world.user(Role.STATION_IC)
        services.change_status(complaint=complaint, status="withdrawn", by=ic)
        with pytest.raises(ValidationError):
            services.change_status(complaint=complaint, status="assigned", by=ic)

    def test_staff_of_another_station_cannot_move_it(self, world, complaint) -> None:
        with pytest.raises(PermissionDenied):
            services.change_status(
                complaint=complaint, status="withdrawn", by=world.strangers[Role.STATION_IC]
            )

    def test_only_officers_of_the_station_can_be_assigned(self, world, complaint) -> None:
        with pytest.raises(ValidationError):
            services.assign_complaint(
                complaint=complaint,
                officer=world.strangers[Role.STATION_OFFICER],
                by=world.user(Role.STATION_IC),
            )


class TestIdentityAccess:
    @pytest.mark.parametrize("role", [Role.STATION_IC, Role.SHAKTI_INCHARGE])
    def test_the_ic_and_the_shakti_incharge_may_see_it(self, world, complaint, role) -> None:
        assert can_see_identity(world.user(role), complaint)

    def test_the_assigned_officer_may_see_it(self, world, complaint, assigned_officer) -> None:
        assert can_see_identity(assigned_officer, complaint)

    @pytest.mark.parametrize(
        "role",
        [
            Role.STATION_OFFICER,
            Role.DISTRICT_HEAD,
            Role.CYBER_CELL,
            Role.STATE_HQ,
            Role.NGO_COORDINATOR,
        ],
    )
    def test_everyone_else_may_not(self, world, complaint, role) -> None:
        assert not can_see_identity(world.user(role), complaint)
        assert not can_see_identity(world.strangers[role], complaint)

    def test_a_system_admin_may_not(self, world, complaint, admin_user_) -> None:
        assert not can_see_identity(admin_user_, complaint)

    def test_an_ic_of_another_station_may_not(self, world, complaint) -> None:
        ic = UserFactory()
        PostingFactory(user=ic, role=Role.STATION_IC, station=world.sibling_station)
        assert not can_see_identity(ic, complaint)

    def test_an_ended_posting_gives_no_access(self, world, complaint) -> None:
        ic = UserFactory()
        PostingFactory(
            user=ic,
            role=Role.STATION_IC,
            station=world.station,
            starts_on=dt.date(2020, 1, 1),
            ends_on=dt.date(2021, 1, 1),
        )
        assert not can_see_identity(ic, complaint)

    def test_revealing_logs_who_why_and_audits_without_identity(self, world, complaint) -> None:
        ic = world.user(Role.STATION_IC)
        identity = services.reveal_identity(
            complaint=complaint, by=ic, reason="Calling her for the counselling date"
        )
        assert identity.name == PLANTED_NAME
        log = IdentityAccessLog.objects.get()
        assert (log.user, log.complaint, log.reason) == (
            ic,
            complaint,
            "Calling her for the counselling date",
        )
        audit = AuditEvent.objects.get(action="complaints.identity.shown")
        assert PLANTED_NAME not in str(audit.data) + audit.target_repr
        assert complaint.events.filter(kind=ComplaintEvent.Kind.IDENTITY_SHOWN).count() == 1

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_revealing_without_a_reason_is_refused(self, world, complaint, reason) -> None:
        with pytest.raises(ValidationError):
            services.reveal_identity(
                complaint=complaint, by=world.user(Role.STATION_IC), reason=reason
            )
        assert IdentityAccessLog.objects.count() == 0

    def test_revealing_to_an_unpermitted_user_is_refused(self, world, complaint) -> None:
        with pytest.raises(PermissionDenied):
            services.reveal_identity(
                complaint=complaint, by=world.user(Role.DISTRICT_HEAD), reason="curious"
            )
        assert IdentityAccessLog.objects.count() == 0

    def test_the_access_log_is_append_only(self, world, complaint) -> None:
        services.reveal_identity(complaint=complaint, by=world.user(Role.STATION_IC), reason="x")
        log = IdentityAccessLog.objects.get()
        log.reason = "changed"
        with pytest.raises(ValueError, match="append-only"):
            log.save()
        with pytest.raises(ValueError, match="append-only"):
            log.delete()
        # The database refuses too, even when the model's guard is bypassed.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            IdentityAccessLog.objects.filter(pk=log.pk).update(reason="changed")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            IdentityAccessLog.objects.filter(pk=log.pk).delete()
        assert IdentityAccessLog.objects.get().reason == "x"


class TestSla:
    def test_working_days_skip_sundays_and_listed_holidays(self, settings) -> None:
        settings.COMPLAINTS_HOLIDAYS = ["2026-03-04"]
        # Friday 27 Feb + 3 working days: Sat 28, (Sun 1 skipped) Mon 2, Tue 3.
        assert services.add_working_days(dt.date(2026, 2, 27), 3) == dt.date(2026, 3, 3)
        # Tue 3 + 2: (Wed 4 holiday) Thu 5, Fri 6.
        assert services.add_working_days(dt.date(2026, 3, 3), 2) == dt.date(2026, 3, 6)

    def test_the_due_date_follows_the_category_policy_and_can_be_overridden(
        self, world, settings
    ) -> None:
        settings.COMPLAINTS_SLA_WORKING_DAYS = {"*": 10, "stalking": 2}
        with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=IST), tick=False):  # Fri
            stalking = make_complaint(station=world.station, category="stalking")
            other = make_complaint(station=world.station, category="snatching")
        assert stalking.due_on == dt.date(2026, 3, 9)  # Sat 7, (Sun 8) Mon 9
        assert other.due_on == dt.date(2026, 3, 18)


class TestEscalation:
    def test_overdue_goes_to_the_ic_then_after_the_grace_to_the_district(
        self, world, settings
    ) -> None:
        settings.COMPLAINTS_SLA_WORKING_DAYS = {"*": 1}
        settings.COMPLAINTS_DISTRICT_GRACE_HOURS = 48
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=IST), tick=False):  # Mon
            late = make_complaint(station=world.station)
            closed = make_complaint(station=world.station)
            services.change_status(
                complaint=closed, status="withdrawn", by=world.user(Role.STATION_IC)
            )
        assert late.due_on == dt.date(2026, 3, 3)
        on_time = dt.datetime(2026, 3, 3, 18, tzinfo=IST)
        assert services.escalate_overdue(now=on_time) == services.EscalationResult(0, 0)

        first = dt.datetime(2026, 3, 4, 9, tzinfo=IST)
        assert services.escalate_overdue(now=first) == services.EscalationResult(1, 0)
        late.refresh_from_db()
        assert late.escalation_level == EscalationLevel.STATION_IC
        assert services.escalate_overdue(now=first + dt.timedelta(hours=47)) == (
            services.EscalationResult(0, 0)
        )
        assert services.escalate_overdue(now=first + dt.timedelta(hours=48)) == (
            services.EscalationResult(0, 1)
        )
        late.refresh_from_db()
        closed.refresh_from_db()
        assert late.escalation_level == EscalationLevel.DISTRICT
        assert closed.escalation_level == EscalationLevel.NONE
        assert services.escalate_overdue(now=first + dt.timedelta(days=9)) == (
            services.EscalationResult(0, 0)
        )
        assert AuditEvent.objects.filter(action="complaints.complaint.escalated").count() == 2

    def test_the_beat_task_runs_the_service(self, world, settings) -> None:
        from complaints.tasks import escalate_overdue

        settings.COMPLAINTS_SLA_WORKING_DAYS = {"*": 1}
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=IST), tick=False):
            make_complaint(station=world.station)
        with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=IST), tick=False):
            assert escalate_overdue.apply().get() == {"to_station_ic": 1, "to_district": 0}
        assert "complaints-escalate-overdue" in settings.CELERY_BEAT_SCHEDULE
