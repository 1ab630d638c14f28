"""Fixtures for the fake WhatsApp Cloud API's own contract tests.

One fake process and one webhook receiver serve the whole session; `wa` resets both before each
test (reset() restores the start options below, so a test's configure() never leaks).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.whatsapp_server import FakeWhatsApp, WebhookRecorder

FAST = {
    "status_delay_ms": 10,
    "webhook_linger_ms": 5,
    "webhook_retry_base_ms": 20,
    "webhook_concurrency": 1,  # one POST at a time: arrival order is due order
    "seed": 7,
}


@pytest.fixture(scope="session")
def recorder() -> Iterator[WebhookRecorder]:
    with WebhookRecorder() as rec:
        yield rec


@pytest.fixture(scope="session")
def fake_server(recorder: WebhookRecorder) -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp().start(webhook_url=recorder.url, **FAST) as fake:
        yield fake


@pytest.fixture
def wa(fake_server: FakeWhatsApp, recorder: WebhookRecorder) -> FakeWhatsApp:
    fake_server.reset()
    recorder.clear()
    return fake_server


@pytest.fixture
def api(wa: FakeWhatsApp) -> Iterator[httpx.Client]:
    """An httpx client that authenticates like the portal's."""
    headers = {"Authorization": f"Bearer {wa.token}"}
    with httpx.Client(base_url=wa.base_url, headers=headers, timeout=10.0) as client:
        yield client
