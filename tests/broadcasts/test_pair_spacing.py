"""Per-recipient pair spacing: two messages to one phone are never sent in the same moment.

WhatsApp's pair rate limit (error 131056) refuses a second message to the same recipient
within about 6 s. The sender spaces them itself (WHATSAPP_PAIR_SPACING_SECONDS); 131056, if it
still comes, is retried with backoff as before.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from broadcasts import ratelimit, sending, services
from broadcasts.models import Delivery, DeliveryStatus, SandboxMessage
from people.models import Citizen
from tests.broadcasts.harness import cloud_provider
from tests.factories.people import CitizenFactory
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = pytest.mark.django_db
INVITE = (
    "community_group_invite",
    ["Rina", "Lanka PS", "Not Alone", "https://chat.whatsapp.com/x"],
)
ACK = ("complaint_acknowledgement", ["C-2026-17", "Lanka PS"])


def _queue_invite_and_acknowledgement(citizen: Citizen) -> tuple[Delivery, Delivery]:
    """What a station does in one second: invites a citizen and acknowledges her complaint."""
    invite = services.queue_message(
        citizen=citizen, purpose="groups.invite", template_name=INVITE[0], parameters=INVITE[1]
    )
    ack = services.queue_message(
        citizen=citizen, purpose="complaints.ack", template_name=ACK[0], parameters=ACK[1]
    )
    return invite, ack


def _drain(*, rounds: int = 40) -> None:
    """Run the single-message sender until nothing is pending (deferred rows come due)."""
    for _ in range(rounds):
        sending.run_sender(broadcast_id=None, time_budget=5)
        if not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists():
            return
        time.sleep(0.25)
    raise AssertionError("deliveries still pending")


class TestSandbox:
    def test_the_second_message_to_one_phone_is_deferred_not_sent_at_once(
        self, world, templates, settings
    ) -> None:
        settings.WHATSAPP_PAIR_SPACING_SECONDS = 6.0
        citizen = CitizenFactory(station=world.station, preferred_language="hi")
        other = CitizenFactory(station=world.station, preferred_language="hi")
        invite, ack = _queue_invite_and_acknowledgement(citizen)
        other_invite = services.queue_message(
            citizen=other, purpose="groups.invite", template_name=INVITE[0], parameters=INVITE[1]
        )
        report = sending.run_sender(broadcast_id=None, time_budget=5)
        assert report.sent == 2 and report.retried == 1
        assert SandboxMessage.objects.filter(to=citizen.phone).count() == 1
        assert SandboxMessage.objects.filter(to=other.phone).count() == 1  # others unaffected
        first, second = _sent_and_deferred(invite, ack)
        assert first.sent_at is not None
        assert second.defer_reason == sending.PAIR_SPACING_REASON
        assert second.attempts == 0  # our own spacing does not use up an attempt
        assert second.not_before - first.sent_at >= dt.timedelta(seconds=5)
        assert Delivery.objects.get(pk=other_invite.pk).status != DeliveryStatus.PENDING
        # Not yet due: another run sends nothing more to her.
        sending.run_sender(broadcast_id=None, time_budget=5)
        assert SandboxMessage.objects.filter(to=citizen.phone).count() == 1

    def test_spacing_zero_turns_it_off(self, world, templates, settings) -> None:
        settings.WHATSAPP_PAIR_SPACING_SECONDS = 0
        citizen = CitizenFactory(station=world.station, preferred_language="hi")
        _queue_invite_and_acknowledgement(citizen)
        assert sending.run_sender(broadcast_id=None, time_budget=5).sent == 2

    def test_a_cache_outage_sends_unspaced_rather_than_holding_messages(self, monkeypatch) -> None:
        def broken() -> None:
            raise ConnectionError("redis is down")

        monkeypatch.setattr(ratelimit, "redis_client", broken)
        assert ratelimit.PairSpacing(6.0).claim("+919800000001") is None


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeWhatsApp]:
    server = FakeWhatsApp().start()
    yield server
    server.stop()


@pytest.fixture
def fake(fake_server, settings, world) -> Iterator[FakeWhatsApp]:  # type: ignore[no-untyped-def]
    """The fake Cloud API with a 1-second pair window (Meta's is ~6 s), templates synced."""
    with cloud_provider(settings, fake_server, pair_window_s=1.0):
        yield fake_server


def _sent_and_deferred(*deliveries: Delivery) -> tuple[Delivery, Delivery]:
    """The one that went out and the one held back (which is which depends on thread timing)."""
    fresh = [Delivery.objects.get(pk=d.pk) for d in deliveries]
    held = [d for d in fresh if d.status == DeliveryStatus.PENDING]
    gone = [d for d in fresh if d.status != DeliveryStatus.PENDING]
    assert len(held) == 1 and len(gone) == 1, [d.status for d in fresh]
    return gone[0], held[0]


class TestAgainstTheFakeCloudApi:
    def test_spaced_messages_are_all_accepted_without_a_pair_limit_error(
        self, world, fake, settings
    ) -> None:
        settings.WHATSAPP_PAIR_SPACING_SECONDS = 1.0
        citizen = CitizenFactory(station=world.station, preferred_language="hi")
        invite, ack = _queue_invite_and_acknowledgement(citizen)
        _drain()
        wa_id = citizen.phone.lstrip("+")
        accepted = [r for r in fake.requests() if r["wa_id"] == wa_id]
        assert sorted(r["template"] for r in accepted) == sorted([INVITE[0], ACK[0]])
        assert [r for r in fake.rejected() if r["code"] == 131056] == []
        for delivery in (invite, ack):
            delivery.refresh_from_db()
            assert delivery.wamid and delivery.error_code is None and delivery.attempts == 1

    def test_without_spacing_131056_is_still_penalised_and_retried(
        self, world, fake, settings
    ) -> None:
        settings.WHATSAPP_PAIR_SPACING_SECONDS = 0
        citizen = CitizenFactory(station=world.station, preferred_language="hi")
        invite, ack = _queue_invite_and_acknowledgement(citizen)
        sending.run_sender(broadcast_id=None, time_budget=5)
        refused = [r for r in fake.rejected() if r["code"] == 131056]
        assert len(refused) == 1
        _first, retried = _sent_and_deferred(invite, ack)
        assert (retried.error_code, retried.attempts) == (131056, 1)
        _drain()
        retried.refresh_from_db()
        assert retried.wamid and retried.attempts >= 2  # sent on a later attempt


@pytest.mark.parametrize(
    ("attempts_before", "seconds"), [(0, 1), (1, 4), (2, 16), (3, 64), (5, 64)]
)
def test_131056_backs_off_1_4_16_64_seconds(attempts_before: int, seconds: int) -> None:
    from django.utils import timezone

    from broadcasts.providers import ErrorClass, ProviderError

    error = ProviderError("pair rate limit hit", code=131056, error_class=ErrorClass.PAIR_LIMIT)
    before = timezone.now()
    outcome = sending.outcome_of_error(sending.Claimed(1, attempts_before, None), error)
    assert outcome.status == DeliveryStatus.PENDING and outcome.not_before is not None
    waited = outcome.not_before - before
    assert dt.timedelta(seconds=seconds) <= waited < dt.timedelta(seconds=seconds + 1)


def test_a_refused_request_gives_the_window_back(world, fake, settings) -> None:
    """A 5xx reached nobody: its retry must not also wait out the spacing."""
    settings.WHATSAPP_PAIR_SPACING_SECONDS = 6.0
    fake.inject("5xx", count=1)
    citizen = CitizenFactory(station=world.station, preferred_language="hi")
    delivery = services.queue_message(
        citizen=citizen, purpose="groups.invite", template_name=INVITE[0], parameters=INVITE[1]
    )
    sending.run_sender(broadcast_id=None, time_budget=5)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.defer_reason == ""
    assert ratelimit.PairSpacing(6.0).claim(citizen.phone) is None  # the window was free
