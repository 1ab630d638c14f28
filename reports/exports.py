"""The review report as XLSX, CSV and PDF files: the same rows and totals as the page.

No export carries anything but station-level counts: a report row is a station, never a
complaint, so no victim identity can reach a file.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from reports import pdf_tables
from reports.selectors import COLUMNS, DAYS, PERCENT, ReportRow, ReviewReport
from stations.spreadsheet_safety import append_safe_row, safe_csv_writer

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
FORMATS = tuple(CONTENT_TYPES)


def title(report: ReviewReport) -> str:
    """'Review report: <scope>, <from> to <to>' for the file's first line."""
    return _("Review report: %(scope)s, %(start)s to %(end)s") % {
        "scope": report.scope_label,
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
    }


def file_name(report: ReviewReport, fmt: str) -> str:
    return f"review-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}.{fmt}"


def header(report: ReviewReport) -> list[str]:
    cells = [_("Police station"), _("Local name"), _("District")]
    cells += [str(column.label) for column in COLUMNS]
    cells.append(_("Returns"))
    return cells


def _cells(report: ReviewReport, row: ReportRow) -> list[Any]:
    cells: list[Any] = [row.name, row.name_local, row.district]
    cells += [row.values.get(column.key) for column in COLUMNS]
    cells.append(row.returns_label)
    return cells


def to_csv(report: ReviewReport) -> bytes:
    """CSV with a title line, the header, one line per station and the totals line (UTF-8 BOM,
    so Excel reads Hindi and Bengali names correctly)."""
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer)  # station names and labels are text: escaped, quoted
    writer.writerow([title(report)])
    writer.writerow(header(report))
    for row in [*report.rows, report.totals]:
        writer.writerow(_cells(report, row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: ReviewReport) -> bytes:
    """A formatted workbook: title row, bold frozen header, number formats, totals, widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _("Review")[:31]
    append_safe_row(sheet, [title(report)])  # text that looks like a formula stays text
    sheet["A1"].font = Font(bold=True, size=13)
    append_safe_row(sheet, header(report))
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for row in report.rows:
        append_safe_row(sheet, _cells(report, row))
    append_safe_row(sheet, _cells(report, report.totals))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    formats = {DAYS: "0.0", PERCENT: "0.0"}
    for index, column in enumerate(COLUMNS, start=4):
        number_format = formats.get(column.kind, "#,##0")
        for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
            cell.number_format = number_format
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 16
    for index in range(4, len(header(report)) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    sheet.row_dimensions[2].height = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: ReviewReport) -> bytes:
    """A landscape A4 PDF of the same cells as the CSV; the station column is repeated on
    every column section, so all columns are on paper (reports.pdf_tables)."""
    first = 3  # police station, local name, district; then the figures
    notes = [
        _("Previous period for comparison: %(start)s to %(end)s.")
        % {
            "start": report.previous_period.start.isoformat(),
            "end": report.previous_period.end.isoformat(),
        },
        _("Open deficits, group members and pending vetting are as of today."),
    ]
    table = pdf_tables.PdfTable(
        title=title(report),
        header=header(report),
        rows=[_cells(report, row) for row in report.rows],
        totals=[_cells(report, report.totals)],
        numeric=frozenset(range(first, first + len(COLUMNS))),
        repeat=1,
        notes=notes,
    )
    return pdf_tables.render_pdf(table)


def render(report: ReviewReport, fmt: str) -> bytes:
    """The report in one of FORMATS."""
    return {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}[fmt](report)
