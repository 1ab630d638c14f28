"""Subscriber lists as officers save them: CSV or Excel (.xlsx), read as a stream.

Two jobs: `inspect_upload` checks an upload before anything is stored (a real file of the right
kind, a header row naming the required columns, not too big, not too many rows, nothing built
to fill memory) and raises `ImportFileError` with a translated message; `open_data_rows` reads
the stored file again in the worker, row by row, with constant memory (openpyxl read-only mode,
the csv module).

A workbook is read from one sheet, never a hidden one: the visible sheet whose header names our
columns, or the one the officer chose when several do (`sheet_name`; ImportJob.sheet_name keeps
it for the worker). people.xlsx_guard checks the zip and streams every part through expat
before openpyxl opens the file; that pass also counts each sheet's rows that hold a value
(~10x faster than openpyxl), an upper bound of what the importer reads.

Cells are read as people leave them: invisible direction marks and zero-width characters at
either end go (WhatsApp wraps copied numbers in them), and the apostrophe our own exports put in
front of formula-like text (stations.spreadsheet_safety) comes off again.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from people import xlsx_guard
from people.phones import INVISIBLE
from stations.spreadsheet_safety import unescape_cell

# (field, required) in the order the template file lists them.
FIELDS: list[tuple[str, bool]] = [
    ("phone", True),
    ("name", True),
    ("consent_source", True),
    ("consent_date", False),
    ("station_code", False),
    ("locality", False),
    ("language", False),
    ("tags", False),
]
REQUIRED = [name for name, required in FIELDS if required]

# Header names people write, in English, Hindi and Bengali (compared after _header_key()).
_ALIASES: dict[str, list[str]] = {
    "phone": [
        "phone",
        "phone number",
        "mobile",
        "mobile number",
        "mobile no",
        "whatsapp",
        "whatsapp number",
        "contact",
        "contact number",
        "फ़ोन",
        "फोन",
        "फ़ोन नंबर",
        "फोन नंबर",
        "मोबाइल",
        "मोबाइल नंबर",
        "मोबाइल नं",
        "ফোন",
        "ফোন নম্বর",
        "মোবাইল",
        "মোবাইল নম্বর",
    ],
    "name": ["name", "full name", "citizen name", "नाम", "पूरा नाम", "নাম", "পুরো নাম"],
    "consent_source": [
        "consent source",
        "consent",
        "consent type",
        "सहमति",
        "सहमति का स्रोत",
        "सहमति स्रोत",
        "সম্মতি",
        "সম্মতির উৎস",
    ],
    "consent_date": [
        "consent date",
        "consent given on",
        "date of consent",
        "सहमति तिथि",
        "सहमति की तारीख",
        "सहमति दिनांक",
        "সম্মতির তারিখ",
    ],
    "station_code": [
        "station code",
        "station",
        "police station",
        "ps code",
        "थाना",
        "थाना कोड",
        "থানা",
        "থানা কোড",
    ],
    "locality": [
        "locality",
        "area",
        "village",
        "address",
        "mohalla",
        "मोहल्ला",
        "क्षेत्र",
        "इलाका",
        "गाँव",
        "গ্রাম",
        "এলাকা",
        "পাড়া",
    ],
    "language": ["language", "lang", "preferred language", "भाषा", "ভাষা"],
    "tags": ["tags", "tag", "labels", "टैग", "ট্যাগ"],
}
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 5  # a title row or two above the header is common in office files
MAX_CSV_ROW_CHARS = 1_000_000  # a row of 100 long columns; one of millions of commas is not a list
MAX_SHEET_NAME = 255
CELL_LIMIT = 500  # characters of a cell kept for the rejected-rows report

MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("This file is %(size)s; the largest allowed is %(limit)s."),
    "bad_extension": _("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."),
    "old_excel": _(
        "This is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV UTF-8."
    ),
    "xlsx_named_csv": _("This file is an Excel workbook, not CSV: save it with the .xlsx ending."),
    "not_xlsx": _(
        "This is not an Excel workbook we can read. Save it from Excel as .xlsx or as CSV UTF-8."
    ),
    "not_text": _("This is not a CSV text file. Save it from Excel as CSV UTF-8."),
    "not_utf8": _(
        "The file's text is not in UTF-8, so Hindi and Bengali names would be garbled. "
        "In Excel choose Save As > CSV UTF-8 (comma delimited)."
    ),
    "bad_csv": _("The CSV file is damaged near row %(row)s: %(problem)s"),
    "no_header": _(
        "The first row must hold the column names (phone, name, consent_source, …); "
        "none of them was found."
    ),
    "missing_columns": _("The file has no column for: %(missing)s. Columns found: %(found)s."),
    "duplicate_column": _("The column %(column)s appears twice (as %(first)s and %(second)s)."),
    "too_many_columns": _("The file has more than %(limit)s columns."),
    "no_rows": _("The file has column names but no rows of data."),
    "too_many_rows": _(
        "The file has %(rows)s rows; at most %(limit)s can be imported at once. "
        "Split it into smaller files."
    ),
    "csv_row_too_long": _(
        "Row %(row)s of the file is longer than %(limit)s characters, so the file is not read. "
        "Check that it is a list with one citizen per row."
    ),
    # Workbooks: which sheet.
    "choose_sheet": _(
        "This workbook has several sheets with a list: %(sheets)s. Choose the sheet to import."
    ),
    "unknown_sheet": _(
        "The workbook has no visible sheet named %(sheet)s. Its sheets: %(sheets)s."
    ),
    "no_visible_sheet": _(
        "Every sheet of this workbook is hidden. Unhide the sheet with the list in Excel, "
        "save it and upload it again."
    ),
    # Workbooks built (or broken) to exhaust memory: people.xlsx_guard.
    "packed_too_densely": _(
        "Part of this workbook unpacks to %(ratio)s times its packed size, which no real list "
        "does, so the file is not opened. Save the list again from Excel, or as CSV UTF-8, and "
        "upload that."
    ),
    "unpacked_too_large": _(
        "This workbook unpacks to %(size)s; the most we read is %(limit)s. Save the list on its "
        "own as CSV UTF-8 and upload that."
    ),
    "too_many_texts": _(
        "The workbook holds %(count)s different texts; at most %(limit)s can be read from a "
        "workbook. Save the list as CSV UTF-8 and upload that."
    ),
    "too_many_row_entries": _(
        "A sheet of this workbook has %(rows)s rows, most of them empty; at most %(limit)s can "
        "be read. Delete the empty rows below the list, or save it as CSV UTF-8, and upload "
        "again."
    ),
    "workbook_too_complex": _(
        "This workbook has a part too large to read safely (a very long cell, a very wide row, "
        "very many styles or parts). Save the list as CSV UTF-8 and upload that."
    ),
}


class ImportFileError(ValidationError):
    """An upload that cannot be imported at all; the message says why, translated.

    For "choose_sheet" and "unknown_sheet", `sheets` lists the sheets the officer may choose
    and `preferred` is the one Excel shows first (the active sheet), if it is among them.
    """

    def __init__(
        self, code: str, *, sheets: Sequence[str] = (), preferred: str = "", **params: Any
    ) -> None:
        self.sheets, self.preferred = list(sheets), preferred
        if sheets:
            params["sheets"] = ", ".join(sheets)
        super().__init__(MESSAGES[code], code=code, params=params or None)


@dataclass(frozen=True)
class Inspection:
    """What the upload check learnt about a file: enough for the worker to read it again."""

    file_format: str  # "csv" | "xlsx"
    header: list[str]
    columns: dict[str, int]
    header_row: int
    rows: int  # data rows (for .xlsx an upper bound: rows holding at least one value)
    size: int
    sha256: str
    encoding: str = ""
    delimiter: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    sheet_name: str = ""  # the workbook's sheet that is read ("" for CSV)


# --- header names --------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    """A header cell compared loosely: case, spaces, underscores, dashes, '*' and dots ignored."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[\s_\-.*:()]+", " ", text)
    return text.strip()


