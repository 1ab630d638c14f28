"""The one rule for cells we export to spreadsheets: no text may become a live formula."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from stations.spreadsheet_safety import (
    append_safe_row,
    escape_cell,
    needs_escape,
    safe_csv_writer,
    unescape_cell,
)


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1",
        "Sita;=HYPERLINK(1)",  # Excel in a semicolon locale splits here: the second cell is live
        "Sita; =HYPERLINK(1)",
        "Sita,=HYPERLINK(1)",
        "Sita\t@SUM(A1)",
        "line one\n=HYPERLINK(1)",
    ],
)
def test_it_escapes_every_text_a_spreadsheet_would_run(text: str) -> None:
    assert needs_escape(text)
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    ["", "Sita Devi", "+91 98765 43210", "+919876543210", "-5", "(0542) 250-0100", "a;b",
     "Lanka, -2", "सीता देवी", "'quoted already by the citizen"],
)  # fmt: skip
def test_it_leaves_names_phone_numbers_and_plain_numbers_alone(text: str) -> None:
    assert not needs_escape(text)
    assert escape_cell(text) == text


def test_only_text_is_escaped() -> None:
    assert escape_cell(42) == 42 and escape_cell(None) is None and escape_cell(1.5) == 1.5


@pytest.mark.parametrize(
    "text", ["=HYPERLINK(1)", "Sita;=X()", "+cmd", "Sita Devi", "'Sita", "'=HYPERLINK(1)", "''+cmd"]
)
def test_unescaping_what_we_wrote_gives_the_text_back(text: str) -> None:
    assert unescape_cell(escape_cell(text)) == text


def test_a_citizens_own_apostrophe_is_kept() -> None:
    assert unescape_cell("'Sita") == "'Sita" and unescape_cell("'9826400009") == "'9826400009"


def test_the_csv_writer_escapes_every_cell_and_quotes_every_text() -> None:
    out = io.StringIO()
    writer = safe_csv_writer(out)
    writer.writerow(["=HYPERLINK(1)", "name"])
    writer.writerow(["Sita;=HYPERLINK(1)", 3])
    assert out.getvalue() == '"\'=HYPERLINK(1)","name"\r\n"\'Sita;=HYPERLINK(1)",3\r\n'
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=HYPERLINK(1)", "name"], ["'Sita;=HYPERLINK(1)", "3"],
    ]  # fmt: skip


def test_an_xlsx_row_keeps_formula_text_as_text() -> None:
    book = Workbook()
    append_safe_row(book.active, ['=HYPERLINK("http://x")', "Sita", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    cells = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert (cells[0].value, cells[0].data_type, cells[0].quotePrefix) == (
        "=HYPERLINK(\"http://x\")", "s", True,
    )  # fmt: skip
    assert (cells[1].value, cells[1].quotePrefix, cells[2].value) == ("Sita", False, 3)
