"""Subscriber lists as officers save them: CSV or Excel (.xlsx), read as a stream.

Two jobs: `inspect_upload` checks an upload before anything is stored (a real file of the right
kind, a header row naming the required columns, not too big, not too many rows) and raises
`ImportFileError` with a translated message; `iter_data_rows` reads the stored file again in the
worker, row by row, with constant memory (openpyxl read-only mode, the csv module).

Counting rows of an .xlsx at upload time with openpyxl would cost as much as the import itself
(~8k rows/s), so the sheet's XML is counted with expat instead (~10x faster); it counts rows
that hold at least one value, an upper bound of what the importer reads.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

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
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # a 20 MB .xlsx of text never unpacks beyond this
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
}


class ImportFileError(ValidationError):
    """An upload that cannot be imported at all; the message says why, translated."""

    def __init__(self, code: str, **params: Any) -> None:
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


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing '.0' (phones typed as numbers), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
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


def inspect_upload(upload: File[bytes], *, name: str | None = None) -> Inspection:
    """Check an uploaded list before it is stored; ImportFileError says what is wrong."""
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
        found = _inspect_xlsx(handle)
    else:
        found = _inspect_csv(handle)
    header, columns, ignored, header_row, rows, encoding, delimiter = found
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
    )


_Found = tuple[list[str], dict[str, int], list[str], int, int, str, str]


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
        known = {HEADER_LOOKUP.get(_header_key(t)) for t in texts} - {None}
        if len(known & set(REQUIRED)) >= 2:
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


def _open_workbook(handle: IO[bytes]) -> Any:
    """openpyxl's read-only workbook; ImportFileError when the file is not a usable .xlsx."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(handle):
        raise ImportFileError("not_xlsx")
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ImportFileError("not_xlsx")
        handle.seek(0)
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, BadZipFile, ... on junk
        raise ImportFileError("not_xlsx") from exc
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError("not_xlsx")
    return workbook


def _xlsx_rows(sheet: Any, *, min_row: int = 1, width: int | None = None) -> Iterator[Any]:
    """(row number, cells) of a read-only sheet, ignoring the size the file claims for itself."""
    sheet.reset_dimensions()  # a wrong <dimension> would otherwise cut the sheet short
    rows = sheet.iter_rows(min_row=min_row, max_col=width, values_only=True)
    for row_number, cells in enumerate(rows, start=min_row):
        yield row_number, list(cells)


class _RowCounter:
    """Counts <row> elements that hold at least one value, with expat (no DTDs allowed)."""

    def __init__(self) -> None:
        self.rows = 0
        self._in_row = False
        self._has_value = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "row":
            self._in_row, self._has_value = True, False
        elif self._in_row and local in {"v", "is"}:
            self._has_value = True

    def end(self, name: str) -> None:
        if self._in_row and name.rpartition(" ")[2] == "row":
            self._in_row = False
            self.rows += self._has_value

    def refuse(self, *args: Any) -> None:
        raise ImportFileError("not_xlsx")


def count_xlsx_rows(workbook: Any, sheet: Any) -> int:
    """Rows with a value in the sheet's XML (reading it to the end also checks its CRC)."""
    counter = _RowCounter()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.StartDoctypeDeclHandler = counter.refuse
    parser.EntityDeclHandler = counter.refuse
    try:
        with workbook._archive.open(sheet._worksheet_path) as source:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ImportFileError:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, OSError, KeyError, AttributeError) as exc:
        raise ImportFileError("not_xlsx") from exc
    return counter.rows


def _inspect_xlsx(handle: IO[bytes]) -> _Found:
    workbook = _open_workbook(handle)
    try:
        sheet = workbook.worksheets[0]
        header_row, header, consumed = _find_header(_xlsx_rows(sheet))
        columns, ignored = _check_columns(header)
        rows = max(0, count_xlsx_rows(workbook, sheet) - consumed)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl's parser on a damaged sheet: ParseError, ValueError, ...
        raise ImportFileError("not_xlsx") from exc
    finally:
        workbook.close()
    return header, columns, ignored, header_row, rows, "", ""


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
    for line in text:
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


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(text, delimiter=delimiter)
    row_number = 0
    try:
        for row_number, cells in enumerate(reader, start=1):
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
    return header, columns, ignored, header_row, rows, encoding, delimiter


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
) -> Iterator[Iterator[tuple[int, list[Any]]]]:
    """The non-blank rows after the header as (row number, `width` cells), streamed."""
    if file_format == "xlsx":
        workbook = _open_workbook(handle)
        try:
            yield _data_rows(
                _xlsx_rows(workbook.worksheets[0], min_row=header_row + 1, width=width), width
            )
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