HEADER_LOOKUP: dict[str, str] = {
    _header_key(alias): name for name, aliases in _ALIASES.items() for alias in [name, *aliases]
}


def map_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """{field: column index} for the header cells, and the cells that name no field."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        name = HEADER_LOOKUP.get(_header_key(cell))
        if name is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if name in columns:
            raise ImportFileError(
                "duplicate_column", column=name, first=cells[columns[name]], second=cell
            )
        columns[name] = index
    return columns, ignored


# --- cells ---------------------------------------------------------------------------------------


_INVISIBLE_EDGES = re.compile(f"^[\\s{INVISIBLE}]+|[\\s{INVISIBLE}]+$")


def clean_text(text: str) -> str:
    """A text cell without spaces and invisible marks at its ends, nor our export's apostrophe."""
    text = text.strip()
    if text and (text[0] in INVISIBLE or text[-1] in INVISIBLE):
        text = _INVISIBLE_EDGES.sub("", text)
    if text.startswith("'"):
        text = unescape_cell(text)
    return text


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing '.0' (phones typed as numbers), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _is_blank(cells: tuple[Any, ...] | list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# --- the upload check ----------------------------------------------------------------------------


def _binary(upload: File[bytes]) -> IO[bytes]:
    """The upload as a seekable binary file, rewound."""
    handle = upload.file if hasattr(upload, "file") and upload.file is not None else upload
    handle.seek(0)
    return handle


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def upload_sha256(upload: File[bytes]) -> str:
    """SHA-256 of an upload's bytes (to tell a repeated request from a different file)."""
    return _sha256(_binary(upload))


def file_format_of(name: str) -> str:
    """'csv' or 'xlsx' from the file name; ImportFileError for anything else."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix in {".csv", ".txt"}:
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".xls":
        raise ImportFileError("old_excel")
    raise ImportFileError("bad_extension")


def inspect_upload(
    upload: File[bytes], *, name: str | None = None, sheet_name: str = ""
) -> Inspection:
    """Check an uploaded list before it is stored; ImportFileError says what is wrong.

    `sheet_name` picks a workbook's sheet (ignored for CSV); without it the visible sheet that
    holds a list is read, and ImportFileError("choose_sheet") lists them when several do.
    """
    file_format = file_format_of(name or upload.name or "")
    size = int(upload.size or 0)
    if size == 0:
        raise ImportFileError("empty")
    limit = int(settings.PEOPLE_IMPORT_MAX_BYTES)
    if size > limit:
        raise ImportFileError("too_large", size=filesizeformat(size), limit=filesizeformat(limit))
    handle = _binary(upload)
    magic = handle.read(8)
    handle.seek(0)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("old_excel")
    if file_format == "csv" and magic.startswith(b"PK\x03\x04"):
        raise ImportFileError("xlsx_named_csv")
    sha = _sha256(handle)
    if file_format == "xlsx":
        found = _inspect_xlsx(handle, sheet_name.strip())
    else:
        found = _inspect_csv(handle)
    header, columns, ignored, header_row, rows, encoding, delimiter, sheet = found
    if rows == 0:
        raise ImportFileError("no_rows")
    max_rows = int(settings.PEOPLE_IMPORT_MAX_ROWS)
    if rows > max_rows:
        raise ImportFileError("too_many_rows", rows=f"{rows:,}", limit=f"{max_rows:,}")
    return Inspection(
        file_format=file_format,
        header=header,
        columns=columns,
        header_row=header_row,
        rows=rows,
        size=size,
        sha256=sha,
        encoding=encoding,
        delimiter=delimiter,
        ignored_columns=ignored,
        sheet_name=sheet,
    )


_Found = tuple[list[str], dict[str, int], list[str], int, int, str, str, str]


def _is_header(texts: list[str]) -> bool:
    """True when the cells name at least two of the required columns."""
    known = {HEADER_LOOKUP.get(_header_key(t)) for t in texts} - {None}
    return len(known & set(REQUIRED)) >= 2


def _find_header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, list[str], int]:
    """(header row number, header cells, non-blank rows consumed) among the first rows."""
    first: tuple[int, list[str]] | None = None
    consumed = 0
    for row_number, cells in rows:
        if _is_blank(cells):
            continue
        consumed += 1
        texts = [cell_text(c) for c in cells]
        if len(texts) > MAX_COLUMNS and any(texts[MAX_COLUMNS:]):
            raise ImportFileError("too_many_columns", limit=MAX_COLUMNS)
        texts = texts[:MAX_COLUMNS]
        while texts and not texts[-1]:
            texts.pop()
        first = first or (row_number, texts)
        if _is_header(texts):
            return row_number, texts, consumed
        if consumed >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError("empty")
    return first[0], first[1], 1


def _check_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    columns, ignored = map_header(header)
    if not columns:
        raise ImportFileError("no_header")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(h for h in header if h) or "—"
        raise ImportFileError("missing_columns", missing=", ".join(missing), found=found[:300])
    return columns, ignored


# --- .xlsx ---------------------------------------------------------------------------------------


def _open_workbook(handle: IO[bytes], *, check_parts: bool) -> tuple[Any, Any]:
    """openpyxl's read-only workbook once people.xlsx_guard let it through, and what the guard
    counted (with `check_parts`; the worker re-reads a file that passed them and only checks
    the zip's directory again). ImportFileError when the file is not a usable .xlsx."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(handle):
        raise ImportFileError("not_xlsx")
    handle.seek(0)
    parts = None
    try:
        with zipfile.ZipFile(handle) as archive:
            xlsx_guard.check_packing(archive)
            if check_parts:
                parts = xlsx_guard.check_parts(archive)
        handle.seek(0)
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except xlsx_guard.WorkbookRefused as refused:
        raise ImportFileError(refused.code, **refused.params) from refused
    except Exception as exc:  # openpyxl raises KeyError, ValueError, BadZipFile, ... on junk
        raise ImportFileError("not_xlsx") from exc
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError("not_xlsx")
    return workbook, parts


def _xlsx_rows(sheet: Any, *, min_row: int = 1, width: int | None = None) -> Iterator[Any]:
    """(row number, cells) of a read-only sheet, ignoring the size the file claims for itself."""
    sheet.reset_dimensions()  # a wrong <dimension> would otherwise cut the sheet short
    rows = sheet.iter_rows(min_row=min_row, max_col=width, values_only=True)
    for row_number, cells in enumerate(rows, start=min_row):
        yield row_number, list(cells)


_Header = tuple[int, list[str], int]


def _header_or_error(sheet: Any) -> _Header | ImportFileError:
    """The sheet's header (see _find_header), or why it has none (kept for if it is chosen)."""
    try:
        return _find_header(_xlsx_rows(sheet))
    except ImportFileError as error:
        return error


def _choose_sheet(workbook: Any, wanted: str) -> tuple[Any, _Header]:
    """The sheet to read and its header: `wanted`, or the one visible sheet holding a list."""
    visible = [s for s in workbook.worksheets if s.sheet_state == "visible"]
    if not visible:
        raise ImportFileError("no_visible_sheet")
    names = [s.title for s in visible]
    active = workbook.active if workbook.active in visible else visible[0]
    if wanted:
        chosen = [s for s in visible if s.title == wanted]
        chosen = chosen or [s for s in visible if s.title.strip().casefold() == wanted.casefold()]
        if len(chosen) != 1:
            raise ImportFileError("unknown_sheet", sheet=wanted, sheets=names)
        candidates = {chosen[0]: _header_or_error(chosen[0])}
    else:
        candidates = {s: _header_or_error(s) for s in visible}
    lists = [s for s, h in candidates.items() if not isinstance(h, Exception) and _is_header(h[1])]
    if len(lists) > 1:
        preferred = active.title if active in lists else ""
        raise ImportFileError("choose_sheet", sheets=[s.title for s in lists], preferred=preferred)
    sheet = lists[0] if lists else (active if active in candidates else next(iter(candidates)))
    header = candidates[sheet]
    if isinstance(header, ImportFileError):
        raise header
    if len(sheet.title) > MAX_SHEET_NAME:
        raise ImportFileError("not_xlsx")
    return sheet, header


def _inspect_xlsx(handle: IO[bytes], sheet_name: str) -> _Found:
    workbook, parts = _open_workbook(handle, check_parts=True)
    try:
        sheet, (header_row, header, consumed) = _choose_sheet(workbook, sheet_name)
        columns, ignored = _check_columns(header)
        counted = parts.worksheets.get(sheet._worksheet_path)
        if counted is None:
            raise ImportFileError("not_xlsx")
        rows = max(0, counted.rows_with_values - consumed)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl's parser on a damaged sheet: ParseError, ValueError, ...
        raise ImportFileError("not_xlsx") from exc
    finally:
        workbook.close()
    return header, columns, ignored, header_row, rows, "", "", sheet.title


# --- CSV -----------------------------------------------------------------------------------------


def _csv_encoding(handle: IO[bytes]) -> str:
    """utf-8-sig or utf-16 (from the BOM) or utf-8 checked over the whole file."""
    head = handle.read(4)
    handle.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            if encoding == "utf-8" and b"\x00" in chunk:
                raise ImportFileError("not_text")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ImportFileError("not_utf8") from exc
    finally:
        handle.seek(0)
    return encoding


def _csv_delimiter(text: IO[str]) -> str:
    """Comma, semicolon or tab: whichever the first non-blank line uses most."""
    for line in iter(lambda: text.readline(MAX_CSV_ROW_CHARS), ""):
        if line.strip():
            counts = {d: line.count(d) for d in (",", ";", "\t")}
            return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return ","


@contextmanager
def _text(handle: IO[bytes], encoding: str) -> Iterator[IO[str]]:
    wrapper = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        yield wrapper
    finally:
        wrapper.detach()  # the upload stays open for its owner
        handle.seek(0)


class _RowLines:
    """The text's lines for csv.reader, refusing a row longer than MAX_CSV_ROW_CHARS.

    A row may span lines (a quoted cell with line breaks), so the characters are counted from
    the end of the last row csv.reader produced; lines are read with a size cap, so a file that
    is one endless line is never held in memory whole.
    """

    def __init__(self, text: IO[str]) -> None:
        self.text, self.row, self.chars = text, 1, 0

    def __iter__(self) -> _RowLines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_CSV_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.chars += len(line)
        if self.chars > MAX_CSV_ROW_CHARS:
            raise ImportFileError("csv_row_too_long", row=self.row, limit=f"{MAX_CSV_ROW_CHARS:,}")
        return line

    def row_done(self, row_number: int) -> None:
        self.row, self.chars = row_number + 1, 0


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    lines = _RowLines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    row_number = 0
    try:
        for row_number, cells in enumerate(reader, start=1):
            lines.row_done(row_number)
            yield row_number, [c.replace("\x00", "") for c in cells]
    except csv.Error as exc:
        raise ImportFileError("bad_csv", row=row_number + 1, problem=str(exc)) from exc


def _inspect_csv(handle: IO[bytes]) -> _Found:
    encoding = _csv_encoding(handle)
    with _text(handle, encoding) as text:
        delimiter = _csv_delimiter(text)
    with _text(handle, encoding) as text:
        rows_iter = _csv_rows(text, delimiter)
        header_row, header, _consumed = _find_header(rows_iter)
        columns, ignored = _check_columns(header)
        rows = sum(1 for number, cells in rows_iter if number > header_row and not _is_blank(cells))
    return header, columns, ignored, header_row, rows, encoding, delimiter, ""


# --- reading in the worker -----------------------------------------------------------------------


@contextmanager
def open_data_rows(
    handle: IO[bytes],
    *,
    file_format: str,
    header_row: int,
    width: int,
    encoding: str = "",
    delimiter: str = ",",
    sheet_name: str = "",
) -> Iterator[Iterator[tuple[int, list[Any]]]]:
    """The non-blank rows after the header as (row number, `width` cells), streamed.

    `sheet_name` is the sheet the upload check chose; "" (jobs stored before it was recorded)
    reads the first sheet, as the check of those jobs did.
    """
    if file_format == "xlsx":
        workbook, _parts = _open_workbook(handle, check_parts=False)
        try:
            if sheet_name and sheet_name not in workbook.sheetnames:
                raise ImportFileError("unknown_sheet", sheet=sheet_name, sheets=workbook.sheetnames)
            sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
            yield _data_rows(_xlsx_rows(sheet, min_row=header_row + 1, width=width), width)
        finally:
            workbook.close()
    else:
        with _text(handle, encoding or "utf-8") as text:
            rows = ((n, cells) for n, cells in _csv_rows(text, delimiter or ",") if n > header_row)
            yield _data_rows(rows, width)


def _data_rows(
    rows: Iterator[tuple[int, list[Any]]], width: int
) -> Iterator[tuple[int, list[Any]]]:
    for row_number, cells in rows:
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        elif len(cells) > width:
            cells = cells[:width]
        if not _is_blank(cells):
            yield row_number, cells
