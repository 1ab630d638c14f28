"""Exports of the review report: XLSX, CSV and PDF carry the page's figures; large ones go
through the Celery task; downloads belong to the user who asked; every export is audited."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from reports import tasks
from reports.models import ReportExport
from tests.reports.conftest import PERIOD, PLANTED_NAME

pytestmark = pytest.mark.django_db

CUSTOM = {"period": "custom", "from": PERIOD.start.isoformat(), "to": PERIOD.end.isoformat()}


@pytest.fixture
def hindi(planted):  # type: ignore[no-untyped-def]
    planted.station.name_local = "कैंट"
    planted.station.save(update_fields=["name_local"])
    planted.district.name = "वाराणसी"
    return planted


def _page_totals(client) -> dict:  # type: ignore[no-untyped-def]
    return client.get(reverse("reports:review"), CUSTOM).context["report"].totals.values


def test_the_xlsx_opens_and_its_totals_row_equals_the_pages(hindi, login) -> None:  # type: ignore[no-untyped-def]
    client = login(hindi.user("district_head"))
    response = client.get(reverse("reports:review_export", args=["xlsx"]), CUSTOM)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "2026-09-01" in sheet["A1"].value
    assert sheet.freeze_panes == "B3"
    assert sheet["A2"].font.bold
    header = [cell.value for cell in sheet[2]]
    totals = [cell.value for cell in sheet[sheet.max_row]]
    page = _page_totals(client)
    assert totals[header.index("Complaints received")] == page["received"] == 3
    assert totals[header.index("Counselling settlements")] == page["counselling_settlements"]
    assert totals[header.index("People reached")] == page["people_reached"] == 120
    assert totals[header.index("Disposed within SLA (%)")] == page["within_sla_pct"]
    assert "कैंट" in [cell.value for cell in sheet["B"]]
    assert AuditEvent.objects.filter(action="reports.review.exported").count() == 1


def test_the_csv_totals_line_equals_the_pages(hindi, login) -> None:  # type: ignore[no-untyped-def]
    client = login(hindi.user("district_head"))
    response = client.get(reverse("reports:review_export", args=["csv"]), CUSTOM)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, totals = lines[1], lines[-1]
    page = _page_totals(client)
    assert int(totals[header.index("Complaints received")]) == page["received"]
    assert int(totals[header.index("Accused arrested")]) == page["accused_arrested"]
    assert len(lines) == 2 + 2 + 1  # title, header, two stations, totals


def test_no_export_carries_a_victim_identity(hindi, login) -> None:  # type: ignore[no-untyped-def]
    client = login(hindi.user("district_head"))
    for fmt in ("csv", "xlsx"):
        content = client.get(reverse("reports:review_export", args=[fmt]), CUSTOM).content
        assert PLANTED_NAME.encode() not in content
        assert b"Followed to the college gate" not in content


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_text_layer_holds_devanagari(hindi, login, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = login(hindi.user("district_head"))
    response = client.get(reverse("reports:review_export", args=["pdf"]), CUSTOM)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "कैंट" in text
    assert "Complaints" in text


def test_a_large_export_runs_as_a_task_and_only_its_owner_may_download_it(
    hindi, login, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.REPORTS_SYNC_EXPORT_MAX_STATIONS = 1
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    owner = hindi.user("district_head")
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("reports:review_export", args=["xlsx"]), CUSTOM)
    assert len(callbacks) == 1  # the task is enqueued after commit
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export_status", args=[export.pk])
    assert export.status == "queued" and export.station_count == 2
    status = client.get(response["Location"])
    assert 'hx-trigger="every 1s"' in status.content.decode()
    assert tasks.build_review_export(export.pk) == "done"
    assert tasks.build_review_export(export.pk) == ""  # a second delivery does nothing
    export.refresh_from_db()
    assert export.progress == 100 and export.file.name.startswith("reports/exports/")
    assert 'data-testid="export-download"' in client.get(response["Location"]).content.decode()
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [c.value for c in sheet[sheet.max_row]][3] == _page_totals(client)["received"]
    colleague = login(hindi.user("state_hq"))
    assert colleague.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    assert colleague.get(reverse("reports:export_status", args=[export.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="reports.review.export_requested").count() == 1


def test_a_foreign_district_export_is_404_even_through_the_task_path(
    hindi, login, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.REPORTS_SYNC_EXPORT_MAX_STATIONS = 0
    client = login(hindi.strangers["district_head"])
    params = {**CUSTOM, "district": hindi.district.pk}
    assert client.get(reverse("reports:review_export", args=["csv"]), params).status_code == 404
    assert not ReportExport.objects.exists()
