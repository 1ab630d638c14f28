"""Community group members as a broadcast audience (groups.audience, via the registry)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from broadcasts import audience, audience_sources, lifecycle, sending
from broadcasts.models import Broadcast, Delivery, MessageTemplate, SandboxMessage
from groups import services
from groups.audience import SOURCE_KEY, group_choices, member_citizen_ids
from groups.models import Membership
from people import services as people_services
from people.models import OptOutSource
from tests.factories import UserFactory
from tests.factories.groups import GroupFactory
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def awareness(templates) -> MessageTemplate:  # type: ignore[no-untyped-def]
    return MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")


@pytest.fixture
def members(group, nominate, ic, templates) -> list[Membership]:  # type: ignore[no-untyped-def]
    """Four approved members of our station's group."""
    return [
        services.approve_nomination(
            nomination=nominate(group, name=f"Member {n}"), by=ic
        ).membership
        for n in range(4)
    ]


def _draft(world, template, group):  # type: ignore[no-untyped-def]
    return lifecycle.create_broadcast(
        district=world.district,
        title="For the Not Alone group",
        template=template,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
        sources={SOURCE_KEY: [group.pk]},
    )


def test_members_are_citizens_with_group_consent(members) -> None:
    for membership in members:
        assert membership.citizen.consent_source == "group_nomination"
        assert membership.citizen.consent_at is not None


def test_broadcast_reaches_active_consenting_members_only(
    world, group, members, ic, awareness
) -> None:
    left, opted, *staying = members
    services.record_member_left(membership=left, by=ic)
    people_services.opt_out_citizen(citizen=opted.citizen, source=OptOutSource.KEYWORD)
    CitizenFactory.create_batch(3, station=world.station)  # district citizens, not members

    broadcast = _draft(world, awareness, group)
    shown = audience.preview(broadcast)
    assert (shown.audience, shown.recipients) == (3, 2)  # opted-out member counted, suppressed
    assert [(s.audience, s.recipients) for s in shown.per_source] == [(3, 2)]
    assert group.name in shown.per_source[0].choice

    broadcast = lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
    lifecycle.start_broadcast(broadcast_id=broadcast.pk)
    reached = set(Delivery.objects.filter(broadcast=broadcast).values_list("citizen", flat=True))
    assert reached == {m.citizen_id for m in staying}
    sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
    broadcast_texts = SandboxMessage.objects.filter(template_name=awareness.name)
    assert sorted(broadcast_texts.values_list("to", flat=True)) == sorted(
        m.citizen.phone for m in staying
    )


def test_groups_outside_the_users_reach_are_neither_offered_nor_usable(
    world, group, members, awareness
) -> None:
    theirs = world.strangers[Role.CYBER_CELL]
    assert group.pk in [c.id for c in group_choices(world.user(Role.CYBER_CELL))]
    assert group.pk not in [c.id for c in group_choices(theirs)]
    assert list(member_citizen_ids(theirs, group.pk)) == []
    with pytest.raises(ValidationError):
        lifecycle.create_broadcast(
            district=world.other_district,
            title="Not theirs",
            template=awareness,
            parameters=["x"],
            by=theirs,
            sources={SOURCE_KEY: [group.pk]},
        )
    assert not Broadcast.objects.exists()


def test_a_group_of_another_district_in_reach_is_refused_for_this_district(
    world, awareness
) -> None:
    """An administrator sees groups of every district, but a broadcast is one district's."""
    admin = UserFactory(username="sysadmin", is_superuser=True)
    neighbour_group = GroupFactory(station=world.neighbour_station)
    with pytest.raises(ValidationError):
        lifecycle.create_broadcast(
            district=world.district,
            title="Wrong district",
            template=awareness,
            parameters=["x"],
            by=admin,
            sources={SOURCE_KEY: [neighbour_group.pk]},
        )


def test_inactive_groups_are_not_offered(world, group, members) -> None:
    group.is_active = False
    group.save(update_fields=["is_active"])
    assert group_choices(world.user(Role.CYBER_CELL)) == []
    assert list(member_citizen_ids(world.user(Role.CYBER_CELL), group.pk)) == []


def test_the_broadcast_form_offers_the_group_and_refuses_a_foreign_one(
    world, group, members, awareness, login
) -> None:
    source = audience_sources.get(SOURCE_KEY)
    assert source is not None
    ours = login(world.user(Role.CYBER_CELL))
    assert group.name in ours.get(reverse("broadcasts:create")).content.decode()
    post = {
        "title": "Group broadcast",
        "topic": "cyber_fraud",
        "template": awareness.pk,
        "parameter_1": "Varanasi",
        f"source_{SOURCE_KEY}": [group.pk],
    }
    response = ours.post(reverse("broadcasts:create"), {**post, "district": world.district.pk})
    assert response.status_code == 302
    assert Broadcast.objects.get().audience_sources == {SOURCE_KEY: [group.pk]}

    theirs = login(world.strangers[Role.CYBER_CELL])
    refused = theirs.post(
        reverse("broadcasts:create"), {**post, "district": world.other_district.pk}
    )
    assert refused.status_code == 200 and refused.context["form"].errors
    assert Broadcast.objects.count() == 1
