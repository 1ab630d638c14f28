"""Refuse a hostile .xlsx before openpyxl reads it: zip bombs and parts built to fill memory.

openpyxl, even read-only, parses some parts whole ([Content_Types].xml, the workbook and its
relationships, styles, chart sheets) and keeps every shared string (sharedStrings.xml) in
memory; it streams worksheets, but opening a workbook walks every worksheet that lacks a
<dimension> element to its end and keeps one empty element per row. A 900 KB upload whose sheet
inflated to 900 MB took the web worker to ~1 GB and the Celery child to ~2 GB.

So two checks run before openpyxl opens anything:

`check_packing` reads only the zip's central directory: at most MAX_MEMBERS parts, at most
MAX_UNPACKED_BYTES unpacked in all, and no part over 1 MiB unpacking to more than MAX_RATIO
times its packed size (Excel's sheets pack 10-16:1, a bomb ~1000:1). Python's zipfile never
inflates a part beyond the size the directory declares, so the check holds for what is read.
The worker runs this one on the stored file too (cheap: no decompression).

`check_parts` streams every part once through expat (constant memory, no DTDs) and refuses
- more than MAX_EVENT_GAP bytes between two XML events (one cell's text, one tag, a comment),
- a row (any element at depth 2) holding more than MAX_ROW_DESCENDANTS elements,
- a worksheet with more than `max_row_entries()` rows (what openpyxl keeps while opening),
- more than MAX_SHARED_STRINGS shared strings or MAX_SHARED_STRINGS_BYTES of them,
- parts read whole over MAX_WHOLE_PART_BYTES each or MAX_WHOLE_PART_ELEMENTS elements together,
and tells the upload check how many rows with a value each worksheet has. With these limits the
upload check and the worker stay well under 300 MB resident for any file
(tests/people/test_import_limits.py measures it in a child process).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat

MAX_MEMBERS = 1_000  # an Excel list has ~10-50 parts
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # 100,000 rows of 8 columns unpack to ~46 MB
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # small parts (styles, themes) may pack tighter: they are small
MAX_EVENT_GAP = 1024 * 1024  # Excel's longest cell is 32,767 characters
MAX_ROW_DESCENDANTS = 100_000  # 16,384 columns of <c><v> or <c><is><t>
MAX_TOP_ELEMENTS = 1_000  # children of a part's root: a sheet has ~10 (sheetData, cols, ...)
MAX_SHARED_STRINGS = 300_000  # ~160 bytes each in openpyxl, plus the text
MAX_SHARED_STRINGS_BYTES = 24 * 1024 * 1024
MAX_WHOLE_PART_BYTES = 8 * 1024 * 1024
MAX_WHOLE_PART_ELEMENTS = 60_000  # ~700 bytes each once openpyxl has built its objects
_CHUNK = 1024 * 1024
# Parts openpyxl parses whole by their fixed name (reader/excel.py, styles/stylesheet.py).
_WHOLE_BY_NAME = {"[Content_Types].xml", "docProps/core.xml", "docProps/custom.xml"}
_WHOLE_BY_NAME |= {"xl/styles.xml"}
_TEXT_SUFFIXES = (".xml", ".rels", ".vml")


def max_row_entries() -> int:
    """Rows (with a value or not) one worksheet may have: the import's limit and room to spare."""
    return int(settings.PEOPLE_IMPORT_MAX_ROWS) + 100_000


class WorkbookRefused(Exception):
    """The workbook breaks a limit; `code` and `params` name the message (people.spreadsheets)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


# --- the central directory -----------------------------------------------------------------------


def check_packing(archive: zipfile.ZipFile) -> None:
    """Refuse by part count, unpacked size and packing ratio, before anything is inflated."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused("workbook_too_complex")
    for info in members:
        if info.file_size > RATIO_FROM_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise WorkbookRefused("packed_too_densely", ratio=f"{int(ratio):,}")
    total = sum(info.file_size for info in members)
    if total > MAX_UNPACKED_BYTES:
        raise WorkbookRefused(
            "unpacked_too_large",
            size=filesizeformat(total),
            limit=filesizeformat(MAX_UNPACKED_BYTES),
        )


# --- the parts, streamed -------------------------------------------------------------------------


@dataclass
class PartCount:
    """What the scan of one part found."""

    xml: bool = True  # False: not XML at all (a picture, a binary part)
    root: str = ""
    elements: int = 0
    top: int = 0  # children of the root (sheetData, cols, ... or one <si> per shared string)
    rows: int = 0  # elements at depth 2 (rows of a worksheet)
    rows_with_values: int = 0


class _Scan:
    """expat handlers that count a part and stop it when it breaks a limit."""

    def __init__(self, parser: Any) -> None:
        self.parser, self.count = parser, PartCount()
        self.depth, self.last_event, self.row_inside = 0, 0, 0
        self._row_open = self._row_has_value = False

    def _event(self) -> None:
        index = self.parser.CurrentByteIndex
        if index - self.last_event > MAX_EVENT_GAP:
            raise WorkbookRefused("workbook_too_complex")
        self.last_event = index

    def start(self, name: str, attrs: Any) -> None:
        self._event()
        local = name.rpartition(" ")[2]
        count, depth = self.count, self.depth
        count.elements += 1
        if depth == 0:
            count.root = local
        elif depth == 1:
            count.top += 1
            if count.top > MAX_TOP_ELEMENTS and count.root != "sst":
                raise WorkbookRefused("workbook_too_complex")
        elif depth == 2:
            count.rows += 1
            self.row_inside = 0
            self._row_open, self._row_has_value = local == "row", False
        else:
            self.row_inside += 1
            if self.row_inside > MAX_ROW_DESCENDANTS:
                raise WorkbookRefused("workbook_too_complex")
            if self._row_open and local in {"v", "is"}:
                self._row_has_value = True
        self.depth = depth + 1

    def end(self, name: str) -> None:
        self._event()
        self.depth -= 1
        if self.depth == 2 and self._row_open:
            self._row_open = False
            self.count.rows_with_values += self._row_has_value

    def refuse(self, *args: Any) -> None:
        raise WorkbookRefused("not_xlsx")  # a DOCTYPE or an entity: never in a real workbook


