import factory

from stations.models import District, State, Station


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.Sequence(lambda n: f"State {n}")
    name_local = "राज्य"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    state = factory.SubFactory(StateFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"District {n}")
    name_local = "ज़िला"


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"PS{n}")
    name = factory.Sequence(lambda n: f"Station {n}")
    name_local = "थाना"
    phone = "+915422500100"
    whatsapp_number = "+919876543210"
