"""Casework services: FIR, arrests, referrals and follow-up, closure; each on the timeline,
each refusing bad input with field-keyed errors and saving nothing."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Role
from complaints import casework, casework_selectors, services
from complaints.bns import UnknownSection, parse_sections
from complaints.models import (
    Arrest,
    Complaint,
    ComplaintClosure,
    FirRegistration,
    Referral,
)
from tests.factories.complaints_casework import complaint_under_enquiry, fir_values
from tests.factories.complaints_intake import PLANTED_NAME, make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic(world):  # type: ignore[no-untyped-def]
    return world.user(Role.STATION_IC)


@pytest.fixture
def enquiry(world, ic):  # type: ignore[no-untyped-def]
    return complaint_under_enquiry(station=world.station, ic=ic)


def _fir(complaint, by, **changes):  # type: ignore[no-untyped-def]
    return casework.register_fir(complaint=complaint, by=by, **fir_values(**changes))


class TestBnsReference:
    def test_sections_are_normalised_and_deduplicated(self) -> None:
        assert parse_sections("78 , 351 (2); 78, 64(2)(M)") == ["78", "351(2)", "64(2)(m)"]

    @pytest.mark.parametrize("text", ["999", "78, abc", "376", "78(2)(b)(c)"])
    def test_unknown_sections_are_refused(self, text: str) -> None:
        with pytest.raises(UnknownSection):
            parse_sections(text)


class TestFir:
    def test_an_fir_moves_the_enquiry_to_action_taken_and_is_on_the_timeline(
        self, enquiry, ic
    ) -> None:
        fir = _fir(enquiry, ic)
        enquiry.refresh_from_db()
        assert enquiry.status == "action_taken"
        assert fir.fir_number == f"0123/{timezone.localdate().year}"
        assert fir.bns_sections == ["78", "351(2)"]
        event = enquiry.events.get(kind="fir")
        assert (event.from_status, event.to_status) == ("under_enquiry", "action_taken")
        assert "0123" in event.note
        assert AuditEvent.objects.filter(action="complaints.fir.registered").exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"fir_number": "12-2026"}, "fir_number"),
            ({"fir_number": "123/1999"}, "fir_number"),
            ({"cctns_number": "1441000120261"}, "cctns_number"),
            ({"cctns_number": "14410001199900123"}, "cctns_number"),
            ({"cctns_number": "14410001{y}00999"}, "cctns_number"),
            ({"bns_sections": "78, 999"}, "bns_sections"),
            ({"bns_sections": " , "}, "bns_sections"),
            ({"registered_on": dt.date.today() + dt.timedelta(days=2)}, "registered_on"),
        ],
    )
    def test_bad_values_get_field_errors_and_save_nothing(
        self, enquiry, ic, changes, field
    ) -> None:
        if "cctns_number" in changes:
            changes = {"cctns_number": changes["cctns_number"].format(y=dt.date.today().year)}
        with pytest.raises(ValidationError) as caught:
            _fir(enquiry, ic, **changes)
        assert field in caught.value.message_dict
        assert FirRegistration.objects.count() == 0
        enquiry.refresh_from_db()
        assert enquiry.status == "under_enquiry"

    def test_a_station_of_another_district_is_refused(self, world, enquiry, ic) -> None:
        with pytest.raises(ValidationError) as caught:
            _fir(enquiry, ic, station=world.neighbour_station)
        assert "station" in caught.value.message_dict

    def test_one_fir_per_complaint_and_numbers_unique_per_station(self, world, enquiry, ic) -> None:
        _fir(enquiry, ic)
        with pytest.raises(ValidationError):
            _fir(enquiry, ic, serial=124)
        other = complaint_under_enquiry(station=world.station, ic=ic)
        with pytest.raises(ValidationError) as caught:
            _fir(other, ic)
        assert "fir_number" in caught.value.message_dict
        assert FirRegistration.objects.count() == 1

    def test_a_received_complaint_cannot_have_an_fir_yet(self, world, ic) -> None:
        fresh = make_complaint(station=world.station, by=ic)
        with pytest.raises(ValidationError):
            _fir(fresh, ic)

    def test_staff_of_another_station_and_district_staff_cannot(self, world, enquiry) -> None:
        for user in (world.strangers[Role.STATION_IC], world.user(Role.DISTRICT_HEAD)):
            with pytest.raises(PermissionDenied):
                _fir(enquiry, user)


class TestArrest:
    def test_an_arrest_under_one_of_the_firs_sections(self, enquiry, ic) -> None:
        _fir(enquiry, ic)
        arrest = casework.record_arrest(
            complaint=enquiry,
            by=ic,
            accused_role="youth of the locality",
            accused_description="Accused Kallu",
            arrested_on=timezone.localdate(),
            section="78",
            arrested_by=ic,
        )
        assert arrest.fir == enquiry.fir
        note = enquiry.events.get(kind="arrest").note
        assert "youth of the locality" in note and "Kallu" not in note
        audit = AuditEvent.objects.get(action="complaints.arrest.recorded")
        assert "Kallu" not in f"{audit.target_repr} {audit.data}"

    def test_without_an_fir_nothing_is_recorded(self, enquiry, ic) -> None:
        with pytest.raises(ValidationError):
            casework.record_arrest(
                complaint=enquiry,
                by=ic,
                accused_role="husband",
                arrested_on=timezone.localdate(),
                section="85",
                arrested_by=ic,
            )
        assert Arrest.objects.count() == 0

    def test_bad_values_get_field_errors(self, world, enquiry, ic) -> None:
        _fir(enquiry, ic)
        with pytest.raises(ValidationError) as caught:
            casework.record_arrest(
                complaint=enquiry,
                by=ic,
                accused_role=" ",
                arrested_on=timezone.localdate() + dt.timedelta(days=1),
                section="85",  # a real section, but not one of this FIR's
                arrested_by=world.strangers[Role.STATION_OFFICER],
            )
        assert set(caught.value.message_dict) == {
            "accused_role",
            "arrested_on",
            "section",
            "arrested_by",
        }
        assert Arrest.objects.count() == 0


class TestFirCorrection:
    """An FIR's details can be corrected, and its sections altered as the investigation
    finds, with a reason; the arrests stay consistent and the timeline says what changed."""

    def _correct(self, complaint, by, reason="Sections altered on investigation", **changes):  # type: ignore[no-untyped-def]
        return casework.correct_fir(
            complaint=complaint, by=by, reason=reason, **fir_values(**changes)
        )

    def test_sections_altered_with_a_reason_are_on_the_timeline_and_in_the_audit(
        self, enquiry, ic
    ) -> None:
        _fir(enquiry, ic)
        fir = self._correct(enquiry, ic, bns_sections="78, 351(2), 74")
        assert fir.bns_sections == ["78", "351(2)", "74"]
        event = enquiry.events.get(kind="fir_corrected")
        assert "78, 351(2) → 78, 351(2), 74" in event.note
        assert "Sections altered on investigation" in event.note
        audit = AuditEvent.objects.get(action="complaints.fir.corrected")
        assert audit.data["before"] == {"bns_sections": "78, 351(2)"}
        assert audit.data["after"] == {"bns_sections": "78, 351(2), 74"}

    def test_a_mistyped_number_is_corrected_with_its_cctns_number(self, enquiry, ic) -> None:
        _fir(enquiry, ic)
        fir = self._correct(enquiry, ic, serial=132, reason="Typing mistake")
        year = timezone.localdate().year
        assert (fir.fir_number, fir.cctns_number) == (f"0132/{year}", f"14410001{year}00132")
        assert "0123/" in enquiry.events.get(kind="fir_corrected").note

    def test_the_same_checks_as_recording_it_apply(self, enquiry, ic) -> None:
        _fir(enquiry, ic)
        with pytest.raises(ValidationError) as caught:
            self._correct(enquiry, ic, serial=132, cctns_number="14410001202600123")
        assert "cctns_number" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            self._correct(enquiry, ic, bns_sections="78, 999")
        assert "bns_sections" in caught.value.message_dict
        assert FirRegistration.objects.get().bns_sections == ["78", "351(2)"]

    def test_a_reason_is_needed_and_a_correction_must_change_something(self, enquiry, ic) -> None:
        _fir(enquiry, ic)
        with pytest.raises(ValidationError) as caught:
            self._correct(enquiry, ic, reason="  ", bns_sections="78")
        assert "reason" in caught.value.message_dict
        with pytest.raises(ValidationError, match="Nothing differs"):
            self._correct(enquiry, ic)
        assert not enquiry.events.filter(kind="fir_corrected").exists()

    def test_a_section_with_an_arrest_under_it_stays(self, enquiry, ic) -> None:
        _fir(enquiry, ic)
        casework.record_arrest(
            complaint=enquiry, by=ic, accused_role="neighbour", accused_description="",
            arrested_on=timezone.localdate(), section="351(2)", arrested_by=ic,
        )  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            self._correct(enquiry, ic, bns_sections="78")
        assert "351(2)" in caught.value.message_dict["bns_sections"][0]
        assert self._correct(enquiry, ic, bns_sections="351(2), 74").bns_sections == [
            "351(2)",
            "74",
        ]

    def test_the_registration_cannot_move_after_an_arrest(self, world, ic) -> None:
        today = timezone.localdate()
        enquiry = complaint_under_enquiry(station=world.station, ic=ic)
        Complaint.objects.filter(pk=enquiry.pk).update(
            created_at=timezone.now() - dt.timedelta(days=5)
        )
        enquiry.refresh_from_db()
        _fir(enquiry, ic, registered_on=today - dt.timedelta(days=3))
        casework.record_arrest(
            complaint=enquiry, by=ic, accused_role="neighbour", accused_description="",
            arrested_on=today - dt.timedelta(days=2), section="78", arrested_by=ic,
        )  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            self._correct(enquiry, ic, registered_on=today)
        assert "registered_on" in caught.value.message_dict

    def test_another_complaints_fir_number_is_refused(self, world, enquiry, ic) -> None:
        _fir(enquiry, ic)
        other = complaint_under_enquiry(station=world.station, ic=ic)
        _fir(other, ic, serial=200)
        with pytest.raises(ValidationError) as caught:
            self._correct(other, ic, serial=123, reason="Typing mistake")
        assert "already recorded" in caught.value.message_dict["fir_number"][0]
        assert FirRegistration.objects.get(complaint=other).fir_number.startswith("0200/")

    def test_without_an_fir_or_by_a_stranger_nothing_happens(self, world, enquiry, ic) -> None:
        with pytest.raises(ValidationError, match="no FIR"):
            self._correct(enquiry, ic)
        _fir(enquiry, ic)
        with pytest.raises(PermissionDenied):
            self._correct(enquiry, world.strangers[Role.STATION_IC], bns_sections="78")
        assert FirRegistration.objects.get().bns_sections == ["78", "351(2)"]


class TestReferral:
    def test_a_referral_and_its_follow_up_are_on_the_timeline(self, enquiry, ic) -> None:
        today = timezone.localdate()
        referral = casework.refer(
            complaint=enquiry,
            by=ic,
            kind="one_stop_centre",
            referred_on=today,
            follow_up_on=today + dt.timedelta(days=7),
        )
        assert referral.follow_up_outcome == "pending"
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="supported", followed_up_on=today, notes="Seen"
        )
        referral.refresh_from_db()
        assert (referral.follow_up_outcome, referral.followed_up_on) == ("supported", today)
        assert list(
            enquiry.events.filter(kind__in=["referral", "follow_up"]).values_list("kind", flat=True)
        ) == ["referral", "follow_up"]

    def test_bad_values_save_nothing(self, enquiry, ic) -> None:
        today = timezone.localdate()
        with pytest.raises(ValidationError) as caught:
            casework.refer(
                complaint=enquiry,
                by=ic,
                kind="astrologer",
                referred_on=today + dt.timedelta(days=1),
                follow_up_on=today,
            )
        assert {"kind", "referred_on", "follow_up_on"} <= set(caught.value.message_dict)
        with pytest.raises(ValidationError):
            casework.refer(
                complaint=enquiry, by=ic, kind="medical", referred_on=today, follow_up_on=None
            )
        assert Referral.objects.count() == 0

    def test_a_follow_up_needs_an_outcome_other_than_pending(self, enquiry, ic) -> None:
        today = timezone.localdate()
        referral = casework.refer(
            complaint=enquiry, by=ic, kind="medical", referred_on=today, follow_up_on=today
        )
        with pytest.raises(ValidationError) as caught:
            casework.follow_up_referral(
                referral=referral, by=ic, outcome="pending", followed_up_on=today
            )
        assert "outcome" in caught.value.message_dict


class TestReferralFollowUps:
    """Follow-ups are a history: support in progress, or a victim not reached, is followed up
    again on a date the officer sets; support received or declined ends it."""

    @pytest.fixture
    def referral(self, enquiry, ic):  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        return casework.refer(
            complaint=enquiry,
            by=ic,
            kind="legal_aid",
            referred_on=today - dt.timedelta(days=10),
            follow_up_on=today - dt.timedelta(days=3),
        )

    def test_in_progress_sets_the_next_follow_up_and_keeps_the_history(self, referral, ic) -> None:
        today = timezone.localdate()
        casework.follow_up_referral(
            referral=referral,
            by=ic,
            outcome="in_progress",
            followed_up_on=today - dt.timedelta(days=2),
            notes="DLSA lawyer assigned, first hearing pending",
            next_follow_up_on=today + dt.timedelta(days=5),
        )
        referral.refresh_from_db()
        assert referral.follow_up_outcome == "in_progress"
        assert referral.follow_up_on == today + dt.timedelta(days=5)
        assert not referral.follow_up_done
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="not_reached", followed_up_on=today,
            next_follow_up_on=today + dt.timedelta(days=2),
        )  # fmt: skip
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="supported", followed_up_on=today, notes="Heard"
        )
        referral.refresh_from_db()
        assert referral.follow_up_done
        assert referral.follow_up_on == today + dt.timedelta(days=2)  # the last one set
        history = list(referral.follow_ups.values_list("outcome", "next_follow_up_on", "notes"))
        assert history == [
            (
                "in_progress",
                today + dt.timedelta(days=5),
                "DLSA lawyer assigned, first hearing pending",
            ),
            ("not_reached", today + dt.timedelta(days=2), ""),
            ("supported", None, "Heard"),
        ]
        notes = list(
            referral.complaint.events.filter(kind="follow_up").values_list("note", flat=True)
        )
        assert len(notes) == 3 and "next follow-up" in notes[0] and "next" not in notes[2]

    def test_a_completed_follow_up_takes_no_more(self, referral, ic) -> None:
        today = timezone.localdate()
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="declined", followed_up_on=today
        )
        with pytest.raises(ValidationError, match="complete"):
            casework.follow_up_referral(
                referral=referral, by=ic, outcome="supported", followed_up_on=today
            )
        assert referral.follow_ups.count() == 1

    @pytest.mark.parametrize("outcome", ["in_progress", "not_reached"])
    def test_an_unsettled_outcome_needs_a_next_date_from_today(self, referral, ic, outcome) -> None:
        today = timezone.localdate()
        with pytest.raises(ValidationError) as missing:
            casework.follow_up_referral(
                referral=referral, by=ic, outcome=outcome, followed_up_on=today
            )
        assert "next_follow_up_on" in missing.value.message_dict
        with pytest.raises(ValidationError) as past:
            casework.follow_up_referral(
                referral=referral, by=ic, outcome=outcome, followed_up_on=today,
                next_follow_up_on=today - dt.timedelta(days=1),
            )  # fmt: skip
        assert "next_follow_up_on" in past.value.message_dict
        referral.refresh_from_db()
        assert referral.follow_up_outcome == "pending"
        assert referral.follow_ups.count() == 0

    def test_a_final_outcome_ignores_a_next_date(self, referral, ic) -> None:
        today = timezone.localdate()
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="supported", followed_up_on=today,
            next_follow_up_on=today + dt.timedelta(days=9),
        )  # fmt: skip
        assert referral.follow_ups.get().next_follow_up_on is None

    def test_a_follow_up_cannot_be_dated_before_the_previous_one(self, referral, ic) -> None:
        today = timezone.localdate()
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="not_reached", followed_up_on=today,
            next_follow_up_on=today,
        )  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            casework.follow_up_referral(
                referral=referral, by=ic, outcome="supported",
                followed_up_on=today - dt.timedelta(days=1),
            )  # fmt: skip
        assert "followed_up_on" in caught.value.message_dict
        assert referral.follow_ups.count() == 1

    def test_due_referrals_are_the_users_unsettled_ones_whose_date_has_come(
        self, world, referral, ic
    ) -> None:
        today = timezone.localdate()
        later = casework.refer(
            complaint=referral.complaint, by=ic, kind="medical",
            referred_on=today, follow_up_on=today + dt.timedelta(days=4),
        )  # fmt: skip
        other_ic = world.strangers[Role.STATION_IC]
        theirs = complaint_under_enquiry(station=world.other_station, ic=other_ic)
        casework.refer(
            complaint=theirs, by=other_ic, kind="shelter",
            referred_on=today, follow_up_on=today,
        )  # fmt: skip
        due = casework_selectors.referrals_due(user=ic)
        assert list(due) == [referral]
        assert list(casework_selectors.referrals_due(user=ic, until=later.follow_up_on)) == [
            referral,
            later,
        ]
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="supported", followed_up_on=today
        )
        assert list(casework_selectors.referrals_due(user=ic)) == []

    def test_the_migration_turns_recorded_follow_ups_into_history(
        self, referral, enquiry, ic
    ) -> None:
        from django.apps import apps

        migration = importlib.import_module("complaints.migrations.0007_referral_follow_ups")
        today = timezone.localdate()
        followed = today - dt.timedelta(days=2)
        Referral.objects.filter(pk=referral.pk).update(
            follow_up_outcome="in_progress", followed_up_on=followed, follow_up_notes="Called"
        )
        settled = casework.refer(
            complaint=enquiry, by=ic, kind="medical", referred_on=followed, follow_up_on=followed
        )
        Referral.objects.filter(pk=settled.pk).update(
            follow_up_outcome="supported", followed_up_on=today
        )
        untouched = casework.refer(
            complaint=enquiry, by=ic, kind="shelter", referred_on=today, follow_up_on=today
        )
        migration.copy_recorded_follow_ups(apps, None)
        referral.refresh_from_db()
        assert referral.follow_up_on == followed + migration.RECHECK_AFTER
        assert list(referral.follow_ups.values_list("outcome", "notes", "next_follow_up_on")) == [
            ("in_progress", "Called", followed + migration.RECHECK_AFTER)
        ]
        assert list(settled.follow_ups.values_list("outcome", "next_follow_up_on")) == [
            ("supported", None)
        ]
        assert not untouched.follow_ups.exists()


class TestClosure:
    def test_closing_with_summary_and_feedback(self, enquiry, ic) -> None:
        closure = casework.close_complaint(
            complaint=enquiry,
            by=ic,
            summary="Accused warned; complainant satisfied.",
            feedback="partly",
            feedback_remarks="Took long",
        )
        enquiry.refresh_from_db()
        assert enquiry.status == "closed" and enquiry.closed_at is not None
        assert closure.get_feedback_display() == "Partly satisfied"
        event = enquiry.events.get(kind="closed")
        assert (event.from_status, event.to_status) == ("under_enquiry", "closed")

    @pytest.mark.parametrize(
        ("summary", "feedback", "field"),
        [(" ", "satisfied", "summary"), ("Done", "delighted", "feedback")],
    )
    def test_closing_needs_a_summary_and_a_known_feedback(
        self, enquiry, ic, summary, feedback, field
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            casework.close_complaint(complaint=enquiry, by=ic, summary=summary, feedback=feedback)
        assert field in caught.value.message_dict
        enquiry.refresh_from_db()
        assert enquiry.status == "under_enquiry"
        assert ComplaintClosure.objects.count() == 0

    def test_a_received_complaint_cannot_be_closed(self, world, ic) -> None:
        fresh = make_complaint(station=world.station, by=ic)
        with pytest.raises(ValidationError):
            casework.close_complaint(complaint=fresh, by=ic, summary="x", feedback="satisfied")

    def test_closing_through_the_status_machine_needs_a_summary_too(self, enquiry, ic) -> None:
        with pytest.raises(ValidationError) as caught:
            services.change_status(complaint=enquiry, status="closed", by=ic)
        assert "note" in caught.value.message_dict
        services.change_status(complaint=enquiry, status="closed", by=ic, note="Settled")
        assert enquiry.closure.summary == "Settled"
        assert enquiry.closure.feedback == "not_given"


def test_no_casework_audit_or_timeline_text_carries_the_victims_name(enquiry, ic) -> None:
    today = timezone.localdate()
    _fir(enquiry, ic)
    casework.record_arrest(
        complaint=enquiry,
        by=ic,
        accused_role="neighbour",
        arrested_on=today,
        section="78",
        arrested_by=ic,
    )
    casework.refer(
        complaint=enquiry, by=ic, kind="legal_aid", referred_on=today, follow_up_on=today
    )
    casework.close_complaint(
        complaint=enquiry, by=ic, summary="Charge sheet filed.", feedback="satisfied"
    )
    for event in AuditEvent.objects.all():
        assert PLANTED_NAME not in f"{event.target_repr} {event.data}"
    assert all(PLANTED_NAME not in e.note for e in enquiry.events.all())
