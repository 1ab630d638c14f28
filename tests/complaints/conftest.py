"""Uploads in these tests go to a temporary folder, never var/private-media."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
