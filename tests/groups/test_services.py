"""Group services: decisions, seats and the waiting list, invites, conduct, exports, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import AuditEvent, Role
from broadcasts import demo as broadcasts_demo
from broadcasts import sending
from broadcasts.models import Delivery, DeliveryStatus, MessageTemplate, SandboxMessage
from groups import services, texts
from groups.models import (
    NOMINATION_TRANSITIONS,
    CommunityGroup,
    ExclusionCategory,
    ExclusionEntry,
    GroupKind,
    IncidentKind,
    MembershipStatus,
    Nomination,
    NominationStatus,
)
from groups.services import ExclusionRequest, GroupsError, NotAllowed
from people.models import Citizen, ConsentSource
from people.phones import InvalidPhone
from tests.factories.groups import ExclusionEntryFactory, GroupFactory, NominatorFactory

pytestmark = pytest.mark.django_db


def _approve(nomination: Nomination, by) -> services.Decision:  # type: ignore[no-untyped-def]
    return services.approve_nomination(nomination=nomination, by=by)


class TestStatusMachine:
    def test_every_state_and_its_successors_are_declared_in_one_place(self) -> None:
        assert set(NOMINATION_TRANSITIONS) == set(NominationStatus.values)
        assert NOMINATION_TRANSITIONS["submitted"] == {"screened"}
        assert NOMINATION_TRANSITIONS["screened"] == {"approved", "rejected", "waitlisted"}
        assert NOMINATION_TRANSITIONS["approved"] == frozenset()
        assert NOMINATION_TRANSITIONS["rejected"] == frozenset()

    def test_a_new_nomination_is_screened_at_once(self, group, nominate) -> None:
        nomination = nominate(group)
        assert nomination.status == NominationStatus.SCREENED
        assert nomination.screened_at is not None

    def test_a_rejected_nomination_cannot_be_approved(self, group, nominate, ic) -> None:
        nomination = nominate(group)
        services.reject_nomination(nomination=nomination, by=ic, reason="Lives elsewhere.")
        with pytest.raises(GroupsError) as error:
            _approve(nomination, ic)
        assert error.value.code == "invalid_transition"

    def test_an_approved_nomination_cannot_be_rejected(
        self, group, nominate, ic, templates
    ) -> None:
        nomination = nominate(group)
        _approve(nomination, ic)
        with pytest.raises(GroupsError):
            services.reject_nomination(nomination=nomination, by=ic, reason="Changed my mind")

    def test_rejection_needs_a_reason(self, group, nominate, ic) -> None:
        nomination = nominate(group)
        with pytest.raises(GroupsError) as error:
            services.reject_nomination(nomination=nomination, by=ic, reason="  ")
        assert error.value.code == "reason_required"
        nomination.refresh_from_db()
        assert nomination.status == NominationStatus.SCREENED

    def test_the_database_refuses_a_rejection_without_reason(self, group, nominate, ic) -> None:
        nomination = nominate(group)
        with pytest.raises(IntegrityError), transaction.atomic():
            Nomination.objects.filter(pk=nomination.pk).update(
                status="rejected", decided_by=ic, decided_at=timezone.now()
            )

    def test_the_re_vetting_date_is_set_on_approval(
        self, group, nominate, ic, templates, settings
    ) -> None:
        settings.GROUPS_REVET_AFTER_DAYS = 180
        first = nominate(group)
        _approve(first, ic)
        first.refresh_from_db()
        assert first.revet_on == timezone.localdate() + dt.timedelta(days=180)
        chosen = timezone.localdate() + dt.timedelta(days=30)
        second = nominate(group)
        services.approve_nomination(nomination=second, by=ic, revet_on=chosen)
        second.refresh_from_db()
        assert second.revet_on == chosen

    def test_a_re_vetting_date_in_the_past_is_refused(self, group, nominate, ic) -> None:
        with pytest.raises(GroupsError):
            services.approve_nomination(
                nomination=nominate(group), by=ic, revet_on=timezone.localdate()
            )


class TestWhoDecides:
    def test_the_ic_and_listed_officers_decide(self, group, nominate, ic, officer, templates):  # type: ignore[no-untyped-def]
        assert _approve(nominate(group), ic).outcome == "approved"
        assert _approve(nominate(group), officer).outcome == "approved"

    def test_an_officer_not_listed_as_admin_cannot_decide(
        self, world, nominate, ic, officer
    ) -> None:
        group = GroupFactory(station=world.station, admins=[ic])
        nomination = nominate(group)
        with pytest.raises(NotAllowed):
            _approve(nomination, officer)
        with pytest.raises(NotAllowed):
            services.reject_nomination(nomination=nomination, by=officer, reason="x")

    @pytest.mark.parametrize(
        "role", [Role.DISTRICT_HEAD, Role.CYBER_CELL, Role.STATE_HQ, Role.SHAKTI_INCHARGE]
    )
    def test_overseers_and_other_roles_cannot_decide(self, world, group, nominate, role) -> None:
        with pytest.raises(NotAllowed):
            _approve(nominate(group), world.user(role))

    def test_a_listed_admin_who_was_posted_away_loses_the_right(
        self, world, group, nominate, officer
    ) -> None:
        officer.postings.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
        with pytest.raises(NotAllowed):
            _approve(nominate(group), officer)

    def test_an_ic_of_another_station_cannot_decide(self, world, group, nominate) -> None:
        stranger = world.strangers[Role.STATION_IC]
        with pytest.raises(NotAllowed):
            _approve(nominate(group), stranger)

    def test_shakti_incharge_nominates_for_womens_groups_only(self, world, nominate) -> None:
        shakti = world.user(Role.SHAKTI_INCHARGE)
        women = GroupFactory(station=world.station, kind=GroupKind.WOMEN_SAFETY)
        traders = GroupFactory(station=world.station, kind=GroupKind.TRADERS)
        assert nominate(women, by=shakti).recorded_by == shakti
        with pytest.raises(NotAllowed):
            nominate(traders, by=shakti)

    def test_a_cyber_cell_user_cannot_nominate(self, world, group, nominate) -> None:
        with pytest.raises(NotAllowed):
            nominate(group, by=world.user(Role.CYBER_CELL))


class TestNominations:
    def test_a_volunteers_nomination_records_the_volunteer(self, world, group, nominate) -> None:
        nomination = nominate(
            group,
            source="civic_volunteer",
            nominator_details=services.NominatorDetails(
                kind="civic_volunteer", name="মিঠু সাহা", phone="94340 12345"
            ),
        )
        assert nomination.nominator.phone == "+919434012345"
        again = nominate(group, source="civic_volunteer", nominator=nomination.nominator)
        assert again.nominator == nomination.nominator

    def test_a_volunteers_nomination_needs_the_volunteer(self, group, nominate) -> None:
        with pytest.raises(GroupsError):
            nominate(group, source="party_representative")

    def test_a_nominator_of_another_district_is_refused(self, world, group, nominate) -> None:
        foreign = NominatorFactory(station=world.other_station)
        with pytest.raises(GroupsError):
            nominate(group, source="civic_volunteer", nominator=foreign)

    def test_an_invalid_phone_is_refused_with_the_reason(self, group, nominate) -> None:
        with pytest.raises(InvalidPhone) as error:
            nominate(group, phone="12345")
        assert error.value.problem == "invalid"
        with pytest.raises(InvalidPhone) as error:
            nominate(group, phone="0342 2200101")
        assert error.value.problem == "landline"
        assert Nomination.objects.count() == 0

    def test_the_same_person_cannot_wait_twice_for_a_group(self, group, nominate) -> None:
        nominate(group, phone="9876500001")
        with pytest.raises(GroupsError) as error:
            nominate(group, phone="+91 98765 00001")
        assert error.value.code == "duplicate"
        assert Nomination.objects.count() == 1

    def test_a_member_cannot_be_nominated_again(self, group, nominate, ic, templates) -> None:
        _approve(nominate(group, phone="9876500002"), ic)
        with pytest.raises(GroupsError) as error:
            nominate(group, phone="9876500002")
        assert error.value.code == "already_member"

    def test_a_closed_group_takes_no_nominations(self, group, nominate) -> None:
        CommunityGroup.objects.filter(pk=group.pk).update(is_active=False)
        group.refresh_from_db()
        with pytest.raises(GroupsError):
            nominate(group)


class TestApproval:
    def test_approval_makes_a_consenting_citizen_a_member_and_queues_the_invite(
        self, world, group, nominate, ic, templates
    ) -> None:
        nomination = nominate(
            group, name="সুমিতা দাস", phone="9876500003", nominee_locality="Poramatala"
        )
        decision = _approve(nomination, ic)
        citizen = Citizen.objects.get(phone="+919876500003")
        assert citizen.consent_source == ConsentSource.GROUP_NOMINATION
        assert citizen.station == world.station
        assert citizen.preferred_language == "bn"
        membership = decision.membership
        assert membership.citizen == citizen and membership.status == MembershipStatus.ACTIVE
        assert membership.invite_delivery.status == DeliveryStatus.PENDING
        assert membership.invite_delivery.parameters == [
            "সুমিতা দাস",
            world.station.name,
            group.name,
            group.invite_link,
        ]
        group.refresh_from_db()
        assert group.seats_taken == 1 and group.seats_left == 4

    def test_no_citizen_record_exists_before_approval(self, group, nominate) -> None:
        nominate(group, phone="9876500004")
        assert not Citizen.objects.filter(phone="+919876500004").exists()

    def test_the_invite_is_really_sent_in_the_members_language(
        self, group, nominate, ic, templates
    ) -> None:
        decision = _approve(nominate(group, name="রুমা বিশ্বাস"), ic)
        sending.run_sender(broadcast_id=None, time_budget=5)
        message = SandboxMessage.objects.get()
        assert message.language == "bn"
        assert "রুমা বিশ্বাস" in message.body and group.invite_link in message.body
        decision.membership.invite_delivery.refresh_from_db()
        assert decision.membership.invite_delivery.status in {
            DeliveryStatus.SENT,
            DeliveryStatus.DELIVERED,
            DeliveryStatus.READ,
        }

    def test_an_unapproved_template_keeps_the_approval_and_the_invite_can_be_sent_later(
        self, group, nominate, ic
    ) -> None:
        decision = _approve(nominate(group), ic)
        assert decision.outcome == "approved"
        assert decision.invite_problem == "template_not_approved"
        membership = decision.membership
        membership.refresh_from_db()
        assert membership.invite_delivery is None
        assert membership.invite_error == "template_not_approved"
        assert "template" in services.invite_problem_text("template_not_approved")
        broadcasts_demo.seed_sandbox_templates()
        assert services.resend_invite(membership=membership, by=ic) == ""
        membership.refresh_from_db()
        assert membership.invite_delivery is not None and membership.invite_error == ""

    def test_a_group_without_invite_link_still_seats_the_member(
        self, world, nominate, ic, templates
    ) -> None:
        group = GroupFactory(station=world.station, invite_link="", admins=[ic])
        decision = _approve(nominate(group), ic)
        assert decision.outcome == "approved" and decision.invite_problem == "no_invite_link"
        assert not Delivery.objects.exists()

    def test_a_rejected_template_is_not_approved(self, group, nominate, ic, templates) -> None:
        MessageTemplate.objects.filter(name="community_group_invite").update(status="PAUSED")
        assert _approve(nominate(group), ic).invite_problem == "template_not_approved"


class TestCapacityAndWaitingList:
    def test_approving_beyond_capacity_waitlists(self, world, nominate, ic, templates) -> None:
        group = GroupFactory(station=world.station, capacity=2, admins=[ic])
        outcomes = [_approve(nominate(group), ic).outcome for _ in range(4)]
        assert outcomes == ["approved", "approved", "waitlisted", "waitlisted"]
        group.refresh_from_db()
        assert group.seats_taken == 2 == group.memberships.filter(status="active").count()
        assert group.nominations.filter(status="waitlisted").count() == 2

    def test_the_database_refuses_more_seats_than_capacity(self, group) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            CommunityGroup.objects.filter(pk=group.pk).update(seats_taken=F("capacity") + 1)

    def test_the_database_refuses_a_capacity_above_whatsapps_limit(self, group) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            CommunityGroup.objects.filter(pk=group.pk).update(capacity=1025)

    def _full_group_with_queue(self, world, nominate, ic):  # type: ignore[no-untyped-def]
        group = GroupFactory(station=world.station, capacity=1, admins=[ic])
        member = _approve(nominate(group, name="Member One"), ic).membership
        first = nominate(group, name="Waiting First")
        second = nominate(group, name="Waiting Second")
        _approve(first, ic)
        _approve(second, ic)
        return group, member, first, second

    def test_a_removal_seats_the_first_waiting_person_and_invites_them(
        self, world, nominate, ic, templates
    ) -> None:
        group, member, first, second = self._full_group_with_queue(world, nominate, ic)
        services.remove_member(membership=member, by=ic, reason="Touting on cases.")
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == NominationStatus.APPROVED
        assert first.membership.invite_delivery is not None
        assert second.status == NominationStatus.WAITLISTED
        group.refresh_from_db()
        assert group.seats_taken == 1
        assert AuditEvent.objects.filter(
            action="groups.nomination.promoted", target_id=str(first.pk)
        ).exists()

    def test_a_member_leaving_frees_the_seat_too(self, world, nominate, ic, templates) -> None:
        _group, member, first, _ = self._full_group_with_queue(world, nominate, ic)
        services.record_member_left(membership=member, by=ic)
        member.refresh_from_db()
        first.refresh_from_db()
        assert member.status == MembershipStatus.LEFT and member.ended_at is not None
        assert first.status == NominationStatus.APPROVED

    def test_a_waiting_person_now_on_the_register_is_passed_over(
        self, world, nominate, ic, templates
    ) -> None:
        _group, member, first, second = self._full_group_with_queue(world, nominate, ic)
        ExclusionEntryFactory(district=world.district, phones=[first.nominee_phone])
        services.remove_member(membership=member, by=ic, reason="Left the area.")
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == NominationStatus.WAITLISTED and first.is_blocked
        assert second.status == NominationStatus.APPROVED

    def test_a_waiting_person_is_seated_explicitly_when_a_seat_is_free(
        self, world, nominate, ic, templates
    ) -> None:
        _group, _member, first, _ = self._full_group_with_queue(world, nominate, ic)
        with pytest.raises(GroupsError) as error:
            _approve(first, ic)
        assert error.value.code == "full"

    def test_a_bigger_capacity_seats_the_waiting_list(self, world, nominate, ic, templates) -> None:
        group, _, first, second = self._full_group_with_queue(world, nominate, ic)
        services.update_group(
            group=group, by=ic, name=group.name, kind=group.kind, rules_text=group.rules,
            purpose="", capacity=3, invite_link=group.invite_link,
            accepts_applications=True, is_active=True, admins=[ic],
        )  # fmt: skip
        assert (
            Nomination.objects.filter(pk__in=[first.pk, second.pk], status="approved").count() == 2
        )

    def test_capacity_cannot_drop_below_the_members(self, world, nominate, ic, templates) -> None:
        group = GroupFactory(station=world.station, capacity=3, admins=[ic])
        _approve(nominate(group), ic)
        _approve(nominate(group), ic)
        with pytest.raises(GroupsError) as error:
            services.update_group(
                group=group, by=ic, name=group.name, kind=group.kind, rules_text=group.rules,
                purpose="", capacity=1, invite_link="", accepts_applications=False,
                is_active=True, admins=[],
            )  # fmt: skip
        assert error.value.code == "capacity_below_members"


class TestConduct:
    @pytest.fixture
    def member(self, group, nominate, ic, templates):  # type: ignore[no-untyped-def]
        return _approve(nominate(group, name="Pinki Ghosh"), ic).membership

    def _log(self, member, by, kind=IncidentKind.GREETING_SPAM):  # type: ignore[no-untyped-def]
        return services.log_incident(
            membership=member, by=by, kind=kind, occurred_on=timezone.localdate()
        )

    def test_each_incident_is_a_numbered_strike_with_a_ready_warning(self, member, ic) -> None:
        member.citizen.preferred_language = "en"  # the wording checked below is the English one
        member.citizen.save(update_fields=["preferred_language"])
        first = self._log(member, ic)
        second = self._log(member, ic, IncidentKind.ID_CARD)
        assert (first.strike_number, second.strike_number) == (1, 2)
        assert "Pinki Ghosh" in first.warning_text and "good morning" in first.warning_text
        assert "ID card" in second.warning_text and "2 of 3" in second.warning_text

    def test_the_warning_is_written_in_the_members_language(self, member, ic, fake_catalog) -> None:
        fake_catalog(
            "bn",
            {
                texts.WARNINGS[IncidentKind.GREETING_SPAM]: "%(name)s, শুভেচ্ছা নয়।",
                texts.STRIKES: "সতর্কতা %(strike)s/%(limit)s।",
            },
        )
        assert member.citizen.preferred_language == "bn"
        incident = self._log(member, ic)
        assert incident.warning_text == "Pinki Ghosh, শুভেচ্ছা নয়। সতর্কতা 1/3।"
        assert incident.warning_language == "bn"

    def test_removal_is_proposed_after_the_strike_limit(self, member, ic, settings) -> None:
        settings.GROUPS_STRIKES_BEFORE_REMOVAL = 2
        self._log(member, ic)
        member.refresh_from_db()
        assert member.removal_proposed_at is None
        self._log(member, ic)
        member.refresh_from_db()
        assert member.removal_proposed_at is not None
        assert (
            AuditEvent.objects.filter(
                action="groups.incident.logged", data__removal_proposed=True
            ).count()
            == 1
        )

    def test_a_double_submit_logs_one_strike(self, member, ic) -> None:
        import uuid

        token = uuid.uuid4()
        for _ in range(2):
            services.log_incident(
                membership=member, by=ic, kind="abuse", occurred_on=timezone.localdate(),
                request_token=token,
            )  # fmt: skip
        assert member.incidents.count() == 1

    def test_removal_can_put_the_person_on_the_register(
        self, world, member, ic, group, nominate
    ) -> None:
        services.remove_member(
            membership=member,
            by=ic,
            reason="Third strike: demanded an ID card.",
            exclude=ExclusionRequest(
                ExclusionCategory.REMOVED_FOR_MISCONDUCT, "Claimed to be SPO."
            ),
        )
        entry = ExclusionEntry.objects.get(from_membership=member)
        assert entry.district == world.district
        assert list(entry.phones.values_list("phone", flat=True)) == [member.citizen.phone]
        renominated = nominate(group, name="পিঙ্কি ঘোষ", phone="+917009999999")
        assert renominated.is_blocked  # caught again by name, across scripts

    def test_incidents_need_an_active_member(self, member, ic) -> None:
        services.record_member_left(membership=member, by=ic)
        with pytest.raises(GroupsError):
            self._log(member, ic)


class TestExports:
    def test_the_roster_exports_only_active_members(self, group, nominate, ic, templates) -> None:
        keep = _approve(nominate(group, name="=cmd|' /C calc'!A0", phone="9876500010"), ic)
        gone = _approve(nominate(group, name="Gone Member", phone="9876500011"), ic)
        services.record_member_left(membership=gone.membership, by=ic)
        csv_file = services.export_roster(group=group, by=ic, fmt="csv")
        assert "+919876500010" in csv_file.body and "+919876500011" not in csv_file.body
        assert "'=cmd" in csv_file.body  # no formula injection
        vcf = services.export_roster(group=group, by=ic, fmt="vcf")
        assert vcf.body.count("BEGIN:VCARD") == 1
        assert "TEL;TYPE=CELL:+919876500010" in vcf.body
        assert keep.membership is not None
        assert AuditEvent.objects.filter(action="groups.roster.exported").count() == 2

    def test_only_admins_export(self, world, group) -> None:
        with pytest.raises(NotAllowed):
            services.export_roster(group=group, by=world.user(Role.DISTRICT_HEAD), fmt="csv")


class TestAudit:
    def test_every_decision_writes_an_audit_row(
        self, world, group, nominate, ic, templates
    ) -> None:
        def actions() -> list[str]:
            return list(
                AuditEvent.objects.filter(action__startswith="groups.").values_list(
                    "action", flat=True
                )
            )

        tout = ExclusionEntryFactory(district=world.district, phones=["+919000000001"])
        blocked = nominate(group, phone="+919000000001")
        services.override_screening(nomination=blocked, by=ic, reason="Verified in person.")
        approved = _approve(blocked, ic)
        rejected = nominate(group)
        services.reject_nomination(nomination=rejected, by=ic, reason="Not from this area.")
        services.log_incident(
            membership=approved.membership, by=ic, kind="rumour", occurred_on=timezone.localdate()
        )
        services.revet_membership(membership=approved.membership, by=ic)
        services.remove_member(membership=approved.membership, by=ic, reason="Rumours.")
        entry = services.save_exclusion_entry(
            district=world.district, by=ic, category="tout", names=["X Y"], phones=[]
        )
        services.withdraw_exclusion_entry(entry=entry, by=ic, reason="Wrong person.")
        recorded = set(actions())
        assert {
            "groups.nomination.submitted",
            "groups.nomination.override_recorded",
            "groups.nomination.approved",
            "groups.nomination.rejected",
            "groups.incident.logged",
            "groups.membership.revetted",
            "groups.membership.removed",
            "groups.register.entry_added",
            "groups.register.entry_withdrawn",
        } <= recorded
        row = AuditEvent.objects.get(action="groups.nomination.rejected")
        assert row.actor == ic and row.station == world.station
        assert row.data["reason"] == "Not from this area."
        assert tout.note not in str(
            AuditEvent.objects.filter(action__startswith="groups.register").values_list(
                "data", flat=True
            )
        )

    def test_waitlisting_is_audited(self, world, nominate, ic, templates) -> None:
        group = GroupFactory(station=world.station, capacity=1, admins=[ic])
        _approve(nominate(group), ic)
        waiting = nominate(group)
        _approve(waiting, ic)
        assert AuditEvent.objects.filter(
            action="groups.nomination.waitlisted", target_id=str(waiting.pk), actor=ic
        ).exists()


class TestRevetting:
    def test_a_clear_member_gets_a_new_date(self, group, nominate, ic, templates, settings) -> None:
        settings.GROUPS_REVET_AFTER_DAYS = 90
        membership = _approve(nominate(group), ic).membership
        assert services.revet_membership(membership=membership, by=ic) == []
        membership.nomination.refresh_from_db()
        assert membership.nomination.revet_on == timezone.localdate() + dt.timedelta(days=90)

    def test_a_member_now_on_the_register_keeps_the_old_date(
        self, world, group, nominate, ic, templates
    ) -> None:
        membership = _approve(nominate(group, phone="+917001234567"), ic).membership
        before = Nomination.objects.get(pk=membership.nomination_id).revet_on
        ExclusionEntryFactory(district=world.district, phones=["+917001234567"])
        hits = services.revet_membership(
            membership=membership, by=ic, revet_on=timezone.localdate() + dt.timedelta(days=400)
        )
        assert len(hits) == 1
        assert Nomination.objects.get(pk=membership.nomination_id).revet_on == before


class TestRegister:
    def test_only_ics_and_district_heads_write_the_register(self, world) -> None:
        for role in (Role.STATION_OFFICER, Role.CYBER_CELL, Role.SHAKTI_INCHARGE):
            with pytest.raises(NotAllowed):
                services.save_exclusion_entry(
                    district=world.district,
                    by=world.user(role),
                    category="tout",
                    names=["A B"],
                    phones=[],
                )
        assert services.save_exclusion_entry(
            district=world.district, by=world.user(Role.DISTRICT_HEAD), category="tout",
            names=["A B", "A B", "  "], phones=["098765 43210", "+919876543210"],
        ).names.count() == 1  # fmt: skip

    def test_an_ic_cannot_write_another_districts_register(self, world, ic) -> None:
        with pytest.raises(NotAllowed):
            services.save_exclusion_entry(
                district=world.other_district, by=ic, category="tout", names=["A B"], phones=[]
            )

    def test_editing_replaces_aliases_and_keys(self, world, ic) -> None:
        entry = services.save_exclusion_entry(
            district=world.district, by=ic, category="tout", names=["Raju Pandey"], phones=[]
        )
        services.save_exclusion_entry(
            district=world.district, by=ic, category="bad_reputation", entry=entry,
            names=["राजू पांडे", "Raju Pandey"], phones=["9876543210"],
        )  # fmt: skip
        entry.refresh_from_db()
        assert sorted(entry.names.values_list("name", flat=True)) == ["Raju Pandey", "राजू पांडे"]
        assert set(entry.names.values_list("key", flat=True)) == {"raju pande"}
        assert entry.category == "bad_reputation"
