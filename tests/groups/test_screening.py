"""Screening against the district exclusion register: phones in any format, names in any script."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEvent, Role
from groups import services
from groups.matching import name_key, name_score
from groups.models import NominationStatus
from tests.factories.groups import ExclusionEntryFactory, GroupFactory

pytestmark = pytest.mark.django_db

TOUT_PHONE = "+919876543210"


@pytest.fixture
def tout(world):  # type: ignore[no-untyped-def]
    """A dalal on the register of 'our' district, known by a Latin name and an alias."""
    return ExclusionEntryFactory(
        district=world.district,
        names=["Sheikh Rafiqul Islam", "Rafiq Dalal"],
        phones=[TOUT_PHONE],
    )


@pytest.mark.parametrize(
    "typed",
    [
        "+91 98765-43210",
        "098765 43210",
        "9876543210",
        "919876543210",
        "+919876543210",
        "९८७६५४३२१०",  # Devanagari digits
        "৯৮৭৬৫৪৩২১০",  # Bengali digits
        "+৯১ ৯৮৭৬৫-৪৩২১০",
    ],
)
def test_it_catches_a_register_phone_typed_in_any_format(group, nominate, tout, typed) -> None:
    nomination = nominate(group, name="Completely Different Name", phone=typed)
    assert nomination.register_match_ids == [tout.pk]
    assert nomination.screening[0]["by"] == "phone"
    assert nomination.is_blocked


@pytest.mark.parametrize(
    "written",
    [
        "শেখ রফিকুল ইসলাম",  # Bengali script
        "शेख रफ़ीकुल इस्लाम",  # Devanagari
        "Rafiqul Islam Sheikh",  # Latin, other word order
        "Sk. Rafikul Islam",  # abbreviation, other spelling
        "রফিক দালাল",  # the alias, in Bengali
    ],
)
def test_it_catches_a_register_name_written_in_another_script(
    group, nominate, tout, written
) -> None:
    nomination = nominate(group, name=written)
    assert nomination.register_match_ids == [tout.pk]
    hit = nomination.screening[0]
    assert hit["by"] == "name"
    assert hit["score"] >= 85
    assert nomination.is_blocked


def test_a_register_name_in_bengali_catches_a_nominee_typed_in_latin(
    world, group, nominate
) -> None:
    entry = ExclusionEntryFactory(district=world.district, names=["রহিম শেখ"])
    assert nominate(group, name="Rahim Sheikh").register_match_ids == [entry.pk]


@pytest.mark.parametrize(
    "other",
    ["Karim Sheikh", "Rafiqul Haque", "Rahim", "রিনা দাস", "Rekha Devi"],
)
def test_it_does_not_flag_different_people(world, group, nominate, other) -> None:
    ExclusionEntryFactory(district=world.district, names=["Rahim Sheikh", "Lekha Devi"])
    nomination = nominate(group, name=other)
    assert nomination.screening == []
    assert not nomination.is_blocked


def test_name_threshold_is_a_setting(world, group, nominate, settings) -> None:
    ExclusionEntryFactory(district=world.district, names=["Lakshmi Mondal"])
    assert 85 <= name_score("Lakshmi Mondal", "লক্ষ্মী মণ্ডল") < 100
    settings.GROUPS_NAME_MATCH_THRESHOLD = 100
    assert nominate(group, name="লক্ষ্মী মণ্ডল").screening == []
    settings.GROUPS_NAME_MATCH_THRESHOLD = 85
    assert nominate(group, name="লক্ষ্মী মণ্ডল", phone="+917001000001").screening != []


def test_the_register_is_district_scoped(world, group, nominate) -> None:
    ExclusionEntryFactory(district=world.other_district, phones=[TOUT_PHONE])
    ExclusionEntryFactory(district=world.sibling_district, names=["Rahim Sheikh"])
    nomination = nominate(group, name="Rahim Sheikh", phone=TOUT_PHONE)
    assert nomination.screening == []


def test_withdrawn_and_expired_entries_do_not_block(world, group, nominate, ic) -> None:
    expired = ExclusionEntryFactory(
        district=world.district, phones=[TOUT_PHONE], expires_on=dt.date(2024, 1, 1)
    )
    withdrawn = ExclusionEntryFactory(district=world.district, names=["Rahim Sheikh"])
    services.withdraw_exclusion_entry(entry=withdrawn, by=ic, reason="Mistaken identity.")
    nomination = nominate(group, name="Rahim Sheikh", phone=TOUT_PHONE)
    assert nomination.screening == []
    assert expired.is_in_force is False


def test_an_entry_is_in_force_through_its_expiry_day(world, group, nominate) -> None:
    ExclusionEntryFactory(
        district=world.district, phones=[TOUT_PHONE], expires_on=dt.date(2026, 3, 31)
    )
    with time_machine.travel(
        dt.datetime(2026, 3, 31, 22, 0, tzinfo=timezone.get_current_timezone())
    ):
        assert nominate(group, phone=TOUT_PHONE).is_blocked
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=timezone.get_current_timezone())):
        assert not nominate(group, phone="+917001000002").is_blocked


def test_a_match_blocks_approval_and_the_attempt_is_audited(group, nominate, tout, ic) -> None:
    nomination = nominate(group, phone=TOUT_PHONE)
    decision = services.approve_nomination(nomination=nomination, by=ic)
    nomination.refresh_from_db()
    assert decision.outcome == "blocked"
    assert nomination.status == NominationStatus.SCREENED
    assert group.memberships.count() == 0
    group.refresh_from_db()
    assert group.seats_taken == 0
    assert AuditEvent.objects.filter(
        action="groups.nomination.approval_blocked", target_id=str(nomination.pk), actor=ic
    ).exists()


def test_the_ic_can_override_a_match_with_a_recorded_reason(
    group, nominate, tout, ic, templates
) -> None:
    nomination = nominate(group, phone=TOUT_PHONE)
    with pytest.raises(services.GroupsError):
        services.override_screening(nomination=nomination, by=ic, reason="   ")
    services.override_screening(
        nomination=nomination, by=ic, reason="Same number reassigned; verified in person."
    )
    decision = services.approve_nomination(nomination=nomination, by=ic)
    assert decision.outcome == "approved"
    nomination.refresh_from_db()
    assert nomination.overridden_by == ic
    assert nomination.override_entry_ids == [tout.pk]


def test_an_officer_cannot_override(group, nominate, tout, officer) -> None:
    nomination = nominate(group, phone=TOUT_PHONE)
    with pytest.raises(services.NotAllowed):
        services.override_screening(nomination=nomination, by=officer, reason="I know her.")


def test_an_entry_added_after_screening_still_blocks_approval(world, group, nominate, ic) -> None:
    nomination = nominate(group, name="Rahim Sheikh")
    assert not nomination.is_blocked
    ExclusionEntryFactory(district=world.district, names=["রহিম শেখ"])
    decision = services.approve_nomination(nomination=nomination, by=ic)
    assert decision.outcome == "blocked"
    nomination.refresh_from_db()
    assert nomination.is_blocked  # the new screening result is kept for the queue


def test_an_override_covers_only_the_entries_it_saw(world, group, nominate, tout, ic) -> None:
    nomination = nominate(group, phone=TOUT_PHONE)
    services.override_screening(nomination=nomination, by=ic, reason="Verified.")
    ExclusionEntryFactory(district=world.district, names=[nomination.nominee_name])
    assert services.approve_nomination(nomination=nomination, by=ic).outcome == "blocked"


def test_a_state_coordination_group_screens_every_district_of_the_state(world) -> None:
    state_hq = world.user(Role.STATE_HQ)
    coordination = GroupFactory(
        station=None, state=world.state, kind="coordination", accepts_applications=False
    )
    ExclusionEntryFactory(district=world.sibling_district, phones=[TOUT_PHONE])
    nomination = services.submit_nomination(
        group=coordination,
        source="officer",
        nominee_name="NGO member",
        nominee_phone=TOUT_PHONE,
        nominee_consent=True,
        nominee_district=world.district,
        by=state_hq,
    )
    assert nomination.is_blocked


def test_keys_are_stored_for_register_names(tout) -> None:
    assert {n.key for n in tout.names.all()} == {
        name_key("Sheikh Rafiqul Islam"),
        name_key("Rafiq Dalal"),
    }


def test_a_register_whatsapp_user_id_catches_the_person_behind_a_number(
    world, group, nominate
) -> None:
    """A person excluded while known only by WhatsApp user id (number withheld) is caught when
    nominated by the number their citizen record got later (issue 15: the register matches a
    BSUID too)."""
    from groups.models import ExclusionUserId
    from tests.factories.people import CitizenFactory

    entry = ExclusionEntryFactory(district=world.district, names=["Someone Else Entirely"])
    ExclusionUserId.objects.create(entry=entry, whatsapp_user_id="IN.1000000000000077")
    CitizenFactory(
        station=world.station, phone="+919811100077", whatsapp_user_id="IN.1000000000000077"
    )
    nomination = nominate(group, name="Completely Different Name", phone="9811100077")
    assert nomination.register_match_ids == [entry.pk]
    assert nomination.screening[0]["by"] == "phone" and nomination.is_blocked
    clear = nominate(group, name="Another Different Name", phone="9811100078")
    assert clear.register_match_ids == []


def test_a_username_member_removed_to_the_register_is_kept_by_user_id(
    group, nominate, ic, templates
) -> None:
    from groups.models import ExclusionEntry
    from people.models import Citizen

    nomination = nominate(group, name="Pinki Ghosh")
    membership = services.approve_nomination(nomination=nomination, by=ic).membership
    assert membership is not None
    # The member's number turned out withheld: known by WhatsApp user id alone.
    Citizen.objects.filter(pk=membership.citizen_id).update(
        phone=None, whatsapp_user_id="IN.1000000000000078"
    )
    membership.refresh_from_db()
    services.remove_member(
        membership=membership,
        by=ic,
        reason="Lobbying on others' cases.",
        exclude=services.ExclusionRequest(note="Seen in the station lobby."),
    )
    entry = ExclusionEntry.objects.get(from_membership=membership)
    assert list(entry.user_ids.values_list("whatsapp_user_id", flat=True)) == [
        "IN.1000000000000078"
    ]
    assert not entry.phones.exists()
