"""Factories for the anti-Romeo register (rows only: the service moves real ones)."""

import factory
from django.utils import timezone

from complaints.models import PersonOutcome, RomeoAction, RomeoActionType, RomeoCase, RomeoPerson
from tests.factories.accounts import UserFactory
from tests.factories.stations import StationFactory


class RomeoActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RomeoAction

    station = factory.SubFactory(StationFactory)
    acted_on = factory.LazyFunction(timezone.localdate)
    squad = "Anti-Romeo squad 1"
    place = "College gate"
    action_type = RomeoActionType.PREVENTIVE
    recorded_by = factory.SubFactory(UserFactory)


class RomeoCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RomeoCase

    action = factory.SubFactory(RomeoActionFactory, action_type=RomeoActionType.CASE_REGISTERED)
    station = factory.SelfAttribute("action.station")
    fir_number = factory.Sequence(lambda n: f"{n + 1:04d}/2026")


class RomeoPersonFactory(factory.django.DjangoModelFactory):
    """A detained person under BNSS 126 by default."""

    class Meta:
        model = RomeoPerson

    action = factory.SubFactory(RomeoActionFactory)
    outcome = PersonOutcome.DETAINED
    bnss_section = "126"
    name = factory.Sequence(lambda n: f"Person {n}")
