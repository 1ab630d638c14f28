"""Template sync from the (fake) Cloud API over real HTTP, following Meta's paging."""

from __future__ import annotations

import pytest

from broadcasts import templates_sync
from broadcasts.models import MessageTemplate
from tests.broadcasts.harness import cloud_settings
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    server = FakeWhatsApp().start()
    yield server
    server.stop()


def test_sync_upserts_every_page_and_only_approved_can_be_broadcast(settings, fake) -> None:
    cloud_settings(settings, fake)
    fake.configure(template_status={"complaint_acknowledgement": "PAUSED"})
    first = templates_sync.sync_templates(by=None)
    assert first.created == 9 and first.updated == 0
    assert fake.stats()["template_lists"] >= 1
    invite = MessageTemplate.objects.get(name="community_group_invite", language="bn")
    assert invite.parameter_count == 4 and invite.status == MessageTemplate.Status.APPROVED
    paused = MessageTemplate.objects.filter(name="complaint_acknowledgement")
    assert {t.status for t in paused} == {MessageTemplate.Status.PAUSED}
    again = templates_sync.sync_templates(by=None)
    assert (again.created, again.updated) == (0, 9)


def test_an_unreachable_api_is_a_clear_error_not_a_crash(settings, fake) -> None:
    cloud_settings(settings, fake)
    fake.stop()
    with pytest.raises(templates_sync.SyncFailed):
        templates_sync.sync_templates(by=None)


def test_sandbox_has_nothing_to_sync(settings) -> None:
    from broadcasts.providers import reset_provider

    settings.WHATSAPP_PROVIDER = "sandbox"
    reset_provider()
    with pytest.raises(templates_sync.SyncFailed):
        templates_sync.sync_templates(by=None)
