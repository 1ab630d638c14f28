"""The anti-Romeo register: rules of recording, and counts that come out right from mixed rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.models import Role
from complaints import enforcement_services as services
from complaints import selectors
from complaints.models import PersonOutcome, RomeoAction, RomeoCase, RomeoPerson
from stations.models import Station
from tests.factories.complaints import RomeoActionFactory, RomeoCaseFactory
from tests.factories.fieldwork import HotspotFactory

pytestmark = pytest.mark.django_db

P = services.PersonInput


def _record(world, kind: str, *, station=None, days_ago: int = 1, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("place", "Girls' college gate")
    return services.record_romeo_action(
        station=station or world.station,
        acted_on=timezone.localdate() - timedelta(days=days_ago),
        squad="Anti-Romeo squad 1",
        action_type=kind,
        by=world.user(Role.SHAKTI_INCHARGE)
        if station in (None, world.station)
        else kwargs.pop("by"),
        **kwargs,
    )


@pytest.fixture
def mixed(world):  # type: ignore[no-untyped-def]
    """Two FIRs (one with accused arrested on the spot and later), arrests, preventive action
    by section, warnings; plus rows at a sibling station and rows outside the period."""
    case_a = _record(
        world,
        "case_registered",
        days_ago=20,
        case=services.CaseInput(fir_number="12/2026", bns_sections="78"),
        persons=[P(name="A1"), P(name="A2")],
    )
    case_b = _record(world, "case_registered", days_ago=15, case=services.CaseInput("0013/2026"))
    _record(world, "accused_arrested", days_ago=10, existing_case=case_b.case, persons=[P("B1")])
    _record(world, "accused_arrested", days_ago=5, existing_case=case_a.case, persons=[P("A3")])
    _record(
        world,
        "preventive",
        days_ago=8,
        persons=[P(bnss_section="126"), P(bnss_section="135"), P(bnss_section="170")],
    )
    _record(world, "preventive", days_ago=3, persons=[P(bnss_section="126")] * 2)
    _record(world, "warned", days_ago=2, persons=[P(parents_present=True)] * 2)
    # Outside the period: 100 days ago.
    _record(
        world,
        "case_registered",
        days_ago=100,
        case=services.CaseInput("0001/2026"),
        persons=[P("old")],
    )
    _record(world, "preventive", days_ago=100, persons=[P(bnss_section="170")])
    # Another station of the same district.
    _record(
        world,
        "preventive",
        station=world.sibling_station,
        by=world.user(Role.DISTRICT_HEAD),
        persons=[P(bnss_section="135")],
    )
    return world


class TestCounting:
    def test_cases_accused_and_detained_by_section_come_out_right(self, mixed) -> None:
        period = {
            "date_from": timezone.localdate() - timedelta(days=30),
            "date_to": timezone.localdate(),
        }
        rows = {
            r.code: r
            for r in selectors.enforcement_totals(user=mixed.user(Role.DISTRICT_HEAD), **period)
        }
        ours = rows["VNS-A"]
        assert ours.cases_registered == 2  # two distinct FIRs
        assert ours.accused_arrested == 4  # A1, A2 on the spot, B1 and A3 later
        assert (ours.detained_126, ours.detained_135, ours.detained_170) == (3, 1, 1)
        assert ours.detained_total == 5
        assert ours.warned == 2
        assert ours.actions == 7
        assert (rows["VNS-B"].detained_135, rows["VNS-B"].detained_total) == (1, 1)

    def test_without_a_period_everything_counts(self, mixed) -> None:
        ours = selectors.enforcement_totals(user=mixed.user(Role.DISTRICT_HEAD)).get(code="VNS-A")
        assert (ours.cases_registered, ours.accused_arrested, ours.detained_total) == (3, 5, 6)

    def test_a_case_with_several_accused_is_still_one_case(self, world) -> None:
        action = _record(
            world,
            "case_registered",
            case=services.CaseInput("0099/2026"),
            persons=[P("x"), P("y"), P("z")],
        )
        row = selectors.enforcement_totals(user=world.user(Role.STATION_IC)).get()
        assert (row.cases_registered, row.accused_arrested) == (1, 3)
        assert action.case.accused.count() == 3

    def test_the_station_user_sees_only_their_station(self, mixed) -> None:
        rows = selectors.enforcement_totals(user=mixed.user(Role.STATION_IC))
        assert [r.code for r in rows] == ["VNS-A"]
        assert (
            list(
                selectors.enforcement_totals(user=mixed.strangers[Role.DISTRICT_HEAD]).filter(
                    code__startswith="VNS"
                )
            )
            == []
        )

    def test_stations_narrow_but_never_widen_the_scope(self, mixed) -> None:
        rows = selectors.enforcement_totals(
            user=mixed.user(Role.STATION_IC), stations=Station.objects.all()
        )
        assert [r.code for r in rows] == ["VNS-A"]

    def test_the_totals_are_one_query_however_many_rows(
        self, mixed, django_assert_num_queries
    ) -> None:
        user = mixed.user(Role.STATE_HQ)
        access.active_postings(user)  # the user's postings are read once per request
        with django_assert_num_queries(1):
            rows = list(selectors.enforcement_totals(user=user))
        assert len(rows) == 3

    def test_summary_adds_up_the_rows(self, mixed) -> None:
        summary = selectors.summarize_enforcement(
            selectors.enforcement_totals(user=mixed.user(Role.DISTRICT_HEAD))
        )
        assert (summary.cases_registered, summary.accused_arrested) == (3, 5)
        assert summary.detained_total == 7


class TestRecording:
    def test_fir_numbers_are_normalised_and_unique_per_station(self, world) -> None:
        first = _record(world, "case_registered", case=services.CaseInput(" 123 / 2026"))
        assert first.case.fir_number == "0123/2026"
        with pytest.raises(ValidationError) as exc:
            _record(world, "case_registered", case=services.CaseInput("0123/2026"))
        assert "already in the register" in str(exc.value.message_dict["fir_number"])
        assert RomeoAction.objects.count() == 1

    def test_the_same_fir_number_may_exist_at_another_station(self, world) -> None:
        _record(world, "case_registered", case=services.CaseInput("0007/2026"))
        _record(
            world,
            "case_registered",
            station=world.sibling_station,
            by=world.user(Role.DISTRICT_HEAD),
            case=services.CaseInput("0007/2026"),
        )
        assert RomeoCase.objects.count() == 2

    @pytest.mark.parametrize("fir", ["", "abc", "12-2026", "12/26", "1234567/2026", "5/1850"])
    def test_a_malformed_fir_number_is_refused(self, world, fir: str) -> None:
        with pytest.raises(ValidationError) as exc:
            _record(world, "case_registered", case=services.CaseInput(fir))
        assert "fir_number" in exc.value.message_dict
        assert not RomeoAction.objects.exists()

    def test_preventive_action_needs_a_section_for_every_person(self, world) -> None:
        with pytest.raises(ValidationError) as exc:
            _record(world, "preventive", persons=[P(bnss_section="126"), P()])
        assert "126, 135 or 170" in str(exc.value)
        assert not RomeoPerson.objects.exists()

    def test_an_arrest_needs_an_fir_of_the_same_station_registered_before(self, world) -> None:
        foreign = RomeoCaseFactory(action__station=world.sibling_station)
        with pytest.raises(ValidationError, match="another police station"):
            _record(world, "accused_arrested", existing_case=foreign, persons=[P()])
        later = _record(world, "case_registered", days_ago=1, case=services.CaseInput("5/2026"))
        with pytest.raises(ValidationError, match="before the FIR"):
            _record(world, "accused_arrested", days_ago=3, existing_case=later.case, persons=[P()])
        with pytest.raises(ValidationError):
            _record(world, "accused_arrested", persons=[P()])  # no FIR at all

    def test_warned_and_arrest_actions_need_persons(self, world) -> None:
        with pytest.raises(ValidationError, match="at least one person"):
            _record(world, "warned")

    def test_a_hotspot_of_another_station_is_refused(self, world) -> None:
        elsewhere = HotspotFactory(station=world.sibling_station)
        with pytest.raises(ValidationError, match="another police station"):
            _record(world, "warned", hotspot=elsewhere, persons=[P()])

    def test_a_hotspot_replaces_the_free_text_place(self, world) -> None:
        hotspot = HotspotFactory(station=world.station)
        action = _record(world, "warned", hotspot=hotspot, place="ignored", persons=[P()])
        assert (action.place, action.place_label) == ("", hotspot.name)

    def test_a_future_date_is_refused(self, world) -> None:
        with pytest.raises(ValidationError, match="future"):
            _record(world, "warned", days_ago=-1, persons=[P()])

    def test_the_same_submission_twice_records_once(self, world) -> None:
        token = uuid.uuid4()
        first = _record(world, "preventive", persons=[P(bnss_section="126")], client_token=token)
        second = _record(world, "preventive", persons=[P(bnss_section="126")], client_token=token)
        assert first.pk == second.pk
        assert RomeoPerson.objects.count() == 1

    @pytest.mark.parametrize("role", [Role.CYBER_CELL, Role.NGO_COORDINATOR])
    def test_roles_without_field_work_may_not_record(self, world, role) -> None:
        with pytest.raises(PermissionDenied):
            services.record_romeo_action(
                station=world.station,
                acted_on=timezone.localdate(),
                squad="x",
                action_type="warned",
                place="y",
                persons=[P()],
                by=world.user(role),
            )

    def test_a_stranger_may_not_record_at_our_station(self, world) -> None:
        with pytest.raises(PermissionDenied):
            services.record_romeo_action(
                station=world.station,
                acted_on=timezone.localdate(),
                squad="x",
                action_type="warned",
                place="y",
                persons=[P()],
                by=world.strangers[Role.STATION_IC],
            )

    def test_recording_writes_one_audit_event(self, world) -> None:
        from accounts.models import AuditEvent

        action = _record(world, "warned", persons=[P()])
        event = AuditEvent.objects.get(action="complaints.romeo_action.recorded")
        assert event.target_id == str(action.pk)
        assert event.station_id == world.station.pk


class TestDatabaseInvariants:
    def test_an_arrested_person_without_a_case_is_refused(self, world) -> None:
        action = RomeoActionFactory(station=world.station, action_type="accused_arrested")
        with pytest.raises(IntegrityError), transaction.atomic():
            RomeoPerson.objects.create(action=action, outcome=PersonOutcome.ARRESTED)

    def test_a_detained_person_needs_one_of_the_three_sections(self, world) -> None:
        action = RomeoActionFactory(station=world.station)
        with pytest.raises(IntegrityError), transaction.atomic():
            RomeoPerson.objects.create(action=action, outcome="detained", bnss_section="107")

    def test_an_action_needs_a_place(self, world) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            RomeoActionFactory(station=world.station, place="  ")
