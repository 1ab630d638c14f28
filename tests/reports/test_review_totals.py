"""After seed_demo, the Varanasi review over the whole demo period holds the reviewed figures."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from reports import periods, selectors
from stations.models import District

pytestmark = pytest.mark.django_db


def test_varanasi_totals_over_the_demo_period_are_exactly_the_reviewed_figures() -> None:
    call_command("seed_demo", "--allow-production", stdout=io.StringIO(), stderr=io.StringIO())
    commissioner = User.objects.get(username="demo_cp")
    today = timezone.localdate()
    whole_demo = periods.custom(today - timedelta(days=365), today)
    report = selectors.review_report(
        user=commissioner, period=whole_demo, district=District.objects.get(code="VNS")
    )
    totals = report.totals.values
    assert len(report.rows) > 10
    assert totals["cases_registered"] == 94
    assert totals["accused_arrested"] == 123
    assert totals["detained_total"] == 659
    assert totals["detained_126"] + totals["detained_135"] + totals["detained_170"] == 659
    assert totals["drive_locations"] == 2114
    assert totals["people_reached"] == 90_000
    assert totals["counselling_settlements"] == 255
    # Spread over the stations, not piled on one.
    assert sum(1 for row in report.rows if row.values["counselling_settlements"]) > 5
