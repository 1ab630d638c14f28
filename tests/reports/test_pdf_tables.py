"""PDF tables put every column on paper: a table wider than the page is split into column
sections, each on its own pages with the row-name column repeated, for any number of columns
and rows. pdftotext drops text that falls off the page, so finding a heading in its output
means the heading is printed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from reports import exports, pdf_tables
from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed"
)

CUSTOM = {"period": "custom", "from": PERIOD.start.isoformat(), "to": PERIOD.end.isoformat()}


def pdf_pages(content: bytes, tmp_path: Path) -> list[str]:
    """The printed text of each page, all whitespace removed (headings wrap inside cells)."""
    pdf = tmp_path / "table.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f") if page.strip()]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.django_db
def test_the_review_pdf_prints_every_column_heading_and_every_station(
    planted, login, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    client = login(planted.user("district_head"))
    response = client.get(reverse("reports:review_export", args=["pdf"]), CUSTOM)
    assert response.status_code == 200
    report = client.get(reverse("reports:review"), CUSTOM).context["report"]
    pages = pdf_pages(response.content, tmp_path)
    printed = "".join(pages)
    headings = exports.header(report)
    assert len(headings) == 24
    missing = [heading for heading in headings if squeeze(heading) not in printed]
    assert missing == []
    for name in [row.name for row in report.rows]:
        # The station column is repeated: the station is on every page of the table.
        assert all(squeeze(name) in page for page in pages), name


def test_column_sections_repeat_the_row_names_and_hold_every_column_once() -> None:
    sections = pdf_tables.column_sections(24, repeat=1, per_section=11)
    assert len(sections) == 3
    assert all(section[0] == 0 for section in sections)
    data = [index for section in sections for index in section[1:]]
    assert data == list(range(1, 24))
    sizes = [len(section) - 1 for section in sections]
    assert max(sizes) - min(sizes) <= 1  # balanced, no lonely last column
    assert pdf_tables.column_sections(5, repeat=1, per_section=11) == [[0, 1, 2, 3, 4]]
    assert pdf_tables.column_sections(1, repeat=1, per_section=11) == [[0]]


def test_a_table_of_many_columns_and_rows_prints_every_heading_row_name_and_cell(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    columns, rows = 45, 80  # four column sections, each over several pages
    header = ["Station name", *(f"Figure number {c:02d} of the month" for c in range(1, columns))]
    body = [
        [f"Thana{r:03d} Kotwali", *(f"[{r}.{c}]" for c in range(1, columns))] for r in range(rows)
    ]
    table = pdf_tables.PdfTable(
        title="Wide and long",
        header=header,
        rows=body,
        totals=[["Total", *(f"[t.{c}]" for c in range(1, columns))]],
        numeric=frozenset(range(1, columns)),
    )
    pages = pdf_pages(pdf_tables.render_pdf(table), tmp_path)
    printed = "".join(pages)
    sections = pdf_tables.column_sections(columns, repeat=1)
    assert len(sections) > 1
    assert len(pages) > len(sections)  # the rows flow on over more pages
    assert [heading for heading in header if squeeze(heading) not in printed] == []
    assert [cell for row in body for cell in row[1:] if cell not in printed] == []
    assert all(f"[t.{c}]" in printed for c in range(1, columns))
    for row in body:  # the row name is printed once in every section
        assert printed.count(squeeze(row[0])) == len(sections), row[0]
