"""The demo world the fuzz tests run against (tests/security/test_fuzz_*.py)."""

from __future__ import annotations

import importlib
import io
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from accounts.models import User

SEEDED_APPS = ["people", "broadcasts", "groups", "complaints", "outreach"]
SEED_SECONDS: dict[str, float] = {}


@pytest.fixture
def demo_world(db: Any) -> User:
    """Demo jurisdictions and logins plus the demo content of the apps with an API; the VNS
    district head. (The stations and reports demos are left out: they add a year of returns,
    minutes of seeding, and no API object the others do not already give.)"""
    sink = io.StringIO()
    call_command("seed_jurisdictions", "--allow-production", stdout=sink, stderr=sink)
    for app in SEEDED_APPS:
        started = time.monotonic()
        importlib.import_module(f"{app}.demo").seed(stdout=OutputWrapper(sink))
        SEED_SECONDS[app] = round(time.monotonic() - started, 1)
    return User.objects.get(username="demo_cp")


def known_ids(call: Callable[[str], Any], paths: Iterable[str]) -> dict[str, list[int]]:
    """For each `/api/v1/x/{id}/...` path, ids of real objects the user may see, read from the
    matching list endpoint (or the database where there is no list endpoint)."""
    known: dict[str, list[int]] = {}
    for path in paths:
        if "{id}" not in path:
            continue
        listing = path.split("{id}")[0]
        response = call(listing)
        ids: list[int] = []
        if response.status_code == 200:
            payload = json.loads(response.content)
            rows = payload.get("results", payload) if isinstance(payload, dict) else payload
            if isinstance(rows, list):
                ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row][:20]
        known[path] = ids
    return known
