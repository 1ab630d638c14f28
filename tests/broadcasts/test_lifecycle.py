"""Broadcast audience, maker-checker, scheduling, fan-out, pause/resume/cancel."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Role
from broadcasts import audience, lifecycle, sending
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, SandboxMessage
from people import services as people_services
from people.models import Citizen, OptOutSource, Tag
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def _draft(world, template, **filters):  # type: ignore[no-untyped-def]
    return lifecycle.create_broadcast(
        district=world.district,
        title="Cyber fraud: OTP",
        template=template,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
        **filters,
    )


class TestAudience:
    def test_preview_counts_audience_suppressed_and_languages(self, world, awareness) -> None:
        CitizenFactory.create_batch(3, station=world.station, preferred_language="hi")
        CitizenFactory.create_batch(2, station=world.sibling_station, preferred_language="bn")
        opted = CitizenFactory(station=world.station)
        people_services.opt_out_citizen(citizen=opted, source=OptOutSource.KEYWORD)
        CitizenFactory(station=world.station, consent_source="", consent_at=None)
        CitizenFactory(station=world.other_station)  # another district: never in audience
        shown = audience.preview(_draft(world, awareness))
        assert (shown.audience, shown.suppressed, shown.recipients) == (7, 2, 5)
        assert shown.languages == {"hi": 3, "bn": 2}
        assert shown.estimated_seconds == 1
        assert shown.needs_approval is False

    def test_filters_by_station_tag_and_language(self, world, awareness) -> None:
        traders = Tag.objects.create(name="traders")
        a = CitizenFactory(station=world.station, preferred_language="hi")
        a.tags.add(traders)
        CitizenFactory(station=world.station, preferred_language="bn").tags.add(traders)
        CitizenFactory(station=world.sibling_station, preferred_language="hi").tags.add(traders)
        CitizenFactory(station=world.station, preferred_language="hi")
        broadcast = _draft(
            world, awareness, stations=[world.station], tags=[traders], languages=["hi"]
        )
        assert list(audience.audience_queryset(broadcast)) == [a]

    def test_stations_of_another_district_are_refused(self, world, awareness) -> None:
        with pytest.raises(ValidationError):
            _draft(world, awareness, stations=[world.other_station])


class TestMakerChecker:
    def test_small_broadcast_is_scheduled_by_its_maker(self, world, awareness) -> None:
        CitizenFactory.create_batch(3, station=world.station)
        broadcast = lifecycle.submit_broadcast(
            broadcast=_draft(world, awareness), by=world.user(Role.CYBER_CELL)
        )
        assert broadcast.status == Broadcast.Status.SCHEDULED

    def test_large_broadcast_needs_a_second_officer(
        self, world, awareness, checker, settings
    ) -> None:
        settings.BROADCAST_APPROVAL_THRESHOLD = 2
        CitizenFactory.create_batch(3, station=world.station)
        maker = world.user(Role.CYBER_CELL)
        broadcast = lifecycle.submit_broadcast(broadcast=_draft(world, awareness), by=maker)
        assert broadcast.status == Broadcast.Status.AWAITING_APPROVAL
        with pytest.raises(PermissionDenied):
            lifecycle.approve_broadcast(broadcast=broadcast, by=maker)
        with pytest.raises(PermissionDenied):
            lifecycle.approve_broadcast(broadcast=broadcast, by=world.strangers[Role.CYBER_CELL])
        with pytest.raises(PermissionDenied):
            lifecycle.approve_broadcast(broadcast=broadcast, by=world.user(Role.STATION_IC))
        approved = lifecycle.approve_broadcast(broadcast=broadcast, by=checker)
        assert approved.status == Broadcast.Status.SCHEDULED
        assert approved.approved_by == checker
        assert AuditEvent.objects.filter(action="broadcasts.broadcast.approved").count() == 1

    def test_station_officers_cannot_create_broadcasts(self, world, awareness) -> None:
        with pytest.raises(PermissionDenied):
            lifecycle.create_broadcast(
                district=world.district,
                title="x",
                template=awareness,
                parameters=["V"],
                by=world.user(Role.STATION_IC),
            )

    def test_empty_audience_cannot_be_submitted(self, world, awareness) -> None:
        with pytest.raises(ValidationError):
            lifecycle.submit_broadcast(
                broadcast=_draft(world, awareness), by=world.user(Role.CYBER_CELL)
            )


class TestFanOutAndSending:
    def _scheduled(self, world, awareness, n=5):  # type: ignore[no-untyped-def]
        CitizenFactory.create_batch(n, station=world.station)
        return lifecycle.submit_broadcast(
            broadcast=_draft(world, awareness), by=world.user(Role.CYBER_CELL)
        )

    def test_fan_out_is_set_based_and_idempotent(
        self, world, awareness, django_assert_max_num_queries
    ) -> None:
        broadcast = self._scheduled(world, awareness, n=40)
        with django_assert_max_num_queries(12):
            assert lifecycle.start_broadcast(broadcast_id=broadcast.pk) is True
        assert lifecycle.start_broadcast(broadcast_id=broadcast.pk) is False
        assert audience.fan_out(broadcast) == 40
        assert Delivery.objects.filter(broadcast=broadcast).count() == 40
        broadcast.refresh_from_db()
        assert broadcast.status == Broadcast.Status.SENDING

    def test_a_broadcast_is_sent_once_to_each_recipient_and_completes(
        self, world, awareness
    ) -> None:
        broadcast = self._scheduled(world, awareness)
        lifecycle.start_broadcast(broadcast_id=broadcast.pk)
        sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
        sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
        assert lifecycle.complete_if_done(broadcast_id=broadcast.pk) is True
        assert SandboxMessage.objects.count() == 5
        assert SandboxMessage.objects.values("to").distinct().count() == 5
        assert set(Delivery.objects.values_list("status", flat=True)) <= {
            DeliveryStatus.DELIVERED,
            DeliveryStatus.READ,
        }

    def test_opt_out_after_fan_out_is_honoured_at_send_time(self, world, awareness) -> None:
        broadcast = self._scheduled(world, awareness, n=3)
        lifecycle.start_broadcast(broadcast_id=broadcast.pk)
        victim = Citizen.objects.first()
        people_services.opt_out_citizen(citizen=victim, source=OptOutSource.KEYWORD)
        sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
        assert not SandboxMessage.objects.filter(to=victim.phone).exists()
        assert Delivery.objects.get(citizen=victim).status == DeliveryStatus.SKIPPED

    def test_paused_broadcast_sends_nothing_until_resumed(self, world, awareness) -> None:
        broadcast = self._scheduled(world, awareness, n=3)
        lifecycle.start_broadcast(broadcast_id=broadcast.pk)
        lifecycle.pause_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
        assert sending.run_sender(broadcast_id=broadcast.pk, time_budget=5).claimed == 0
        lifecycle.resume_broadcast(broadcast=broadcast, by=world.user(Role.DISTRICT_HEAD))
        assert sending.run_sender(broadcast_id=broadcast.pk, time_budget=5).sent == 3

    def test_cancel_skips_what_was_not_sent(self, world, awareness) -> None:
        broadcast = self._scheduled(world, awareness, n=3)
        lifecycle.start_broadcast(broadcast_id=broadcast.pk)
        lifecycle.cancel_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
        assert sending.run_sender(broadcast_id=broadcast.pk, time_budget=5).claimed == 0
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}
        assert not SandboxMessage.objects.exists()

    def test_due_time_is_respected(self, world, awareness) -> None:
        CitizenFactory.create_batch(2, station=world.station)
        later = timezone.now() + dt.timedelta(hours=2)
        broadcast = lifecycle.submit_broadcast(
            broadcast=_draft(world, awareness), by=world.user(Role.CYBER_CELL), send_at=later
        )
        assert lifecycle.start_due_broadcasts() == []
        assert lifecycle.start_due_broadcasts(now=later) == [broadcast.pk]


class TestQuietHours:
    @pytest.mark.parametrize(
        ("local", "quiet"),
        [("20:59", False), ("21:00", True), ("02:30", True), ("07:59", True), ("08:00", False)],
    )
    def test_default_window_is_21_to_8_ist(self, local: str, quiet: bool) -> None:
        hour, minute = map(int, local.split(":"))
        moment = dt.datetime(2026, 11, 22, hour, minute, tzinfo=IST)
        assert lifecycle.in_quiet_hours(moment) is quiet

    def test_dispatch_defers_sending_in_quiet_hours(self, world, awareness) -> None:
        from broadcasts import tasks

        CitizenFactory.create_batch(2, station=world.station)
        broadcast = lifecycle.submit_broadcast(
            broadcast=_draft(world, awareness), by=world.user(Role.CYBER_CELL)
        )
        with time_machine.travel(dt.datetime(2026, 11, 22, 22, 0, tzinfo=IST)):
            assert tasks.dispatch.run() == {"started": 0, "senders": 0}
        broadcast.refresh_from_db()
        assert broadcast.status == Broadcast.Status.SCHEDULED
