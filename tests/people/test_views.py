"""Citizen and import pages: who sees what, masked phones, audited looks, uploads, downloads."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from people import importing, services
from people.models import Citizen, ImportJob, OptOutSource
from tests.factories.accounts import PostingFactory, UserFactory
from tests.factories.people import CitizenFactory, TagFactory
from tests.people.helpers import HEADER, csv_bytes, mobile, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
DISTRICT_VIEWERS = [Role.CYBER_CELL, Role.DISTRICT_HEAD, Role.STATE_HQ]
NON_POLICE = ["ngo_coordinator", "no_posting"]


def _user(world, who: str):  # type: ignore[no-untyped-def]
    if who == "no_posting":
        return UserFactory(username="unposted_person")
    return world.user(who)


@pytest.fixture
def citizens(world):  # type: ignore[no-untyped-def]
    ours = CitizenFactory(station=world.station, name="Sita Devi", phone="+919876500001")
    sibling = CitizenFactory(station=world.sibling_station, name="Rina Das", phone="+919876500002")
    theirs = CitizenFactory(station=world.other_station, name="Mala Roy", phone="+919876500003")
    return ours, sibling, theirs


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(c.name for c in response.context["page"])


class TestCitizenList:
    @pytest.mark.parametrize("role", DISTRICT_VIEWERS)
    def test_district_level_users_see_the_whole_district(
        self, world, login, citizens, role
    ) -> None:
        page = login(world.user(role)).get(reverse("people:citizen_list"))
        assert page.status_code == 200
        assert _names(page) == ["Rina Das", "Sita Devi"]

    def test_station_officers_see_only_their_station(self, world, login, citizens) -> None:
        for role in [Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE]:
            page = login(world.user(role)).get(reverse("people:citizen_list"))
            assert _names(page) == ["Sita Devi"]

    @pytest.mark.parametrize("role", [r for r in Role.values if r != Role.NGO_COORDINATOR])
    def test_police_of_another_state_never_see_ours(self, world, login, citizens, role) -> None:
        page = login(world.strangers[role]).get(reverse("people:citizen_list"))
        assert page.status_code == 200
        assert "Sita Devi" not in page.content.decode()

    @pytest.mark.parametrize("who", NON_POLICE)
    def test_users_without_a_police_posting_get_404(self, world, login, who) -> None:
        assert login(_user(world, who)).get(reverse("people:citizen_list")).status_code == 404

    def test_anonymous_visitor_is_sent_to_login(self, client) -> None:
        response = client.get(reverse("people:citizen_list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_phones_are_masked(self, world, login, citizens) -> None:
        html = login(world.user(Role.CYBER_CELL)).get(reverse("people:citizen_list")).content
        assert b"9876500001" not in html
        assert "+91••••••0001".encode() in html

    def test_search_by_name_and_by_phone_digits_in_any_script(self, world, login, citizens) -> None:
        client = login(world.user(Role.CYBER_CELL))
        url = reverse("people:citizen_list")
        assert _names(client.get(url, {"q": "sita"})) == ["Sita Devi"]
        assert _names(client.get(url, {"q": "0002"})) == ["Rina Das"]
        assert _names(client.get(url, {"q": "००००२"})) == ["Rina Das"]
        assert _names(client.get(url, {"q": "0003"})) == []  # another state's citizen

    def test_filters_station_language_opt_out_and_tag(self, world, login, citizens) -> None:
        ours, sibling, _theirs = citizens
        bengali = CitizenFactory(station=world.station, name="Bela", preferred_language="bn")
        services.opt_out_citizen(citizen=sibling, source=OptOutSource.KEYWORD)
        traders = TagFactory(name="traders")
        ours.tags.add(traders)
        client = login(world.user(Role.CYBER_CELL))
        url = reverse("people:citizen_list")
        assert _names(client.get(url, {"station": world.sibling_station.pk})) == ["Rina Das"]
        assert _names(client.get(url, {"language": "bn"})) == [bengali.name]
        assert _names(client.get(url, {"opted_out": "yes"})) == ["Rina Das"]
        assert _names(client.get(url, {"opted_out": "no"})) == ["Bela", "Sita Devi"]
        assert _names(client.get(url, {"tag": traders.pk})) == ["Sita Devi"]

    def test_filters_never_reach_outside_the_jurisdiction(self, world, login, citizens) -> None:
        client = login(world.user(Role.STATION_IC))
        page = client.get(reverse("people:citizen_list"), {"station": world.other_station.pk})
        assert _names(page) == ["Sita Devi"]  # a foreign station is not a valid choice: ignored

    def test_htmx_request_gets_only_the_rows(self, world, login, citizens) -> None:
        page = login(world.user(Role.CYBER_CELL)).get(
            reverse("people:citizen_list"), HTTP_HX_REQUEST="true"
        )
        assert page.templates[0].name == "people/_citizen_rows.html"

    def test_query_count_does_not_grow_with_citizens(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        tag = TagFactory(name="mitan")
        for citizen in CitizenFactory.create_batch(60, station=world.station):
            citizen.tags.add(tag)
        client = login(world.user(Role.CYBER_CELL))
        with django_assert_max_num_queries(14):  # 6: session, user, postings, session save
            response = client.get(reverse("people:citizen_list"), {"tag": tag.pk})
        assert len(response.context["page"]) == 25


class TestPhoneReveal:
    def test_showing_a_phone_is_audited(self, world, login, citizens) -> None:
        ours = citizens[0]
        user = world.user(Role.CYBER_CELL)
        response = login(user).post(
            reverse("people:citizen_phone", args=[ours.pk]), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert b"+919876500001" in response.content
        event = AuditEvent.objects.get(action="people.citizen.phone_viewed")
        assert (event.actor, event.target_id) == (user, str(ours.pk))

    def test_without_htmx_the_detail_page_shows_the_number(self, world, login, citizens) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("people:citizen_phone", args=[citizens[0].pk])
        )
        assert response.status_code == 200 and b'href="tel:+919876500001"' in response.content

    def test_get_does_not_reveal(self, world, login, citizens) -> None:
        client = login(world.user(Role.CYBER_CELL))
        assert client.get(reverse("people:citizen_phone", args=[citizens[0].pk])).status_code == 405
        assert not AuditEvent.objects.filter(action="people.citizen.phone_viewed").exists()

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, world, login, citizens, role) -> None:
        response = login(world.strangers[role]).post(
            reverse("people:citizen_phone", args=[citizens[0].pk])
        )
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="people.citizen.phone_viewed").exists()

    def test_a_sibling_station_gets_404(self, world, login, citizens) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("people:citizen_phone", args=[citizens[1].pk])
        )
        assert response.status_code == 404


class TestCitizenDetail:
    def test_it_shows_the_consent_record_and_the_opt_out_history(
        self, world, login, citizens
    ) -> None:
        ours = citizens[0]
        services.opt_out_citizen(citizen=ours, source=OptOutSource.KEYWORD)
        page = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("people:citizen_detail", args=[ours.pk])
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert "Entered by an officer with the citizen&#x27;s consent" in html
        assert "Opted out on" in html and "STOP keyword on WhatsApp" in html
        assert [e["label"] for e in page.context["history"]] == ["Opted out"]
        assert "9876500001" not in html

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, world, login, citizens, role) -> None:
        page = login(world.strangers[role]).get(
            reverse("people:citizen_detail", args=[citizens[0].pk])
        )
        assert page.status_code == 404

    def test_a_colleague_at_a_sibling_station_and_a_missing_citizen_get_404(
        self, world, login, citizens
    ) -> None:
        client = login(world.user(Role.STATION_OFFICER))
        assert (
            client.get(reverse("people:citizen_detail", args=[citizens[1].pk])).status_code == 404
        )
        assert client.get(reverse("people:citizen_detail", args=[99999999])).status_code == 404

    def test_query_budget(self, world, login, citizens, django_assert_max_num_queries) -> None:
        ours = citizens[0]
        ours.tags.add(*TagFactory.create_batch(5))
        for _ in range(20):
            services.reveal_phone(citizen=ours, by=world.user(Role.CYBER_CELL))
        client = login(world.user(Role.CYBER_CELL))
        with django_assert_max_num_queries(10):
            assert client.get(reverse("people:citizen_detail", args=[ours.pk])).status_code == 200


class TestOptOutOnRequest:
    def test_the_cyber_cell_records_an_opt_out(self, world, login, citizens) -> None:
        ours = citizens[0]
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("people:citizen_opt_out", args=[ours.pk])
        )
        assert response.status_code == 302
        ours.refresh_from_db()
        assert ours.opt_out_source == OptOutSource.OFFICER and ours.opted_out_at is not None
        assert AuditEvent.objects.filter(action="people.citizen.opted_out").count() == 1

    def test_an_officer_of_the_citizens_station_may_record_it(self, world, login, citizens) -> None:
        login(world.user(Role.STATION_OFFICER)).post(
            reverse("people:citizen_opt_out", args=[citizens[0].pk])
        )
        citizens[0].refresh_from_db()
        assert citizens[0].opted_out_at is not None

    def test_state_hq_may_look_but_not_act(self, world, login, citizens) -> None:
        response = login(world.user(Role.STATE_HQ)).post(
            reverse("people:citizen_opt_out", args=[citizens[0].pk])
        )
        assert response.status_code == 403
        citizens[0].refresh_from_db()
        assert citizens[0].opted_out_at is None

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, world, login, citizens, role) -> None:
        response = login(world.strangers[role]).post(
            reverse("people:citizen_opt_out", args=[citizens[0].pk])
        )
        assert response.status_code == 404


class TestEraseOnRequest:
    def test_the_cyber_cell_erases_after_confirming(self, world, login, citizens) -> None:
        ours = citizens[0]
        client = login(world.user(Role.CYBER_CELL))
        url = reverse("people:citizen_erase", args=[ours.pk])
        assert client.get(url).status_code == 200
        refused = client.post(url, {"reason": "written request"})
        assert refused.status_code == 200 and refused.context["form"].errors["confirm"]
        assert client.post(url, {"reason": "written request", "confirm": "on"}).status_code == 302
        ours.refresh_from_db()
        assert ours.erased_at is not None and ours.name == ""
        page = client.get(reverse("people:citizen_list"))
        assert b"Sita Devi" not in page.content and b"9876500001" not in page.content
        assert b"Erased citizen" in page.content

    @pytest.mark.parametrize("role", [Role.STATE_HQ, Role.STATION_IC, Role.STATION_OFFICER])
    def test_only_district_managers_may_erase(self, world, login, citizens, role) -> None:
        url = reverse("people:citizen_erase", args=[citizens[0].pk])
        client = login(world.user(role))
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 404
        assert Citizen.objects.filter(erased_at__isnull=False).count() == 0

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, world, login, citizens, role) -> None:
        url = reverse("people:citizen_erase", args=[citizens[0].pk])
        assert login(world.strangers[role]).get(url).status_code == 404


def _finished_job(world, rows: list[list[object]]) -> ImportJob:  # type: ignore[no-untyped-def]
    job, _created = services.create_import_job(
        district=world.district,
        upload=upload("list.csv", csv_bytes(rows)),
        by=world.user(Role.CYBER_CELL),
    )
    importing.run_import_job(job_id=job.pk)
    job.refresh_from_db()
    return job


def _row(n: int, phone: str | None = None, **over: object) -> list[object]:
    values = {"phone": phone or mobile(n), "name": f"N{n}", "consent_source": "paper"}
    values.update(over)
    return [values.get(h, "") for h in HEADER]


class TestImportPages:
    def test_the_cyber_cell_sees_the_upload_form(self, world, login) -> None:
        page = login(world.user(Role.CYBER_CELL)).get(reverse("people:import_list"))
        assert page.status_code == 200 and page.context["may_import"] is True
        assert b'data-testid="upload-form"' in page.content

    def test_state_hq_sees_the_imports_but_no_upload_form(self, world, login) -> None:
        _finished_job(world, [_row(1)])
        page = login(world.user(Role.STATE_HQ)).get(reverse("people:import_list"))
        assert page.status_code == 200 and page.context["may_import"] is False
        assert len(page.context["jobs"]) == 1

    @pytest.mark.parametrize(
        "who", [Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE, *NON_POLICE]
    )
    def test_station_and_non_police_users_get_404(self, world, login, who) -> None:
        assert login(_user(world, who)).get(reverse("people:import_list")).status_code == 404

    def test_an_upload_creates_a_queued_job_and_shows_its_page(self, world, login) -> None:
        client = login(world.user(Role.CYBER_CELL))
        form = client.get(reverse("people:import_list")).context["form"]
        # One set of bytes for both submits: an XLSX embeds its creation time, so building it
        # twice can give different files (which the replay rightly refuses).
        content = xlsx_bytes([_row(n) for n in range(3)])
        data = {
            "district": world.district.pk,
            "token": form.initial["token"],
            "file": upload("mitan.xlsx", content),
        }
        response = client.post(reverse("people:import_list"), data)
        job = ImportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("people:import_detail", args=[job.pk])
        assert (job.status, job.rows_expected, job.original_name) == ("queued", 3, "mitan.xlsx")
        data["file"] = upload("mitan.xlsx", content)
        again = client.post(reverse("people:import_list"), data)  # a double submit
        assert again["Location"] == response["Location"] and ImportJob.objects.count() == 1

    def test_a_broken_file_is_refused_with_a_clear_message(self, world, login) -> None:
        client = login(world.user(Role.CYBER_CELL))
        data = {"district": world.district.pk, "file": upload("list.xlsx", b"just text")}
        response = client.post(reverse("people:import_list"), data)
        assert response.status_code == 400
        assert "This is not an Excel workbook we can read." in response.content.decode()
        assert ImportJob.objects.count() == 0

    def test_a_district_the_user_does_not_manage_is_refused(self, world, login) -> None:
        client = login(world.user(Role.CYBER_CELL))
        data = {
            "district": world.sibling_district.pk,
            "file": upload("list.csv", csv_bytes([_row(1)])),
        }
        assert client.post(reverse("people:import_list"), data).status_code == 400
        assert ImportJob.objects.count() == 0

    def test_the_result_page_lists_every_rejected_row(self, world, login) -> None:
        rows = [_row(1), _row(2, phone="12"), _row(3, name=""), _row(1), _row(4)]
        job = _finished_job(world, rows)
        page = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("people:import_detail", args=[job.pk])
        )
        html = page.content.decode()
        assert [r.row_number for r in page.context["page"]] == [3, 4, 5]
        assert "Not a valid phone number" in html and "Name missing" in html
        assert "Same number as row 2 of this file" in html
        assert "Imported 2 + rejected 3 = 5 rows read." in html

    def test_rejected_rows_filter_by_reason(self, world, login) -> None:
        job = _finished_job(world, [_row(1), _row(2, phone="12"), _row(3, name="")])
        page = login(world.user(Role.CYBER_CELL)).get(
            reverse("people:import_detail", args=[job.pk]), {"reason": "missing_name"}
        )
        assert [r.row_number for r in page.context["page"]] == [4]

    def test_the_status_fragment_polls_until_the_job_is_over(self, world, login) -> None:
        job, _created = services.create_import_job(
            district=world.district,
            upload=upload("a.csv", csv_bytes([_row(1)])),
            by=world.user(Role.CYBER_CELL),
        )
        client = login(world.user(Role.CYBER_CELL))
        url = reverse("people:import_status", args=[job.pk])
        waiting = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
        assert (
            b'hx-trigger="every 1s"' in waiting.content
            and b'data-status="queued"' in waiting.content
        )
        importing.run_import_job(job_id=job.pk)
        done = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
        assert done["HX-Refresh"] == "true"

    def test_the_rejected_rows_download_as_csv_with_the_files_columns(self, world, login) -> None:
        rows = [_row(1), _row(2, phone="=HYPERLINK(1)"), _row(3, name="", phone="+91 98765 43213")]
        job = _finished_job(world, rows)
        response = login(world.user(Role.CYBER_CELL)).get(
            reverse("people:import_rejected_csv", args=[job.pk])
        )
        body = b"".join(response.streaming_content).decode("utf-8")
        assert body.startswith("\ufeff")
        lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert lines[0] == [
            "phone", "name", "consent_source", "consent_date", "station_code", "locality",
            "language", "tags", "row", "reason", "reason_text",
        ]  # fmt: skip
        assert lines[1][0] == "'=HYPERLINK(1)" and lines[1][8:10] == ["3", "invalid_phone"]
        assert lines[2][0] == "+91 98765 43213" and lines[2][9] == "missing_name"
        assert len(lines) == 1 + job.rejected
        assert AuditEvent.objects.filter(action="people.import.rejected_downloaded").count() == 1

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404_on_every_import_page(self, world, login, role) -> None:
        job = _finished_job(world, [_row(1), _row(2, phone="1")])
        client = login(world.strangers[role])
        for name in ["import_detail", "import_status", "import_rejected_csv"]:
            assert client.get(reverse(f"people:{name}", args=[job.pk])).status_code == 404, name

    def test_station_officers_of_the_district_get_404_on_import_pages(self, world, login) -> None:
        job = _finished_job(world, [_row(1)])
        client = login(world.user(Role.STATION_IC))
        assert client.get(reverse("people:import_detail", args=[job.pk])).status_code == 404

    def test_query_budget_with_many_rejected_rows(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        job = _finished_job(world, [_row(n, phone=str(n)) for n in range(200)])
        assert job.rejected == 200
        client = login(world.user(Role.CYBER_CELL))
        with django_assert_max_num_queries(10):
            page = client.get(reverse("people:import_detail", args=[job.pk]))
        assert len(page.context["page"]) == 50
        with django_assert_max_num_queries(10):
            client.get(reverse("people:import_list"))

    def test_the_menu_offers_imports_to_the_cyber_cell_only(self, world, login) -> None:
        url = reverse("people:import_list").encode()
        assert url in login(world.user(Role.CYBER_CELL)).get(reverse("home")).content
        assert url not in login(world.user(Role.STATION_IC)).get(reverse("home")).content


def test_the_empty_template_names_the_columns(world, login) -> None:
    response = login(world.user(Role.CYBER_CELL)).get(reverse("people:import_template"))
    assert response.content.decode("utf-8") == (
        "\ufeffphone,name,consent_source,consent_date,station_code,locality,language,tags\r\n"
    )


def test_a_second_cyber_cell_officer_sees_the_colleagues_import(world, login) -> None:
    colleague = UserFactory(username="second_cyber")
    PostingFactory(user=colleague, role=Role.CYBER_CELL, station=None, district=world.district)
    job = _finished_job(world, [_row(1)])
    response = login(colleague).get(reverse("people:import_detail", args=[job.pk]))
    assert response.status_code == 200
