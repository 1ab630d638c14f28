"""The outbox's references without per-row foreign keys (broadcasts migration 0005).

Delivery.citizen and Delivery.broadcast have no database constraint (a 1M-row fan-out paid
~2M row-by-row RI checks for them); statement-level triggers check the same things set-based.
These tests prove the guarantees did not change: nothing can point at a citizen or broadcast
that does not exist, by ORM or raw SQL, and the fan-out still reaches each recipient once.
"""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from accounts.models import Role
from broadcasts import audience, lifecycle
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from people import services as people_services
from people.models import Citizen, OptOutSource, Tag
from tests.factories.people import CitizenFactory
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

MISSING_ID = 2_000_000_000  # no citizen or broadcast has this id in a test database


def _broadcast(world, template: MessageTemplate, **filters) -> Broadcast:  # type: ignore[no-untyped-def]
    return lifecycle.create_broadcast(
        district=world.district,
        title="Integrity",
        template=template,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
        **filters,
    )


def _delivery(broadcast: Broadcast, citizen: Citizen) -> Delivery:
    return Delivery.objects.create(broadcast=broadcast, citizen=citizen)


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _commit_checks() -> None:
    """Run the deferred checks now, as COMMIT would (the test's transaction never commits)."""
    _raw("SET CONSTRAINTS ALL IMMEDIATE", [])


class TestInsert:
    def test_a_citizen_that_does_not_exist_is_refused(self, world, awareness) -> None:
        broadcast = _broadcast(world, awareness)
        with pytest.raises(IntegrityError, match="citizen"), transaction.atomic():
            Delivery.objects.create(broadcast=broadcast, citizen_id=MISSING_ID)
        assert not Delivery.objects.exists()

    def test_a_broadcast_that_does_not_exist_is_refused(self, world) -> None:
        citizen = CitizenFactory(station=world.station)
        with pytest.raises(IntegrityError, match="broadcast"), transaction.atomic():
            Delivery.objects.create(broadcast_id=MISSING_ID, citizen=citizen)
        assert not Delivery.objects.exists()

    def test_one_bad_row_saves_none_of_a_multi_row_insert(self, world, awareness) -> None:
        broadcast = _broadcast(world, awareness)
        good = CitizenFactory.create_batch(3, station=world.station)
        rows = [Delivery(broadcast=broadcast, citizen=c) for c in good]
        rows.insert(1, Delivery(broadcast=broadcast, citizen_id=MISSING_ID))
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.bulk_create(rows)  # one INSERT ... VALUES of four rows
        assert not Delivery.objects.exists()

    def test_one_bad_row_saves_none_of_a_raw_insert_select(self, world, awareness) -> None:
        broadcast = _broadcast(world, awareness)
        good = CitizenFactory.create_batch(2, station=world.station)
        ids = [c.pk for c in good] + [MISSING_ID]
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw(
                "INSERT INTO broadcasts_delivery (broadcast_id, citizen_id, purpose, parameters,"
                " text, status, not_before, defer_reason, attempts, error_title, created_at)"
                " SELECT %s, id, 'broadcast', '[]', '', 'pending', now(), '', 0, '', now()"
                " FROM unnest(%s::bigint[]) AS id",
                [broadcast.pk, ids],
            )
        assert not Delivery.objects.exists()

    def test_single_messages_without_a_broadcast_still_save(self, world, awareness) -> None:
        citizen = CitizenFactory(station=world.station)
        delivery = Delivery.objects.create(
            citizen=citizen, station=world.station, template=awareness, purpose="invite"
        )
        assert Delivery.objects.get(pk=delivery.pk).broadcast_id is None


