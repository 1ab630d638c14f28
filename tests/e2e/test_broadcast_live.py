"""A broadcast page left open follows the broadcast on its own, on a phone (issue 17 item 2).

The officer presses "Send now" and watches: the page must go from "Scheduled" to "Completed"
with the figures filled in, without anyone reloading it.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import User
from broadcasts import lifecycle, sending
from broadcasts.models import Broadcast, MessageTemplate
from stations.models import District
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings) -> str:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--allow-production", verbosity=0, stdout=open("/dev/null", "w"))
    return str(settings.DEMO_PASSWORD)


def _label(status: Broadcast.Status, language: str) -> str:
    with translation.override(language):
        return str(status.label)


def test_the_page_follows_a_broadcast_from_scheduled_to_completed(
    live_server, page: Page, seeded: str, artifacts
) -> None:
    officer = User.objects.get(username="demo_cyber")
    district = District.objects.get(code="KBD")
    template = MessageTemplate.objects.filter(
        name="cyber_fraud_awareness", status=MessageTemplate.Status.APPROVED
    ).first()
    assert template is not None
    broadcast = lifecycle.create_broadcast(
        district=district,
        title="Live follow",
        template=template,
        parameters=["Kabirdham"],
        by=officer,
        stations=list(district.stations.all()[:1]),
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "demo_cyber", seeded)
    page.goto(f"{live_server.url}/broadcasts/{broadcast.pk}/")
    page.get_by_test_id("submit-broadcast").click()
    page.wait_for_load_state("domcontentloaded")
    broadcast.refresh_from_db()
    if broadcast.status == Broadcast.Status.AWAITING_APPROVAL:  # large audience: a colleague
        lifecycle.approve_broadcast(
            broadcast=broadcast,
            by=User.objects.filter(postings__district=district, postings__role="cyber_cell")
            .exclude(pk=officer.pk)
            .first()
            or User.objects.get(username="admin"),
        )
        broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SCHEDULED, broadcast.status
    language = officer.preferred_language
    expect(page.get_by_test_id("broadcast-status")).to_have_text(
        _label(Broadcast.Status.SCHEDULED, language)
    )
    expect(page.get_by_test_id("progress-waiting")).to_be_visible()
    # The worker's part, done here: fan-out, send through the sandbox, complete.
    assert lifecycle.start_broadcast(broadcast_id=broadcast.pk)
    sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
    assert lifecycle.complete_if_done(broadcast_id=broadcast.pk)
    recipients = Broadcast.objects.get(pk=broadcast.pk).recipient_count
    assert recipients > 0
    expect(page.get_by_test_id("broadcast-status")).to_have_text(
        _label(Broadcast.Status.COMPLETED, language), timeout=15_000
    )
    expect(page.get_by_test_id("percent")).to_have_text("100%")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "broadcast-live-360.png"), full_page=True)
