"""The one rule for text we write into spreadsheets (CSV and XLSX): it never runs as a formula.

Every export of every app goes through here (people's rejected rows, the audit log, group
rosters, the review report). It lives in `stations`, the lowest app, so each app may import it.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one).
Excel in a semicolon locale also splits an unquoted CSV cell at `;`, so `Rina;=HYPERLINK(...)`
becomes a live second cell: a text is escaped when any segment after `,` `;` a tab or a line
break starts with a formula character too, and the CSV writer quotes every text cell. Phone
numbers (+91 98765 43210) and plain numbers (-5) are left alone: at worst a spreadsheet adds
them up. The escape is OWASP's: a leading apostrophe, which spreadsheets show as text and which
`unescape_cell` takes off again when a file we exported comes back as an import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any, TypeVar

_SEGMENT_START = re.compile(r"(?:^|[,;\t\r\n])[ ]*([=+\-@\t\r][^,;\t\r\n]*)")
_ARITHMETIC = re.compile(r"[0-9+\-().\s]*")  # phone numbers and numbers: nothing to run
_T = TypeVar("_T")


def needs_escape(text: str) -> bool:
    """True when a spreadsheet could run the text (or a part it splits off) as a formula."""
    return any(not _ARITHMETIC.fullmatch(m.group(1)) for m in _SEGMENT_START.finditer(text))


def _ours_to_escape(text: str) -> bool:
    # A text that would need escaping once its leading apostrophes are gone is escaped too,
    # so unescape_cell(escape_cell(x)) == x even for a name written as "'=x".
    return needs_escape(text.lstrip("'"))


def escape_cell(value: _T) -> _T | str:
    """The value with a leading apostrophe when it is text a spreadsheet could run."""
    if isinstance(value, str) and value and _ours_to_escape(value):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """A cell of an imported file without the apostrophe `escape_cell` put in front of it."""
    if text.startswith("'") and _ours_to_escape(text[1:]):
        return text[1:]
    return text


class SafeCsvWriter:
    """csv.writer that escapes every cell (headers too) and quotes every text cell."""

    def __init__(self, stream: IO[str] | Any) -> None:
        self._writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, cells: Iterable[Any]) -> Any:
        """Write one row; returns what the stream's write returned (the line, for streaming)."""
        return self._writer.writerow(["" if c is None else escape_cell(c) for c in cells])


def safe_csv_writer(stream: IO[str] | Any) -> SafeCsvWriter:
    """The CSV writer for every export (stream: a file, or an object whose write echoes)."""
    return SafeCsvWriter(stream)


def append_safe_row(sheet: Any, cells: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet, keeping formula-like text as text.

    openpyxl stores a string that starts with '=' as a formula; such cells (and any the rule
    above would escape) become plain text with Excel's quote prefix, so editing the cell in
    Excel does not turn it into a formula either. The text itself is unchanged.
    """
    sheet.append(list(cells))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and needs_escape(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