def scan_part(archive: zipfile.ZipFile, name: str) -> PartCount:
    """Stream one part through expat, counting it; WorkbookRefused when it breaks a limit."""
    parser = expat.ParserCreate(namespace_separator=" ")
    scan = _Scan(parser)
    parser.StartElementHandler, parser.EndElementHandler = scan.start, scan.end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = scan.refuse
    fed = 0
    try:
        with archive.open(name) as source:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                parser.Parse(chunk, False)
                fed += len(chunk)
                if fed - scan.last_event > MAX_EVENT_GAP:  # a token that never ends
                    raise WorkbookRefused("workbook_too_complex")
            parser.Parse(b"", True)
    except expat.ExpatError:
        scan.count.xml = False
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise WorkbookRefused("not_xlsx") from exc  # a damaged part (CRC) or an odd compression
    return scan.count


# --- what openpyxl will do with each part ---------------------------------------------------------


@dataclass
class WorkbookParts:
    """The parts of a checked workbook: worksheets (streamed) and what each holds."""

    worksheets: dict[str, PartCount] = field(default_factory=dict)  # by part name
    shared_strings: str = ""


def _plan(archive: zipfile.ZipFile) -> tuple[set[str], str, set[str]]:
    """(worksheet parts, shared strings part, parts read whole by relationship), as openpyxl
    finds them: the content types name the workbook and its shared strings, the workbook's
    relationships name its sheets. Only called once those small parts passed their checks."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_dependents, get_rels_path
    from openpyxl.reader.excel import SHARED_STRINGS, _find_workbook_part
    from openpyxl.xml.functions import fromstring

    try:
        manifest = Manifest.from_tree(fromstring(archive.read("[Content_Types].xml")))
        workbook = _find_workbook_part(manifest).PartName[1:]
        shared = manifest.find(SHARED_STRINGS)
        relations = get_dependents(archive, get_rels_path(workbook))
    except Exception as exc:  # openpyxl would fail on the same parts: not a workbook
        raise WorkbookRefused("not_xlsx") from exc
    sheets = {r.target for r in relations if r.Type.endswith("/worksheet")}
    whole = {workbook} | {r.target for r in relations if not r.Type.endswith("/worksheet")}
    return sheets - whole, shared.PartName[1:] if shared is not None else "", whole


def _read_whole(name: str, whole: set[str]) -> bool:
    return name in whole or name in _WHOLE_BY_NAME or name.endswith(_TEXT_SUFFIXES)


class _WholeParts:
    """Parts openpyxl builds in memory whole: each one small, all of them few elements."""

    def __init__(self) -> None:
        self.elements = 0

    def check(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        if info.file_size > MAX_WHOLE_PART_BYTES:
            raise WorkbookRefused("workbook_too_complex")
        self.elements += scan_part(archive, info.filename).elements
        if self.elements > MAX_WHOLE_PART_ELEMENTS:
            raise WorkbookRefused("workbook_too_complex")


def check_parts(archive: zipfile.ZipFile) -> WorkbookParts:
    """Scan every part (after check_packing) against the limit of what openpyxl does with it."""
    members = {info.filename: info for info in archive.infolist()}
    whole_parts = _WholeParts()
    first = sorted(n for n in members if n in _WHOLE_BY_NAME or n.endswith(".rels"))
    for name in first:  # the parts that say where everything else is
        whole_parts.check(archive, members[name])
    sheets, shared, whole = _plan(archive)
    found = WorkbookParts(shared_strings=shared)
    for name, info in members.items():
        if name in first:
            continue
        if name in sheets:
            found.worksheets[name] = _check_worksheet(archive, name)
        elif name == shared:
            _check_shared_strings(archive, info)
        elif _read_whole(name, whole):
            whole_parts.check(archive, info)
    return found


def _check_worksheet(archive: zipfile.ZipFile, name: str) -> PartCount:
    count = scan_part(archive, name)
    if not count.xml:
        raise WorkbookRefused("not_xlsx")
    limit = max_row_entries()
    if count.rows > limit:
        raise WorkbookRefused("too_many_row_entries", rows=f"{count.rows:,}", limit=f"{limit:,}")
    return count


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_SHARED_STRINGS_BYTES:
        raise WorkbookRefused(
            "unpacked_too_large",
            size=filesizeformat(info.file_size),
            limit=filesizeformat(MAX_SHARED_STRINGS_BYTES),
        )
    count = scan_part(archive, info.filename)
    if not count.xml:
        raise WorkbookRefused("not_xlsx")
    if count.top > MAX_SHARED_STRINGS:
        raise WorkbookRefused(
            "too_many_texts", count=f"{count.top:,}", limit=f"{MAX_SHARED_STRINGS:,}"
        )
