import factory

from accounts.models import Posting, Role, User
from tests.factories.stations import StationFactory

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Asha"
    last_name = factory.Sequence(lambda n: f"Officer{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            self.save()


class PostingFactory(factory.django.DjangoModelFactory):
    """A station posting by default; pass district= or state= with a matching role."""

    class Meta:
        model = Posting

    user = factory.SubFactory(UserFactory)
    role = Role.STATION_OFFICER
    station = factory.SubFactory(StationFactory)
