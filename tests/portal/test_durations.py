"""Durations ("1 week, 3 days") come from the portal's catalogue, so hi and bn can have them.

Django's own timesince words are untranslated in Django's hi and bn catalogues; the portal's
are msgids with the "duration" context (portal.durations). Until locale/hi has them, a test
catalogue entry stands in for the translation.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from accounts.models import Role
from portal import durations
from tests.factories.fieldwork import HotspotFactory, PatrolFactory

HINDI = {"%(num)d week": "%(num)d सप्ताह", "%(num)d day": "%(num)d दिन"}


@pytest.fixture
def hindi_durations():  # type: ignore[no-untyped-def]
    """The translations locale/hi will have, in the live hi catalogue for this test."""
    catalog = trans_real.translation("hi")._catalog
    keys = [(f"{durations.CONTEXT}\x04{msgid}", form) for msgid in HINDI for form in (0, 1)]
    for key in keys:
        catalog[key] = HINDI[key[0].split("\x04")[1]]
    yield
    for key in keys:
        catalog._catalogs[0].pop(key, None)


def test_the_helper_says_weeks_and_days_by_its_msgids() -> None:
    now = datetime(2026, 12, 8, 10)
    assert durations.duration_since(now - timedelta(days=10), now) == "1\xa0week, 3\xa0days"
    assert durations.duration_until(now + timedelta(days=2), now) == "2\xa0days"
    assert durations.TIME_STRINGS["week"] % {"num": 2} == "2 weeks"


def test_the_filter_speaks_hindi_from_the_portal_catalogue(hindi_durations) -> None:  # type: ignore[no-untyped-def]
    when = timezone.now() - timedelta(days=10, hours=1)
    template = Template("{% load durations %}{{ when|duration_since }}")
    with translation.override("hi"):
        assert template.render(Context({"when": when})) == "1\xa0सप्ताह, 3\xa0दिन"
    assert template.render(Context({"when": when})) == "1\xa0week, 3\xa0days"


@pytest.mark.django_db
def test_the_ic_dashboard_says_when_a_hotspot_was_last_patrolled_in_hindi(
    world, login, hindi_durations
) -> None:  # type: ignore[no-untyped-def]
    hotspot = HotspotFactory(station=world.station)
    PatrolFactory(hotspot=hotspot, patrolled_at=timezone.now() - timedelta(days=10, hours=1))
    ic = world.user(Role.STATION_IC)
    ic.preferred_language = "hi"
    ic.save(update_fields=["preferred_language"])
    html = login(ic).get(reverse("home")).content.decode()
    assert "1\xa0सप्ताह, 3\xa0दिन" in html
    assert "1\xa0week" not in html


def test_no_template_uses_djangos_untranslated_duration_filters() -> None:
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"\|\s*(timesince|timeuntil|naturaltime)\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use |duration_since / |duration_until (portal.durations)"
