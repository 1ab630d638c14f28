"""Database-level guards on postings and the audit log."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import InternalError, ProgrammingError

from accounts.models import AuditEvent, Posting, Role
from accounts.services import record_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class TestPostingConstraint:
    def test_it_refuses_a_station_role_bound_to_a_district(self, world) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Posting.objects.create(
                user=UserFactory(), role=Role.STATION_IC, district=world.district
            )

    def test_it_refuses_a_posting_with_two_units(self, world) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Posting.objects.create(
                user=UserFactory(),
                role=Role.DISTRICT_HEAD,
                district=world.district,
                station=world.station,
            )

    def test_it_refuses_a_posting_with_no_unit(self, world) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Posting.objects.create(user=UserFactory(), role=Role.STATE_HQ)

    def test_ngo_coordinator_may_be_bound_to_a_district(self, world) -> None:
        Posting.objects.create(
            user=UserFactory(), role=Role.NGO_COORDINATOR, district=world.district
        )


class TestAuditLogIsAppendOnly:
    def test_the_model_refuses_to_save_an_existing_event(self, world) -> None:
        event = record_event(actor=None, action="tests.event.written")
        event.action = "tests.event.rewritten"
        with pytest.raises(ValueError):
            event.save()

    def test_the_database_refuses_update_and_delete(self, world) -> None:
        event = record_event(actor=None, action="tests.event.written")
        for sql in (
            "UPDATE accounts_auditevent SET action = 'x.y' WHERE id = %s",
            "DELETE FROM accounts_auditevent WHERE id = %s",
        ):
            with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).action == "tests.event.written"

    def test_queryset_delete_is_refused_too(self, world) -> None:
        record_event(actor=None, action="tests.event.written")
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.count() == 1

    def test_action_codes_must_be_dotted(self, world) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.create(action="not dotted")