class TestUpdate:
    def test_a_delivery_cannot_move_to_another_citizen(self, world, awareness) -> None:
        broadcast = _broadcast(world, awareness)
        first, second = CitizenFactory.create_batch(2, station=world.station)
        delivery = _delivery(broadcast, first)
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(citizen=second)
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(citizen_id=MISSING_ID)
        assert Delivery.objects.get(pk=delivery.pk).citizen_id == first.pk

    def test_a_delivery_cannot_move_to_another_broadcast(self, world, awareness) -> None:
        first, second = _broadcast(world, awareness), _broadcast(world, awareness)
        delivery = _delivery(first, CitizenFactory(station=world.station))
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(broadcast=second)
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(broadcast=None)
        assert Delivery.objects.get(pk=delivery.pk).broadcast_id == first.pk

    def test_status_updates_and_full_saves_still_work(self, world, awareness) -> None:
        delivery = _delivery(_broadcast(world, awareness), CitizenFactory(station=world.station))
        assert Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT) == 1
        delivery.refresh_from_db()
        delivery.status = DeliveryStatus.READ
        delivery.save()  # writes every column, citizen_id and broadcast_id unchanged
        assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.READ

    def test_a_referenced_id_cannot_change(self, world, awareness) -> None:
        broadcast = _broadcast(world, awareness)
        citizen = CitizenFactory(station=world.station)
        _delivery(broadcast, citizen)
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw("UPDATE people_citizen SET id = %s WHERE id = %s", [MISSING_ID, citizen.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw(
                "UPDATE broadcasts_broadcast SET id = %s WHERE id = %s",
                [MISSING_ID, broadcast.pk],
            )


class TestDelete:
    def test_raw_delete_of_a_citizen_with_a_delivery_is_refused(self, world, awareness) -> None:
        citizen = CitizenFactory(station=world.station)
        _delivery(_broadcast(world, awareness), citizen)
        with pytest.raises(IntegrityError, match=f"citizen {citizen.pk}"), transaction.atomic():
            _raw("DELETE FROM people_citizen WHERE id = %s", [citizen.pk])
            _commit_checks()
        assert Citizen.objects.filter(pk=citizen.pk).exists()

    def test_raw_delete_of_a_citizen_without_deliveries_works(self, world, awareness) -> None:
        kept, gone = CitizenFactory.create_batch(2, station=world.station)
        _delivery(_broadcast(world, awareness), kept)
        _raw("DELETE FROM people_citizen WHERE id = %s", [gone.pk])
        _commit_checks()
        assert not Citizen.objects.filter(pk=gone.pk).exists()

    def test_raw_delete_of_a_broadcast_with_deliveries_is_refused(self, world, awareness) -> None:
        broadcast = _broadcast(world, awareness)
        _delivery(broadcast, CitizenFactory(station=world.station))
        with pytest.raises(IntegrityError, match=f"broadcast {broadcast.pk}"), transaction.atomic():
            _raw("DELETE FROM broadcasts_broadcast WHERE id = %s", [broadcast.pk])
            _commit_checks()
        assert Broadcast.objects.filter(pk=broadcast.pk).exists()

    def test_orm_delete_of_a_broadcast_cascades_its_deliveries(self, world, awareness) -> None:
        broadcast, other = _broadcast(world, awareness), _broadcast(world, awareness)
        citizens = CitizenFactory.create_batch(3, station=world.station)
        for citizen in citizens:
            _delivery(broadcast, citizen)
        kept = _delivery(other, citizens[0])
        broadcast.delete()
        _commit_checks()
        assert list(Delivery.objects.values_list("pk", flat=True)) == [kept.pk]

    def test_orm_delete_of_a_citizen_with_deliveries_is_protected(self, world, awareness) -> None:
        citizen = CitizenFactory(station=world.station)
        _delivery(_broadcast(world, awareness), citizen)
        with pytest.raises(ProtectedError), transaction.atomic():
            citizen.delete()
        assert Citizen.objects.filter(pk=citizen.pk).exists()

    def test_truncating_a_parent_alone_is_refused(self, world, awareness) -> None:
        _delivery(_broadcast(world, awareness), CitizenFactory(station=world.station))
        _commit_checks()  # TRUNCATE refuses a table with pending (deferred) trigger events
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw("TRUNCATE people_citizen CASCADE", [])
        with pytest.raises(IntegrityError), transaction.atomic():
            _raw("TRUNCATE broadcasts_broadcast CASCADE", [])
        assert Delivery.objects.count() == 1
        with transaction.atomic():  # together with the outbox (as a test flush does): fine
            _raw("TRUNCATE people_citizen, broadcasts_broadcast, broadcasts_delivery CASCADE", [])
        assert not Delivery.objects.exists()


class TestFanOut:
    def test_each_recipient_once_and_a_second_run_adds_nothing(self, world, awareness) -> None:
        traders, students = Tag.objects.create(name="traders"), Tag.objects.create(name="students")
        both = CitizenFactory(station=world.station)
        both.tags.add(traders, students)  # matches the tag filter twice
        only_one = CitizenFactory(station=world.sibling_station)
        only_one.tags.add(students)
        opted_out = CitizenFactory(station=world.station)
        opted_out.tags.add(traders)
        people_services.opt_out_citizen(citizen=opted_out, source=OptOutSource.KEYWORD)
        CitizenFactory(station=world.station)  # no tag picked
        CitizenFactory(station=world.other_station).tags.add(traders)  # another district
        broadcast = _broadcast(world, awareness, tags=[traders, students])

        assert audience.fan_out(broadcast) == 2
        assert sorted(Delivery.objects.values_list("citizen_id", flat=True)) == sorted(
            [both.pk, only_one.pk]
        )
        assert audience.fan_out(broadcast) == 2
        assert Delivery.objects.filter(broadcast=broadcast).count() == 2

    def test_a_rerun_counts_what_an_earlier_run_inserted(self, world, awareness) -> None:
        citizens = CitizenFactory.create_batch(3, station=world.station)
        broadcast = _broadcast(world, awareness)
        _delivery(broadcast, citizens[0])  # as if an earlier fan-out had been interrupted
        assert audience.fan_out(broadcast) == 3
        assert Delivery.objects.filter(broadcast=broadcast).count() == 3


def test_seed_load_checks_the_unconstrained_references(world, awareness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """seed_load switches every trigger off for its bulk insert; its set-based check after
    that must cover the two references the outbox keeps with triggers, not constraints."""
    from portal.management.commands import seed_load

    broadcast = _broadcast(world, awareness)
    _delivery(broadcast, CitizenFactory(station=world.station))
    monkeypatch.setattr(seed_load, "WRITTEN", [Delivery])
    seed_load.Command().validate_foreign_keys()  # consistent: passes
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE broadcasts_delivery SET citizen_id = %s", [MISSING_ID])
        cursor.execute("SET LOCAL session_replication_role = origin")
    with pytest.raises(CommandError, match=r"broadcasts_delivery\.citizen_id"):
        seed_load.Command().validate_foreign_keys()


class TestStationAndTemplate:
    """Single messages carry a station and a template: checked set-based too (migration 0006)."""

    def _single(self, world, awareness) -> Delivery:  # type: ignore[no-untyped-def]
        return Delivery.objects.create(
            citizen=CitizenFactory(station=world.station),
            station=world.station,
            template=awareness,
            purpose="groups.invite",
        )

    def test_a_station_that_does_not_exist_is_refused(self, world, awareness) -> None:
        citizen = CitizenFactory(station=world.station)
        with pytest.raises(IntegrityError, match="station"), transaction.atomic():
            Delivery.objects.create(
                citizen=citizen, station_id=MISSING_ID, template=awareness, purpose="invite"
            )
        assert not Delivery.objects.exists()

    def test_a_template_that_does_not_exist_is_refused(self, world) -> None:
        citizen = CitizenFactory(station=world.station)
        with pytest.raises(IntegrityError, match="template"), transaction.atomic():
            Delivery.objects.create(citizen=citizen, template_id=MISSING_ID, purpose="invite")
        assert not Delivery.objects.exists()

    def test_raw_delete_of_a_station_or_template_in_use_is_refused(self, world, awareness) -> None:
        lone = StationFactory(district=world.district)  # nothing but the delivery points at it
        Delivery.objects.create(
            citizen=CitizenFactory(station=world.station),
            station=lone,
            template=awareness,
            purpose="groups.invite",
        )
        refused = f"stations_station {lone.pk} still has deliveries"
        with pytest.raises(IntegrityError, match=refused), transaction.atomic():
            _raw("DELETE FROM stations_station WHERE id = %s", [lone.pk])
            _commit_checks()
        refused = f"broadcasts_messagetemplate {awareness.pk} still has deliveries"
        with pytest.raises(IntegrityError, match=refused):
            with transaction.atomic():
                _raw("DELETE FROM broadcasts_messagetemplate WHERE id = %s", [awareness.pk])
                _commit_checks()
        assert MessageTemplate.objects.filter(pk=awareness.pk).exists()

    def test_orm_delete_of_a_template_in_use_is_protected(self, world, awareness) -> None:
        self._single(world, awareness)
        with pytest.raises(ProtectedError), transaction.atomic():
            awareness.delete()

    def test_a_delivery_cannot_move_to_another_station(self, world, awareness) -> None:
        delivery = self._single(world, awareness)
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(station=world.other_station)
        delivery.refresh_from_db()
        assert delivery.station_id == world.station.pk

    def test_an_unused_template_can_still_be_deleted(self, world, awareness) -> None:
        spare = MessageTemplate.objects.exclude(pk=awareness.pk).first()
        assert spare is not None
        self._single(world, awareness)
        _raw("DELETE FROM broadcasts_messagetemplate WHERE id = %s", [spare.pk])
        _commit_checks()
        assert not MessageTemplate.objects.filter(pk=spare.pk).exists()
