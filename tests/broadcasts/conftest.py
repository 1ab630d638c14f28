from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import Role
from broadcasts import demo
from broadcasts.models import MessageTemplate
from tests.factories import UserFactory
from tests.factories.accounts import PostingFactory
from tests.fakes.whatsapp_server import FakeWhatsApp, WebhookRecorder

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "samples"
SAMPLE_SECRET = "fake_app_secret_for_tests"


@pytest.fixture
def templates(db) -> None:  # type: ignore[no-untyped-def]
    demo.seed_sandbox_templates()


@pytest.fixture
def awareness(templates) -> MessageTemplate:  # type: ignore[no-untyped-def]
    return MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")


@pytest.fixture
def checker(world):  # type: ignore[no-untyped-def]
    """A second authorised officer of the same district (the cyber cell's colleague)."""
    user = UserFactory(username="our_second_cyber")
    PostingFactory(user=user, role=Role.CYBER_CELL, station=None, district=world.district)
    return user


@pytest.fixture
def sample():  # type: ignore[no-untyped-def]
    """(raw bytes, signature header) of a sample webhook from ../shared/whatsapp/samples."""
    signatures = json.loads((SAMPLES / "signatures.json").read_text())["signatures"]

    def _sample(name: str) -> tuple[bytes, str]:
        return (SAMPLES / name).read_bytes(), signatures[name]

    return _sample


# ---- the fake Cloud API over HTTP, with the webhooks it really posts -------------------------
# One fake process and one webhook receiver per test module (module scope); `fake` makes it this
# process's provider for one test, reset, with no pair limit and no pair spacing.


@pytest.fixture(scope="module")
def hooks() -> Iterator[WebhookRecorder]:
    with WebhookRecorder() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def fake_server(hooks) -> Iterator[FakeWhatsApp]:  # type: ignore[no-untyped-def]
    server = FakeWhatsApp().start(webhook_url=hooks.url, pair_window_s=0, status_delay_ms=1)
    yield server
    server.stop()


@pytest.fixture
def fake(fake_server, hooks, settings, world) -> Iterator[FakeWhatsApp]:  # type: ignore[no-untyped-def]
    from tests.broadcasts.harness import cloud_provider

    with cloud_provider(settings, fake_server, pair_window_s=0, pair_spacing_s=0):
        hooks.clear()
        yield fake_server
