"""Demo monthly returns: most Varanasi stations on time, a few late, two missing."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from stations import demo, selectors
from stations.models import Station, StationReturn

pytestmark = pytest.mark.django_db


def test_demo_returns_are_mostly_on_time_and_idempotent() -> None:
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Kolkata"))):
        call_command("seed_jurisdictions", "--allow-production", stdout=io.StringIO())
        created = demo.seed_returns()
        assert created > 0
        assert demo.seed_returns() == 0  # a second run adds nothing
        varanasi = list(Station.objects.filter(district__code="VNS").values_list("pk", flat=True))
        october = selectors.return_status(
            station_ids=varanasi, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
        )
    counts = Counter(october.values())
    missing_codes = set(
        Station.objects.filter(
            pk__in=[pk for pk, status in october.items() if status == "missing"]
        ).values_list("code", flat=True)
    )
    assert missing_codes == set(demo.RETURNS_MISSING)
    assert counts["on_time"] > len(varanasi) / 2
    assert counts["on_time"] + counts["late"] + counts["missing"] == len(varanasi)
    # Six months each, less the two missing ones; nothing dated in the future.
    assert StationReturn.objects.count() == len(varanasi) * 6 - 2
    assert not StationReturn.objects.filter(month__gte=date(2026, 11, 1)).exists()
    late_any = Counter(
        selectors.return_status(
            station_ids=varanasi, period_start=date(2026, 5, 1), period_end=date(2026, 10, 31)
        ).values()
    )
    assert late_any["late"] >= 1
