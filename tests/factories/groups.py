"""Factories for community groups. They build rows; groups.services moves them between states."""

import factory

from groups.matching import name_key
from groups.models import (
    CommunityGroup,
    ExclusionCategory,
    ExclusionEntry,
    ExclusionName,
    ExclusionPhone,
    GroupKind,
    Nominator,
)
from tests.factories.accounts import UserFactory
from tests.factories.stations import StationFactory


class GroupFactory(factory.django.DjangoModelFactory):
    """A station women's safety group with a few seats and an invite link."""

    class Meta:
        model = CommunityGroup
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    kind = GroupKind.WOMEN_SAFETY
    name = factory.Sequence(lambda n: f"Not Alone {n}")
    purpose = "Help for women in trouble, at once."
    rules = "Only safety matters. Members get no police ID card."
    capacity = 5
    invite_link = "https://chat.whatsapp.com/TestInviteLink"
    accepts_applications = True

    @factory.post_generation
    def admins(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.admins.set(extracted)


class NominatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nominator

    station = factory.SubFactory(StationFactory)
    district = factory.SelfAttribute("station.district")
    kind = Nominator.Kind.CIVIC_VOLUNTEER
    name = factory.Sequence(lambda n: f"स्वयंसेवक {n}")
    phone = factory.Sequence(lambda n: f"+9162{n:08d}")


class ExclusionEntryFactory(factory.django.DjangoModelFactory):
    """A register entry; pass names=[...] and phones=[...] (E.164)."""

    class Meta:
        model = ExclusionEntry
        skip_postgeneration_save = True

    category = ExclusionCategory.TOUT
    note = "Seen lobbying in the station lobby on others' cases."
    added_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def names(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        for name in extracted or []:
            ExclusionName.objects.create(entry=self, name=name, key=name_key(name))

    @factory.post_generation
    def phones(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        for phone in extracted or []:
            ExclusionPhone.objects.create(entry=self, phone=phone)
