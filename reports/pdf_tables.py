"""Tables as PDF files (WeasyPrint), with every column on paper whatever the table's size.

A4 landscape holds only so many columns. A wider table is split into column sections: each
section repeats the row-name column(s) and is printed on its own pages, so a reader can match
any figure to its row. Within a section the layout is fixed (the widths come from here, not
from the content) and cell text wraps anywhere, so nothing can push a column off the page;
rows flow onto as many pages as they need, with the headings repeated on each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# A4 landscape, less the 10 mm margins of templates/reports/pdf_table.html.
PRINTABLE_WIDTH_MM = 277
# Room for a station's name (and any other repeated column) on every section.
REPEATED_COLUMN_MM = 40
# The narrowest a figure's column may get: "settlements" in 7 pt bold, plus padding.
MIN_COLUMN_MM = 20


@dataclass(frozen=True)
class PdfTable:
    """What to print: headings, body rows, bold total rows, and which columns are figures.

    The first `repeat` columns name the row (a station) and appear in every section.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    totals: Sequence[Sequence[Any]] = ()
    numeric: frozenset[int] = frozenset()
    repeat: int = 1
    notes: Sequence[str] = field(default_factory=tuple)


def columns_per_section(repeat: int = 1) -> int:
    """How many non-repeated columns fit beside the repeated ones at their narrowest."""
    room = PRINTABLE_WIDTH_MM - repeat * REPEATED_COLUMN_MM
    return max(1, room // MIN_COLUMN_MM)


def column_sections(
    count: int, *, repeat: int = 1, per_section: int | None = None
) -> list[list[int]]:
    """Column indexes of each section: the repeated ones, then a balanced share of the rest.

    Every column is in exactly one section (the repeated ones in all); sections differ in
    size by at most one column, so the last page never holds one stray column.
    """
    repeat = max(0, min(repeat, count))
    per_section = per_section or columns_per_section(repeat)
    rest = list(range(repeat, count))
    if not rest:
        return [list(range(repeat))]
    parts = math.ceil(len(rest) / per_section)
    size, extra = divmod(len(rest), parts)
    sections, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        sections.append([*range(repeat), *rest[start:end]])
        start = end
    return sections


def _section(table: PdfTable, indexes: list[int]) -> dict[str, Any]:
    def cells(row: Sequence[Any]) -> list[dict[str, Any]]:
        return [
            {"value": row[index] if index < len(row) else None, "numeric": index in table.numeric}
            for index in indexes
        ]

    repeated = [index for index in indexes if index < table.repeat]
    other = len(indexes) - len(repeated)
    other_mm = (PRINTABLE_WIDTH_MM - REPEATED_COLUMN_MM * len(repeated)) / max(1, other)
    return {
        "widths": [
            REPEATED_COLUMN_MM if index < table.repeat else round(other_mm, 2) for index in indexes
        ],
        "header": [table.header[index] for index in indexes],
        "rows": [cells(row) for row in table.rows],
        "totals": [cells(row) for row in table.totals],
    }


def render_html(table: PdfTable) -> str:
    sections = column_sections(len(table.header), repeat=table.repeat)
    context = {
        "table": table,
        "sections": [
            {
                **_section(table, indexes),
                "caption": _("Part %(part)d of %(parts)d") % {"part": n, "parts": len(sections)}
                if len(sections) > 1
                else "",
            }
            for n, indexes in enumerate(sections, start=1)
        ],
    }
    return render_to_string("reports/pdf_table.html", context)


def render_pdf(table: PdfTable) -> bytes:
    """The table as a landscape A4 PDF in Noto Sans (Devanagari and Bengali included)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(table)).write_pdf()
    return pdf
