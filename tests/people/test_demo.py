"""Demo subscribers: seeded once, the demo cyber cell sees them, a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from people import demo, selectors
from people.models import Citizen

pytestmark = pytest.mark.django_db


def test_demo_citizens_are_seeded_once_for_the_kabirdham_cyber_cell() -> None:
    call_command("seed_jurisdictions", "--allow-production", stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    assert Citizen.objects.count() == demo.COUNT
    assert Citizen.objects.filter(opted_out_at__isnull=False).count() == 2
    cyber = User.objects.get(username="demo_cyber")
    assert selectors.citizen_list(user=cyber).count() == demo.COUNT
    assert selectors.citizen_list(user=cyber, tag_id=None, opted_out="no").count() == 38
