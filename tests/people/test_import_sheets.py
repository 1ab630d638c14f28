"""Workbooks with several sheets: the visible sheet holding the list is read, or the officer says.

Office files often keep last year's list on a hidden first sheet; reading `worksheets[0]` sent
broadcasts to that old list. A hidden sheet is never read; when several visible sheets hold a
list the upload asks which one (page and API) instead of guessing.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from accounts.models import Role
from people import importing, services
from people.models import Citizen, ImportJob
from people.spreadsheets import ImportFileError
from tests.people.helpers import HEADER, csv_bytes, mobile, upload, workbook_bytes

pytestmark = pytest.mark.django_db


def _row(n: int, name: str = "") -> list[object]:
    return [mobile(n), name or f"नागरिक {n}", "paper form", "2026-01-15", "", "", "", ""]


def _list(*numbers: int) -> list[list[object]]:
    return [HEADER, *[_row(n) for n in numbers]]


def _create(world, content: bytes, name: str = "list.xlsx", **kwargs) -> ImportJob:  # type: ignore[no-untyped-def]
    job, _created = services.create_import_job(
        district=world.district, upload=upload(name, content), by=world.user(Role.CYBER_CELL),
        **kwargs,
    )  # fmt: skip
    return job


def _imported_phones(world, content: bytes, **kwargs) -> set[str]:  # type: ignore[no-untyped-def]
    job = _create(world, content, **kwargs)
    importing.run_import_job(job_id=job.pk)
    return set(Citizen.objects.values_list("phone", flat=True))


def _refused(world, content: bytes, **kwargs) -> ImportFileError:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError) as caught:
        _create(world, content, **kwargs)
    assert ImportJob.objects.count() == 0 and Citizen.objects.count() == 0
    return caught.value


THREE_WARDS = workbook_bytes(
    [
        ("Old list", _list(1, 2), "hidden"),
        ("Ward 1", _list(3), "visible"),
        ("Ward 2", _list(4, 5), "visible"),
    ],
    active=2,
)


class TestWhichSheetIsRead:
    def test_it_reads_the_visible_sheet_when_the_first_is_hidden(self, world) -> None:
        content = workbook_bytes(
            [("Old list", _list(1, 2), "hidden"), ("New list", _list(3), "visible")], active=1
        )
        job = _create(world, content)
        assert (job.sheet_name, job.rows_expected) == ("New list", 1)
        importing.run_import_job(job_id=job.pk)
        assert set(Citizen.objects.values_list("phone", flat=True)) == {f"+91{mobile(3)}"}

    def test_a_very_hidden_sheet_is_never_read_either(self, world) -> None:
        content = workbook_bytes(
            [("Macro data", _list(1), "veryHidden"), ("Citizens", _list(2), "visible")], active=1
        )
        assert _imported_phones(world, content) == {f"+91{mobile(2)}"}

    def test_a_notes_sheet_beside_the_list_needs_no_choice(self, world) -> None:
        notes = [["How to fill this list"], ["Write the mobile number without +91"]]
        content = workbook_bytes(
            [("Read me", notes, "visible"), ("Citizens", _list(7), "visible")], active=0
        )
        assert _imported_phones(world, content) == {f"+91{mobile(7)}"}

    def test_it_asks_which_sheet_when_several_visible_sheets_hold_a_list(self, world) -> None:
        error = _refused(world, THREE_WARDS)
        assert error.code == "choose_sheet"
        assert error.sheets == ["Ward 1", "Ward 2"]  # never the hidden one
        assert error.messages == [
            "This workbook has several sheets with a list: Ward 1, Ward 2. "
            "Choose the sheet to import."
        ]

    def test_it_imports_the_sheet_the_officer_chose(self, world) -> None:
        phones = _imported_phones(world, THREE_WARDS, sheet_name="Ward 2")
        assert phones == {f"+91{mobile(4)}", f"+91{mobile(5)}"}
        assert ImportJob.objects.get().sheet_name == "Ward 2"

    @pytest.mark.parametrize("name", ["Ward 9", "Old list"])
    def test_a_sheet_it_cannot_read_is_refused_with_the_names_it_can(self, world, name) -> None:
        error = _refused(world, THREE_WARDS, sheet_name=name)
        assert error.code == "unknown_sheet" and error.sheets == ["Ward 1", "Ward 2"]
        assert error.messages == [
            f"The workbook has no visible sheet named {name}. Its sheets: Ward 1, Ward 2."
        ]

    def test_a_workbook_whose_sheets_are_all_hidden_is_refused(self, world) -> None:
        # Excel and openpyxl never save this; a hand-edited or hostile file can.
        source, target = (
            zipfile.ZipFile(io.BytesIO(workbook_bytes([("Only", _list(1), "visible")]))),
            io.BytesIO(),
        )
        with zipfile.ZipFile(target, "w") as out:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "xl/workbook.xml":
                    data = data.replace(b'state="visible"', b'state="hidden"')
                out.writestr(item, data)
        assert _refused(world, target.getvalue()).code == "no_visible_sheet"

    def test_a_csv_has_no_sheets_to_choose(self, world) -> None:
        phones = _imported_phones(world, csv_bytes([_row(1)]), name="a.csv", sheet_name="x")
        assert phones == {f"+91{mobile(1)}"}
        assert ImportJob.objects.get().sheet_name == ""


class TestChoosingOnTheUploadPage:
    def test_the_form_offers_the_visible_sheets_and_imports_the_chosen_one(
        self, world, login
    ) -> None:
        client = login(world.user(Role.CYBER_CELL))
        url = reverse("people:import_list")
        data = {"district": world.district.pk, "file": upload("wards.xlsx", THREE_WARDS)}
        asked = client.post(url, data)
        assert asked.status_code == 400 and ImportJob.objects.count() == 0
        html = asked.content.decode()
        assert 'data-testid="sheet-choice"' in html
        assert '<option value="Ward 1">Ward 1</option>' in html
        assert '<option value="Ward 2" selected>Ward 2</option>' in html  # the active sheet
        assert "Old list" not in html
        assert "several sheets with a list" in html

        data = {**data, "file": upload("wards.xlsx", THREE_WARDS), "sheet": "Ward 1"}
        chosen = client.post(url, data)
        job = ImportJob.objects.get()
        assert chosen.status_code == 302 and job.sheet_name == "Ward 1"
        page = client.get(reverse("people:import_detail", args=[job.pk]))
        assert 'data-testid="import-sheet">Ward 1<' in page.content.decode()


class TestChoosingThroughTheApi:
    def test_an_ambiguous_workbook_gets_a_400_listing_its_sheets(self, world, login) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("api:people-import-create"), {"file": upload("w.xlsx", THREE_WARDS)}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "choose_sheet" and body["sheets"] == ["Ward 1", "Ward 2"]
        assert "Choose the sheet to import." in body["sheet"][0]
        assert ImportJob.objects.count() == 0

    def test_the_named_sheet_is_imported(self, world, login) -> None:
        client = login(world.user(Role.CYBER_CELL))
        response = client.post(
            reverse("api:people-import-create"),
            {"file": upload("w.xlsx", THREE_WARDS), "sheet": "Ward 2"},
        )
        assert response.status_code == 201, response.content
        assert (response.json()["sheet_name"], response.json()["rows_expected"]) == ("Ward 2", 2)

    def test_an_unknown_sheet_gets_a_400_listing_its_sheets(self, world, login) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("api:people-import-create"),
            {"file": upload("w.xlsx", THREE_WARDS), "sheet": "Old list"},
        )
        assert response.status_code == 400
        assert (response.json()["code"], response.json()["sheets"]) == (
            "unknown_sheet", ["Ward 1", "Ward 2"],
        )  # fmt: skip
