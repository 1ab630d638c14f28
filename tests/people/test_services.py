"""Officer actions on a citizen: erasure on request (DPDP), opt-out on request, phone looks."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, Role
from broadcasts import audience, demo, lifecycle, sending
from broadcasts.models import Delivery, MessageTemplate
from people import importing, services
from people.models import Citizen, ErasedPhone, ImportRejectedRow, OptOutSource
from tests.factories.people import CitizenFactory, TagFactory
from tests.people.helpers import csv_bytes, upload

pytestmark = pytest.mark.django_db
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@pytest.fixture
def awareness(db) -> MessageTemplate:  # type: ignore[no-untyped-def]
    demo.seed_sandbox_templates()
    return MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")


@pytest.fixture
def sita(world) -> Citizen:  # type: ignore[no-untyped-def]
    citizen = CitizenFactory(
        station=world.station, name="Sita Devi", phone="+919876500001", locality="Lanka"
    )
    citizen.tags.add(TagFactory(name="traders"))
    return citizen


class TestEraseCitizen:
    def test_the_name_and_phone_are_gone_from_the_row(self, world, sita) -> None:
        erased = services.erase_citizen(
            citizen=sita, by=world.user(Role.CYBER_CELL), reason="written request, 12 May"
        )
        row = Citizen.objects.filter(pk=sita.pk).values().get()
        assert (row["name"], row["locality"], row["consent_note"]) == ("", "", "")
        assert row["phone"] == f"+999{sita.pk:012d}" and E164.match(row["phone"])
        assert "9876500001" not in str(row)
        assert row["erased_at"] is not None and row["opted_out_at"] is not None
        assert row["opt_out_source"] == OptOutSource.ERASURE
        assert not erased.tags.exists() and not erased.may_receive_messages
        assert row["consent_source"] == sita.consent_source  # the consent record stays

    def test_it_writes_one_audit_row_without_the_name(self, world, sita) -> None:
        by = world.user(Role.DISTRICT_HEAD)
        services.erase_citizen(citizen=sita, by=by, reason="written request")
        services.erase_citizen(citizen=sita, by=by, reason="again")
        event = AuditEvent.objects.get(action="people.citizen.erased")
        assert (event.actor, event.target_id, event.data) == (
            by, str(sita.pk), {"reason": "written request"},
        )  # fmt: skip
        assert "Sita" not in event.target_repr and "9876500001" not in event.target_repr

    def test_placeholders_are_unique(self, world) -> None:
        citizens = CitizenFactory.create_batch(3, station=world.station)
        for citizen in citizens:
            services.erase_citizen(citizen=citizen, by=world.user(Role.CYBER_CELL), reason="r")
        phones = set(Citizen.objects.values_list("phone", flat=True))
        assert len(phones) == 3 and all(p.startswith("+999") for p in phones)

    def test_the_list_page_and_the_api_no_longer_show_them(self, world, sita, login) -> None:
        services.erase_citizen(citizen=sita, by=world.user(Role.CYBER_CELL), reason="r")
        client = login(world.user(Role.CYBER_CELL))
        for url in [
            reverse("people:citizen_list"),
            reverse("people:citizen_detail", args=[sita.pk]),
            reverse("api:people-citizen-list"),
            reverse("api:people-citizen-detail", args=[sita.pk]),
        ]:
            body = client.get(url).content.decode()
            assert "Sita" not in body and "9876500001" not in body and "Lanka" not in body, url
        detail = client.get(reverse("api:people-citizen-detail", args=[sita.pk])).json()
        assert detail["name"] == "" and detail["erased_at"] is not None
        assert client.post(reverse("people:citizen_phone", args=[sita.pk])).status_code == 403

    def test_a_broadcast_fan_out_skips_them(self, world, sita, awareness) -> None:
        by = world.user(Role.CYBER_CELL)
        other = CitizenFactory(station=world.station)
        before = lifecycle.create_broadcast(
            district=world.district, title="Before", template=awareness, parameters=["V"], by=by
        )
        lifecycle.submit_broadcast(broadcast=before, by=by)
        audience.fan_out(before)
        pending = Delivery.objects.get(broadcast=before, citizen=sita)
        services.erase_citizen(citizen=sita, by=by, reason="written request")
        after = lifecycle.create_broadcast(
            district=world.district, title="After", template=awareness, parameters=["V"], by=by
        )
        lifecycle.submit_broadcast(broadcast=after, by=by)
        assert audience.fan_out(after) == 1
        assert list(Delivery.objects.filter(broadcast=after).values_list("citizen", flat=True)) == [
            other.pk
        ]
        pending.refresh_from_db()
        assert sending.suppression_reason(pending) == "erased"  # queued before: never sent

    def test_a_later_import_cannot_bring_them_back(self, world, sita) -> None:
        by = world.user(Role.CYBER_CELL)
        services.erase_citizen(citizen=sita, by=by, reason="written request")
        assert ErasedPhone.objects.count() == 1
        job, _created = services.create_import_job(
            district=world.district,
            upload=upload(
                "a.csv",
                csv_bytes(
                    [["9876500001", "Sita Devi", "paper"]],
                    header=["phone", "name", "consent_source"],
                ),
            ),
            by=by,
        )
        done = importing.run_import_job(job_id=job.pk)
        assert done is not None and (done.rejected, done.imported_created) == (1, 0)
        assert done.rejected_rows.get().reason == "erased_on_request"
        assert not Citizen.objects.filter(name="Sita Devi").exists()

    def test_rejected_import_rows_with_the_number_lose_their_values(self, world, sita) -> None:
        by = world.user(Role.CYBER_CELL)
        rows = [["9876500001", "Sita Devi", "paper"], ["+91 98765 00001", "Sita again", "paper"]]
        job, _created = services.create_import_job(
            district=world.district,
            upload=upload("a.csv", csv_bytes(rows, header=["phone", "name", "consent_source"])),
            by=by,
        )
        importing.run_import_job(job_id=job.pk)
        assert ImportRejectedRow.objects.get().values[1] == "Sita again"
        services.erase_citizen(citizen=sita, by=by, reason="r")
        row = ImportRejectedRow.objects.get()
        assert (row.values, row.phone, row.reason) == ([], "", "duplicate_in_file")

    @pytest.mark.parametrize("role", [Role.STATE_HQ, Role.STATION_IC, Role.STATION_OFFICER])
    def test_only_the_district_cyber_cell_or_head_may_erase(self, world, sita, role) -> None:
        with pytest.raises(PermissionDenied):
            services.erase_citizen(citizen=sita, by=world.user(role), reason="r")
        with pytest.raises(PermissionDenied):
            services.erase_citizen(citizen=sita, by=world.strangers[Role.CYBER_CELL], reason="r")
        assert Citizen.objects.get(pk=sita.pk).erased_at is None

    def test_a_reason_is_required(self, world, sita) -> None:
        with pytest.raises(ValidationError):
            services.erase_citizen(citizen=sita, by=world.user(Role.CYBER_CELL), reason="  ")
        assert Citizen.objects.get(pk=sita.pk).erased_at is None


class TestOptOutOnRequest:
    def test_it_uses_the_officer_source_and_happens_once(self, world, sita) -> None:
        by = world.user(Role.STATION_IC)
        assert services.opt_out_on_request(citizen=sita, by=by) is True
        assert services.opt_out_on_request(citizen=sita, by=by) is False
        sita.refresh_from_db()
        assert sita.opt_out_source == OptOutSource.OFFICER
        assert AuditEvent.objects.filter(action="people.citizen.opted_out").count() == 1

    def test_an_officer_of_another_station_may_not(self, world, sita) -> None:
        from tests.factories.accounts import PostingFactory, UserFactory

        officer = UserFactory(username="sibling_officer")
        PostingFactory(user=officer, role=Role.STATION_OFFICER, station=world.sibling_station)
        with pytest.raises(PermissionDenied):
            services.opt_out_on_request(citizen=sita, by=officer)


def test_revealing_a_phone_is_audited(world, sita) -> None:
    by = world.user(Role.STATE_HQ)
    assert services.reveal_phone(citizen=sita, by=by) == "+919876500001"
    assert AuditEvent.objects.filter(action="people.citizen.phone_viewed", actor=by).count() == 1
