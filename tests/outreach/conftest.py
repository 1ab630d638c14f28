"""Uploads in these tests go to a temporary folder, never var/private-media."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture
def ngos(world):  # type: ignore[no-untyped-def]
    """NGO A works in our district and the sibling district; NGO B in our district only.

    world.ngo_a / ngo_b are the NGOs, world.coord_a / coord_b their coordinators.
    """
    from tests.factories.outreach import NgoFactory, ngo_coordinator

    world.ngo_a = NgoFactory(name="NGO A", districts=[world.district, world.sibling_district])
    world.ngo_b = NgoFactory(name="NGO B", districts=[world.district])
    world.coord_a = ngo_coordinator(world.ngo_a, world.district, "coord_a")
    world.coord_b = ngo_coordinator(world.ngo_b, world.district, "coord_b")
    return world
