"""The broadcast page follows a broadcast on its own from approval to its end (issue 17 item 2),
and its funnel says what the preview said: the same audience, the same suppressed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from broadcasts import audience, lifecycle
from broadcasts.models import Broadcast
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broadcast(world, awareness) -> Broadcast:  # type: ignore[no-untyped-def]
    """5 recipients and 2 suppressed (one without consent, one opted out)."""
    CitizenFactory.create_batch(5, station=world.station)
    CitizenFactory(station=world.station, consent_at=None, consent_source="")
    CitizenFactory(station=world.station, opted_out_at=timezone.now(), opt_out_source="keyword")
    return lifecycle.create_broadcast(
        district=world.district,
        title="OTP fraud",
        template=awareness,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
    )


def _progress_attributes(client, broadcast: Broadcast) -> str:  # type: ignore[no-untyped-def]
    html = client.get(reverse("broadcasts:detail", args=[broadcast.pk])).content.decode()
    start = html.index('id="broadcast-progress"')
    return html[start : html.index(">", start)]


def test_a_scheduled_broadcast_page_polls_fast_until_it_starts(world, login, broadcast) -> None:
    client = login(world.user(Role.CYBER_CELL))
    lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.SCHEDULED
    attributes = _progress_attributes(client, broadcast)
    assert "?shown=scheduled" in attributes and 'hx-trigger="every 2s"' in attributes


def test_a_broadcast_scheduled_for_tomorrow_is_followed_slowly(world, login, broadcast) -> None:
    client = login(world.user(Role.CYBER_CELL))
    lifecycle.submit_broadcast(
        broadcast=broadcast,
        by=world.user(Role.CYBER_CELL),
        send_at=timezone.now() + timedelta(days=1),
    )
    attributes = _progress_attributes(client, broadcast)
    assert 'hx-trigger="every 15s"' in attributes


def test_the_whole_page_reloads_once_the_broadcast_has_moved_on(world, login, broadcast) -> None:
    client = login(world.user(Role.CYBER_CELL))
    lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
    url = reverse("broadcasts:progress", args=[broadcast.pk])
    unchanged = client.get(url, {"shown": "scheduled"}, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in unchanged and b"broadcast-progress" in unchanged.content
    assert lifecycle.start_broadcast(broadcast_id=broadcast.pk)
    moved = client.get(url, {"shown": "scheduled"}, HTTP_HX_REQUEST="true")
    assert moved["HX-Refresh"] == "true"


def test_a_finished_broadcast_stops_polling(world, login, broadcast) -> None:
    client = login(world.user(Role.CYBER_CELL))
    Broadcast.objects.filter(pk=broadcast.pk).update(status=Broadcast.Status.COMPLETED)
    assert "hx-get" not in _progress_attributes(client, broadcast)


def test_the_funnel_suppressed_is_the_previews(world, login, broadcast) -> None:
    client = login(world.user(Role.CYBER_CELL))
    shown = audience.preview(broadcast)
    assert (shown.audience, shown.suppressed) == (7, 2)
    lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
    assert lifecycle.start_broadcast(broadcast_id=broadcast.pk)
    page = client.get(reverse("broadcasts:detail", args=[broadcast.pk]))
    assert page.context["audience_total"] == 7
    assert page.context["suppressed"] == 2
    html = page.content.decode()
    assert 'data-testid="funnel-suppressed">2<' in html
    assert 'data-testid="funnel-audience">7<' in html
