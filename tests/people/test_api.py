"""The people API: masked citizens, list uploads with Idempotency-Key, import status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from people import importing
from people.models import ImportJob
from tests.factories.people import CitizenFactory, TagFactory
from tests.people.helpers import csv_bytes, mobile, upload

pytestmark = pytest.mark.django_db


def _rows(n: int, bad: int = 0) -> bytes:
    rows = [[mobile(i), f"N{i}", "paper"] for i in range(n)]
    rows += [["12", "Bad", "paper"] for _ in range(bad)]
    return csv_bytes(rows, header=["phone", "name", "consent_source"])


class TestCitizensApi:
    def test_list_masks_phones_and_stays_in_the_jurisdiction(self, world, login) -> None:
        CitizenFactory(station=world.station, name="Sita", phone="+919876500001")
        CitizenFactory(station=world.sibling_station, name="Rina")
        CitizenFactory(station=world.other_station, name="Mala")
        data = login(world.user(Role.CYBER_CELL)).get(reverse("api:people-citizen-list")).json()
        assert data["count"] == 2
        sita = next(c for c in data["results"] if c["name"] == "Sita")
        assert sita["phone"] == "+91••••••0001" and "9876500001" not in str(data)
        assert sita["station"] == world.station.code and sita["may_receive_messages"] is True

    def test_station_officers_get_their_station_only(self, world, login) -> None:
        CitizenFactory(station=world.station, name="Sita")
        CitizenFactory(station=world.sibling_station, name="Rina")
        data = login(world.user(Role.STATION_OFFICER)).get(reverse("api:people-citizen-list"))
        assert [c["name"] for c in data.json()["results"]] == ["Sita"]

    def test_filters(self, world, login) -> None:
        tag = TagFactory(name="traders")
        CitizenFactory(station=world.station, name="Sita").tags.add(tag)
        CitizenFactory(station=world.station, name="Bela", preferred_language="bn")
        client = login(world.user(Role.DISTRICT_HEAD))
        url = reverse("api:people-citizen-list")
        assert [c["name"] for c in client.get(url, {"tag": tag.pk}).json()["results"]] == ["Sita"]
        assert [c["name"] for c in client.get(url, {"language": "bn"}).json()["results"]] == [
            "Bela"
        ]
        assert client.get(url, {"tag": "x", "station": "y"}).json()["count"] == 2

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404_on_detail_and_see_none_of_ours(self, world, login, role) -> None:
        ours = CitizenFactory(station=world.station)
        client = login(world.strangers[role])
        assert client.get(reverse("api:people-citizen-detail", args=[ours.pk])).status_code == 404
        listed = client.get(reverse("api:people-citizen-list"))
        assert listed.status_code == (404 if role == Role.NGO_COORDINATOR else 200)
        if listed.status_code == 200:
            assert listed.json()["count"] == 0

    def test_detail(self, world, login) -> None:
        ours = CitizenFactory(station=world.station, phone="+919876500009")
        data = login(world.user(Role.STATION_IC)).get(
            reverse("api:people-citizen-detail", args=[ours.pk])
        )
        assert data.status_code == 200 and data.json()["phone"] == "+91••••••0009"

    def test_query_budget(self, world, login, django_assert_max_num_queries) -> None:
        tags = TagFactory.create_batch(3)
        for citizen in CitizenFactory.create_batch(60, station=world.station):
            citizen.tags.add(*tags)
        client = login(world.user(Role.CYBER_CELL))
        with django_assert_max_num_queries(10):  # 5 of them: session, user, postings, save
            response = client.get(reverse("api:people-citizen-list"))
        assert len(response.json()["results"]) == 50


class TestImportApi:
    def test_an_upload_is_queued_and_its_status_reports_the_result(self, world, login) -> None:
        client = login(world.user(Role.CYBER_CELL))
        response = client.post(
            reverse("api:people-import-create"), {"file": upload("a.csv", _rows(4, bad=1))}
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["rows_expected"], body["district"]) == (
            "queued", 5, world.district.code,
        )  # fmt: skip
        assert response["Location"] == reverse("api:people-import-detail", args=[body["id"]])
        importing.run_import_job(job_id=body["id"])
        status = client.get(response["Location"]).json()
        assert status["status"] == "done" and status["percent"] == 100
        assert (status["rows_read"], status["imported_created"], status["rejected"]) == (5, 4, 1)
        assert status["rejected_by_reason"] == {"invalid_phone": 1}

    def test_the_same_idempotency_key_returns_the_first_import(self, world, login) -> None:
        client = login(world.user(Role.CYBER_CELL))
        url = reverse("api:people-import-create")
        first = client.post(url, {"file": upload("a.csv", _rows(2))}, HTTP_IDEMPOTENCY_KEY="abc")
        again = client.post(url, {"file": upload("a.csv", _rows(2))}, HTTP_IDEMPOTENCY_KEY="abc")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json()["id"] == first.json()["id"]
        assert again["Idempotent-Replayed"] == "true"
        other = client.post(url, {"file": upload("b.csv", _rows(3))}, HTTP_IDEMPOTENCY_KEY="abc")
        assert other.status_code == 422
        fresh = client.post(url, {"file": upload("a.csv", _rows(2))}, HTTP_IDEMPOTENCY_KEY="xyz")
        assert fresh.json()["id"] != first.json()["id"]
        assert ImportJob.objects.count() == 2

    def test_another_user_with_the_same_key_gets_its_own_import(self, world, login) -> None:
        url = reverse("api:people-import-create")
        a = login(world.user(Role.CYBER_CELL)).post(
            url, {"file": upload("a.csv", _rows(2))}, HTTP_IDEMPOTENCY_KEY="same"
        )
        b = login(world.user(Role.DISTRICT_HEAD)).post(
            url, {"file": upload("a.csv", _rows(2))}, HTTP_IDEMPOTENCY_KEY="same"
        )
        assert a.json()["id"] != b.json()["id"]

    def test_a_broken_file_gets_400_and_nothing_is_stored(self, world, login) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("api:people-import-create"), {"file": upload("a.xlsx", b"not a workbook")}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "not_xlsx"
        assert ImportJob.objects.count() == 0

    def test_missing_file_is_a_400(self, world, login) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(reverse("api:people-import-create"))
        assert response.status_code == 400 and "file" in response.json()

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404_for_our_district_and_our_imports(self, world, login, role) -> None:
        job_id = (
            login(world.user(Role.CYBER_CELL))
            .post(reverse("api:people-import-create"), {"file": upload("a.csv", _rows(1))})
            .json()["id"]
        )
        client = login(world.strangers[role])
        response = client.post(
            reverse("api:people-import-create"),
            {"file": upload("a.csv", _rows(1)), "district": world.district.pk},
        )
        assert response.status_code == 404
        assert client.get(reverse("api:people-import-detail", args=[job_id])).status_code == 404
        assert ImportJob.objects.count() == 1

    def test_state_hq_may_read_but_not_upload(self, world, login) -> None:
        client = login(world.user(Role.STATE_HQ))
        response = client.post(
            reverse("api:people-import-create"),
            {"file": upload("a.csv", _rows(1)), "district": world.district.pk},
        )
        assert response.status_code == 403
        assert (
            client.post(
                reverse("api:people-import-create"), {"file": upload("a.csv", _rows(1))}
            ).status_code
            == 404
        )  # no district of its own to import into

    def test_station_officers_cannot_upload(self, world, login) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("api:people-import-create"), {"file": upload("a.csv", _rows(1))}
        )
        assert response.status_code == 404

    def test_status_query_budget(self, world, login, django_assert_max_num_queries) -> None:
        client = login(world.user(Role.CYBER_CELL))
        job_id = client.post(
            reverse("api:people-import-create"), {"file": upload("a.csv", _rows(50, bad=50))}
        ).json()["id"]
        importing.run_import_job(job_id=job_id)
        with django_assert_max_num_queries(8):
            data = client.get(reverse("api:people-import-detail", args=[job_id])).json()
        assert data["rejected"] == 50
