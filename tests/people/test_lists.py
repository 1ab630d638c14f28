"""Saved lists: built from an import ("also save as a list named ..."), scoped to their district."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from people import importing, services
from people.models import CitizenList, CitizenListMember, ImportJob, OptOutSource
from tests.factories.people import CitizenFactory
from tests.people.helpers import HEADER, csv_bytes, mobile, upload

pytestmark = pytest.mark.django_db
WRITERS = {"sql": importing.write_batch_sql, "orm": importing.write_batch_orm}


def _row(n: int, **over: object) -> list[object]:
    row: dict[str, object] = {
        "phone": mobile(n),
        "name": f"नागरिक {n}",
        "consent_source": "paper form",
        "consent_date": "2026-01-15",
        "station_code": "",
        "locality": "Lanka",
        "language": "",
        "tags": "",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def _import(world, rows, *, list_name="", writer="sql", by=None, district=None) -> ImportJob:  # type: ignore[no-untyped-def]
    job, _created = services.create_import_job(
        district=district or world.district,
        upload=upload("list.csv", csv_bytes(rows)),
        by=by or world.user(Role.CYBER_CELL),
        list_name=list_name,
    )
    done = importing.run_import_job(job_id=job.pk, writer=WRITERS[writer])
    assert done is not None
    return done


def _members(citizen_list: CitizenList) -> set[str]:
    ids = CitizenListMember.objects.filter(citizen_list=citizen_list).values("citizen_id")
    from people.models import Citizen

    return set(Citizen.objects.filter(pk__in=ids).values_list("phone", flat=True))


@pytest.mark.parametrize("writer", ["sql", "orm"])
def test_every_accepted_row_joins_the_list_and_no_rejected_one(world, writer, settings) -> None:
    settings.PEOPLE_IMPORT_BATCH_SIZE = 3  # several batches, each adding its own members
    known = CitizenFactory(phone=f"+91{mobile(2)}", station=world.station)
    services.opt_out_citizen(citizen=known, source=OptOutSource.KEYWORD)
    rows = [
        _row(1),
        _row(2),  # an existing (opted-out) citizen: updated, on the list, still opted out
        _row(3, phone="12345"),  # invalid
        _row(4),
        _row(1),  # duplicate in the file
        _row(5, consent_source=""),  # no consent source
        _row(6),
    ]
    job = _import(world, rows, list_name="  Mitan   2026 ", writer=writer)
    citizen_list = CitizenList.objects.get()
    assert citizen_list.name == "Mitan 2026"
    assert citizen_list.source_job == job and citizen_list.district == world.district
    assert job.imported == 4 and job.rejected == 3
    assert _members(citizen_list) == {f"+91{mobile(n)}" for n in (1, 2, 4, 6)}


def test_without_a_name_no_list_is_made(world) -> None:
    _import(world, [_row(1)])
    assert not CitizenList.objects.exists()


def test_list_names_are_unique_per_district_only(world) -> None:
    _import(world, [_row(1)], list_name="Traders")
    with pytest.raises(ValidationError):
        _import(world, [_row(2)], list_name="traders")
    assert ImportJob.objects.count() == 1  # nothing half-saved
    _import(
        world,
        [_row(3)],
        list_name="Traders",
        by=world.strangers[Role.CYBER_CELL],
        district=world.other_district,
    )
    assert CitizenList.objects.count() == 2


def test_erasure_takes_the_citizen_off_every_list(world) -> None:
    _import(world, [_row(1), _row(2)], list_name="Students")
    citizen_list = CitizenList.objects.get()
    citizen = citizen_list.members.get(phone=f"+91{mobile(1)}")
    services.erase_citizen(citizen=citizen, by=world.user(Role.CYBER_CELL), reason="request")
    assert _members(citizen_list) == {f"+91{mobile(2)}"}


class TestPages:
    @pytest.fixture
    def saved(self, world) -> CitizenList:  # type: ignore[no-untyped-def]
        _import(world, [_row(1), _row(2)], list_name="College students")
        opted = CitizenList.objects.get().members.get(phone=f"+91{mobile(2)}")
        services.opt_out_citizen(citizen=opted, source=OptOutSource.KEYWORD)
        return CitizenList.objects.get()

    def test_our_district_sees_the_list_with_its_counts(self, world, login, saved) -> None:
        client = login(world.user(Role.CYBER_CELL))
        index = client.get(reverse("people:list_index"))
        assert index.status_code == 200 and "College students" in index.content.decode()
        detail = client.get(reverse("people:list_detail", args=[saved.pk]))
        assert detail.status_code == 200
        assert detail.context["citizen_list"].member_count == 2
        assert detail.context["citizen_list"].messageable_count == 1
        job_page = client.get(reverse("people:import_detail", args=[saved.source_job_id]))
        assert 'data-testid="import-list"' in job_page.content.decode()

    @pytest.mark.parametrize("role", [Role.CYBER_CELL, Role.DISTRICT_HEAD, Role.STATE_HQ])
    def test_another_district_gets_nothing(self, world, login, saved, role) -> None:
        client = login(world.strangers[role])
        assert client.get(reverse("people:list_detail", args=[saved.pk])).status_code == 404
        index = client.get(reverse("people:list_index"))
        assert "College students" not in index.content.decode()

    def test_station_roles_have_no_list_pages(self, world, login, saved) -> None:
        client = login(world.user(Role.STATION_IC))
        assert client.get(reverse("people:list_index")).status_code == 404
        assert client.get(reverse("people:list_detail", args=[saved.pk])).status_code == 404

    def test_the_upload_form_saves_a_list_and_a_taken_name_is_a_form_error(
        self, world, login
    ) -> None:
        client = login(world.user(Role.CYBER_CELL))
        token = client.get(reverse("people:import_list")).context["form"].initial["token"]
        content = csv_bytes([_row(1)])
        data = {
            "district": world.district.pk,
            "token": token,
            "list_name": "Mitan",
            "file": upload("mitan.csv", content),
        }
        first = client.post(reverse("people:import_list"), data)
        assert first.status_code == 302
        assert CitizenList.objects.get().name == "Mitan"
        data["file"] = upload("mitan.csv", content)
        again = client.post(reverse("people:import_list"), data)  # double submit: replayed
        assert again.status_code == 302 and again["Location"] == first["Location"]
        data.update(token="", file=upload("other.csv", csv_bytes([_row(2)])))
        taken = client.post(reverse("people:import_list"), data)
        assert taken.status_code == 400
        assert taken.context["form"].errors["list_name"]
        assert ImportJob.objects.count() == 1 and CitizenList.objects.count() == 1
