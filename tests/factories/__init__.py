"""factory-boy factories: they build rows; the real services move them between states."""

from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.stations import DistrictFactory, StateFactory, StationFactory

__all__ = ["DistrictFactory", "PostingFactory", "StateFactory", "StationFactory", "UserFactory"]
