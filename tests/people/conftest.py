"""Fixtures for the people app: media in a temporary folder, a real Celery worker."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.people.helpers import start_worker


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    """Uploaded lists go to a temporary MEDIA_ROOT, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def import_worker(settings, tmp_path) -> Iterator[subprocess.Popen[bytes]]:  # type: ignore[no-untyped-def]
    """A worker consuming a queue of its own; imports are sent there (PEOPLE_IMPORT_QUEUE)."""
    queue = f"people-import-{os.getpid()}-{tmp_path.name}"
    settings.PEOPLE_IMPORT_QUEUE = queue
    proc = start_worker(queue, settings.MEDIA_ROOT.parent)
    yield proc
    proc.terminate()
    proc.wait(timeout=30)
