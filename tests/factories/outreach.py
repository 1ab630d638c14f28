"""Factories for outreach: NGOs, memberships, campaigns, drives, activities (rows only)."""

import factory
from django.utils import timezone

from accounts.models import Role
from outreach.models import (
    Audience,
    AwarenessDrive,
    Campaign,
    CampaignTarget,
    DriveTopic,
    Ngo,
    NgoActivity,
    NgoActivityKind,
    NgoMembership,
    place_key,
)
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.stations import DistrictFactory, StationFactory


class NgoFactory(factory.django.DjangoModelFactory):
    """An NGO; pass districts=[...] to set its districts of work."""

    class Meta:
        model = Ngo
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sakhi Samiti {n}")
    registration_number = factory.Sequence(lambda n: f"MP/2015/{n:07d}")

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.districts.set(extracted)


def ngo_coordinator(ngo: Ngo, district=None, username: str | None = None):  # type: ignore[no-untyped-def]
    """A user posted as NGO coordinator (to the district) and bound to the NGO."""
    user = UserFactory(**({"username": username} if username else {}))
    PostingFactory(
        user=user,
        role=Role.NGO_COORDINATOR,
        station=None,
        district=district or ngo.districts.first() or DistrictFactory(),
    )
    NgoMembership.objects.create(ngo=ngo, user=user)
    return user


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.Sequence(lambda n: f"Campaign {n}")


class CampaignTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignTarget

    campaign = factory.SubFactory(CampaignFactory)
    district = factory.SubFactory(DistrictFactory)
    metric = "activities"
    target_value = 10


class AwarenessDriveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwarenessDrive
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    place = factory.Sequence(lambda n: f"Kanya Vidyalaya ward {n}")
    place_key = factory.LazyAttribute(lambda o: place_key(o.place))
    audience = Audience.GIRL_STUDENTS
    people_reached = 40
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            for topic in extracted or ["helplines"]:
                DriveTopic.objects.create(drive=self, topic=topic)


class NgoActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NgoActivity

    ngo = factory.SubFactory(NgoFactory)
    kind = NgoActivityKind.POCSO_AWARENESS
    district = factory.SubFactory(DistrictFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    persons_reached = 50
    recorded_by = factory.SubFactory(UserFactory)
