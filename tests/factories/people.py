import factory
from django.utils import timezone

from people.models import Citizen, ConsentSource, Tag
from tests.factories.stations import StationFactory


class CitizenFactory(factory.django.DjangoModelFactory):
    """A consenting citizen with a valid Indian mobile number."""

    class Meta:
        model = Citizen

    phone = factory.Sequence(lambda n: f"+9198{n:08d}")
    name = factory.Sequence(lambda n: f"नागरिक {n}")
    station = factory.SubFactory(StationFactory)
    district = factory.SelfAttribute("station.district")
    preferred_language = "hi"
    consent_source = ConsentSource.OFFICER_FORM
    consent_at = factory.LazyFunction(timezone.now)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"tag {n}")
