"""Single messages (invites, acknowledgements) go through the outbox and the provider."""

from __future__ import annotations

import pytest
from django.utils import timezone

from broadcasts import demo, sending, services
from broadcasts.models import Delivery, DeliveryStatus, SandboxMessage
from people import services as people_services
from people.models import OptOutSource
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates() -> None:
    demo.seed_sandbox_templates()


def test_a_queued_invite_is_sent_once_in_the_citizens_language(world, templates) -> None:
    citizen = CitizenFactory(station=world.station, preferred_language="bn")
    delivery = services.queue_message(
        citizen=citizen,
        purpose="groups.invite",
        template_name="community_group_invite",
        parameters=["Rina", "Nabadwip PS", "Not Alone", "https://chat.whatsapp.com/x"],
        station=world.station,
    )
    report = sending.run_sender(broadcast_id=None, time_budget=5)
    sending.run_sender(broadcast_id=None, time_budget=5)
    delivery.refresh_from_db()
    assert report.sent == 1
    assert delivery.status in {DeliveryStatus.DELIVERED, DeliveryStatus.READ}  # simulated
    assert delivery.sent_at and delivery.delivered_at
    message = SandboxMessage.objects.get()
    assert message.wamid == delivery.wamid
    assert message.language == "bn"
    assert "Not Alone" in message.body and "নমস্কার Rina" in message.body


def test_an_opted_out_citizen_gets_a_skipped_delivery_and_nothing_sent(world, templates) -> None:
    citizen = CitizenFactory(station=world.station)
    people_services.opt_out_citizen(citizen=citizen, source=OptOutSource.KEYWORD)
    delivery = services.queue_message(
        citizen=citizen,
        purpose="groups.invite",
        template_name="community_group_invite",
        parameters=["a", "b", "c", "d"],
    )
    sending.run_sender(broadcast_id=None, time_budget=5)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SKIPPED
    assert not SandboxMessage.objects.exists()


def test_opt_out_between_queueing_and_sending_is_honoured(world, templates) -> None:
    citizen = CitizenFactory(station=world.station)
    delivery = services.queue_message(
        citizen=citizen,
        purpose="groups.invite",
        template_name="community_group_invite",
        parameters=["a", "b", "c", "d"],
    )
    people_services.opt_out_citizen(citizen=citizen, source=OptOutSource.PREFERENCES_WEBHOOK)
    sending.run_sender(broadcast_id=None, time_budget=5)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SKIPPED
    assert not SandboxMessage.objects.exists()


def test_unapproved_template_is_refused(world) -> None:
    with pytest.raises(services.TemplateNotAvailable):
        services.queue_message(
            citizen=CitizenFactory(station=world.station),
            purpose="x",
            template_name="community_group_invite",
            parameters=[],
        )


def test_statuses_only_move_forward(world, templates) -> None:
    citizen = CitizenFactory(station=world.station)
    delivery = services.queue_message(
        citizen=citizen, purpose="t", template_name="cyber_fraud_awareness", parameters=["X"]
    )
    delivery.status = DeliveryStatus.SENT  # as if the sandbox had not simulated anything yet
    delivery.save()
    sending.run_sender(broadcast_id=None, time_budget=5)
    delivery.refresh_from_db()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, delivered_at=None, read_at=None
    )
    now = timezone.now()

    def update(status: str) -> bool:
        return services.apply_status_update(
            services.StatusUpdate(
                status=status, wamid=delivery.wamid, delivery_id=None, timestamp=now
            )
        )

    assert update("read") is True
    assert update("delivered") is False
    assert update("sent") is False
    assert update("read") is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.READ
    assert delivery.delivered_at == now  # filled in although 'delivered' never came first
