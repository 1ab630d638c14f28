"""Hostile uploads: zip bombs and files built to exhaust memory are refused before reading.

A 900 KB workbook whose sheet XML inflates to 900 MB took the web worker to ~1 GB and the
Celery child to ~2 GB. The upload check and the worker's reading path now run in a child
process here, whose peak resident memory (ru_maxrss) must stay under 300 MB, whatever the file.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accounts.models import Role
from people import services
from people.models import Citizen, ImportJob
from people.spreadsheets import ImportFileError
from tests.people.helpers import HEADER, ROOT, csv_bytes, mobile, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
PEAK_LIMIT_MB = 300
BOMB_BYTES = 900 * 1024 * 1024
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"


# --- building hostile workbooks -------------------------------------------------------------------


def _cells(values: list[str]) -> bytes:
    inline = b'<c t="inlineStr"><is><t>%s</t></is></c>'
    return b"<row>" + b"".join(inline % v.encode() for v in values) + b"</row>"


HEADER_ROW = _cells(HEADER)
DATA_ROW = _cells([mobile(1), "Sita Devi", "paper form"])

Parts = dict[str, Callable[[io.BufferedIOBase], None]]


def _workbook(target: io.BufferedIOBase | Path, parts: Parts, *, level: int = 9) -> None:
    """A real workbook (openpyxl's) with some parts replaced by streamed writers."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes([[mobile(1), "Sita", "paper form"]])))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        for item in base.infolist():
            data = base.read(item)
            if item.filename == "[Content_Types].xml" and SHARED in parts:
                override = (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                )
                data = data.replace(b"</Types>", override + b"</Types>")
            if item.filename not in parts:
                out.writestr(item, data)
        for name, write in parts.items():
            with out.open(name, "w", force_zip64=True) as stream:
                write(stream)


def _sheet(*pieces: bytes | Callable[[io.BufferedIOBase], None]) -> Callable[..., None]:
    def write(stream: io.BufferedIOBase) -> None:
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s">' % MAIN_NS)
        stream.write(b"<sheetData>")
        for piece in pieces:
            piece(stream) if callable(piece) else stream.write(piece)
        stream.write(b"</sheetData></worksheet>")

    return write


def _repeat(block: bytes, total: int) -> Callable[[io.BufferedIOBase], None]:
    """Write `block` again and again, about `total` bytes (deflate packs it ~1000:1)."""

    def write(stream: io.BufferedIOBase) -> None:
        chunk = block * max(1, (1024 * 1024) // len(block))
        for _ in range(max(1, total // len(chunk))):
            stream.write(chunk)

    return write


def _huge_cell(total: int) -> Callable[[io.BufferedIOBase], None]:
    def write(stream: io.BufferedIOBase) -> None:
        stream.write(b"<row><c><v>")
        _repeat(b"0", total)(stream)
        stream.write(b"</v></c></row>")

    return write


def _shared_strings(strings: Callable[[io.BufferedIOBase], None]) -> Callable[..., None]:
    def write(stream: io.BufferedIOBase) -> None:
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s">' % MAIN_NS)
        strings(stream)
        stream.write(b"</sst>")

    return write


BOMBS: dict[str, Parts] = {
    # One data cell of 900 MB of zeros: the upload check passed it, the worker took ~2 GB.
    "one_huge_cell": {SHEET: _sheet(HEADER_ROW, _huge_cell(BOMB_BYTES))},
    # The same cell as a title row above the header: the upload check itself took ~1.9 GB.
    "huge_title_row": {SHEET: _sheet(_huge_cell(BOMB_BYTES), HEADER_ROW)},
    # Millions of rows: openpyxl's open alone kept ~600 MB of them; the count took 140 s.
    "millions_of_rows": {SHEET: _sheet(HEADER_ROW, _repeat(DATA_ROW, BOMB_BYTES))},
    # sharedStrings.xml is loaded whole by openpyxl, even read-only.
    "huge_shared_strings": {SHARED: _shared_strings(_repeat(b"<si><t>0</t></si>", BOMB_BYTES))},
}

CHILD = r"""
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a safety net for the machine
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django
django.setup()
from django.core.files import File
from people import spreadsheets
path, mode = sys.argv[1], sys.argv[2]
refused = None
with open(path, "rb") as handle:
    try:
        if mode == "upload_check":
            spreadsheets.inspect_upload(File(handle, name=os.path.basename(path)))
        else:  # what the worker does with the stored file
            fmt = "csv" if path.endswith(".csv") else "xlsx"
            reading = spreadsheets.open_data_rows(handle, file_format=fmt, header_row=1, width=8)
            with reading as rows:
                for _row in rows:
                    pass
    except spreadsheets.ImportFileError as error:
        refused = error.code
# This process's own peak (VmHWM of its memory map). Not getrusage's ru_maxrss: Linux carries
# that across exec from the forked copy of the parent, a pytest worker of ~300 MB.
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
print(json.dumps({"refused": refused, "peak_mb": round(peak)}))
"""


def _in_child(path: Path, mode: str) -> dict[str, object]:
    """Run the upload check or the worker's read of `path` in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> Iterator[dict[str, Path]]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for name, parts in BOMBS.items():
        paths[name] = folder / f"{name}.xlsx"
        _workbook(paths[name], parts)
    yield paths


@pytest.mark.parametrize("mode", ["upload_check", "worker_read"])
@pytest.mark.parametrize("shape", list(BOMBS))
def test_a_zip_bomb_is_refused_before_reading_and_memory_stays_under_300_mb(
    bombs, shape, mode
) -> None:
    size = bombs[shape].stat().st_size
    assert size < 4 * 1024 * 1024  # a small upload ...
    with zipfile.ZipFile(bombs[shape]) as archive:  # ... that inflates to ~900 MB
        assert sum(i.file_size for i in archive.infolist()) > 850 * 1024 * 1024
    result = _in_child(bombs[shape], mode)
    assert result["refused"] == "packed_too_densely"
    assert result["peak_mb"] < PEAK_LIMIT_MB  # type: ignore[operator]


@pytest.mark.parametrize("mode", ["upload_check", "worker_read"])
def test_a_csv_row_of_millions_of_commas_is_refused_and_memory_stays_under_300_mb(
    tmp_path, mode
) -> None:
    path = tmp_path / "commas.csv"
    path.write_bytes(b"phone,name,consent_source\n98264 00009,Sita,paper" + b"," * 19_000_000)
    result = _in_child(path, mode)
    assert result["refused"] == "csv_row_too_long"
    assert result["peak_mb"] < PEAK_LIMIT_MB  # type: ignore[operator]


# --- the same checks in the service, with their messages ----------------------------------------


def _refused(world, content: bytes, name: str = "list.xlsx") -> ImportFileError:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError) as caught:
        services.create_import_job(
            district=world.district, upload=upload(name, content), by=world.user(Role.CYBER_CELL)
        )
    assert ImportJob.objects.count() == 0 and Citizen.objects.count() == 0
    return caught.value


def _built(parts: Parts, level: int = 6) -> bytes:
    buffer = io.BytesIO()
    _workbook(buffer, parts, level=level)
    return buffer.getvalue()


def _random_digits(count: int) -> bytes:
    rng = random.Random(14)
    return "".join(rng.choice("0123456789") for _ in range(count)).encode()


def test_a_bomb_is_refused_with_a_message_that_says_why(world) -> None:
    content = _built({SHEET: _sheet(HEADER_ROW, _huge_cell(40 * 1024 * 1024))}, level=9)
    error = _refused(world, content)
    assert error.code == "packed_too_densely"
    assert error.messages[0].startswith("Part of this workbook unpacks to ")
    assert "times its packed size" in error.messages[0]


def test_a_workbook_unpacking_beyond_the_limit_is_refused(world, monkeypatch) -> None:
    from people import xlsx_guard

    monkeypatch.setattr(xlsx_guard, "MAX_UNPACKED_BYTES", 1024 * 1024)
    rows = b"".join(_cells([mobile(n), f"Name {n}", "paper form"]) for n in range(20_000))
    error = _refused(world, _built({SHEET: _sheet(HEADER_ROW, rows)}))
    assert error.code == "unpacked_too_large"
    assert "the most we read is 1.0\xa0MB" in error.messages[0]


def test_a_cell_longer_than_any_spreadsheet_allows_is_refused(world) -> None:
    # Random digits pack only ~2:1, so the ratio does not catch it; the cell's length does.
    cell = b"<row><c><v>" + _random_digits(3 * 1024 * 1024) + b"</v></c></row>"
    error = _refused(world, _built({SHEET: _sheet(HEADER_ROW, cell)}))
    assert error.code == "workbook_too_complex"


def test_a_row_with_too_many_cells_is_refused(world) -> None:
    rng = random.Random(7)
    cells = b"".join(b"<c><v>%d</v></c>" % rng.randrange(10**9) for _ in range(120_000))
    error = _refused(world, _built({SHEET: _sheet(HEADER_ROW, b"<row>" + cells + b"</row>")}))
    assert error.code == "workbook_too_complex"


def test_a_sheet_of_hundreds_of_thousands_of_empty_rows_is_refused(world) -> None:
    rows = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % n for n in range(3, 250_000))
    error = _refused(world, _built({SHEET: _sheet(HEADER_ROW, DATA_ROW, rows)}))
    assert error.code == "too_many_row_entries"
    assert error.messages[0] == (
        "A sheet of this workbook has 249,999 rows, most of them empty; at most 200,000 can be "
        "read. Delete the empty rows below the list, or save it as CSV UTF-8, and upload again."
    )


def test_too_many_different_texts_are_refused(world) -> None:
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(300_001))
    error = _refused(world, _built({SHARED: _shared_strings(lambda s: s.write(strings))}))
    assert error.code == "too_many_texts"
    assert error.messages[0] == (
        "The workbook holds 300,001 different texts; at most 300,000 can be read from a "
        "workbook. Save the list as CSV UTF-8 and upload that."
    )


def test_a_styles_part_too_large_to_read_whole_is_refused(world) -> None:
    rng = random.Random(3)
    xfs = b"".join(
        b'<xf numFmtId="%d" fontId="%d" fillId="0" borderId="0"/>'
        % (rng.randrange(200), rng.randrange(50))
        for _ in range(150_000)
    )

    def styles(stream: io.BufferedIOBase) -> None:
        stream.write(b'<styleSheet xmlns="%s"><cellXfs>%s</cellXfs></styleSheet>' % (MAIN_NS, xfs))

    assert _refused(world, _built({"xl/styles.xml": styles})).code == "workbook_too_complex"


def test_a_workbook_of_thousands_of_parts_is_refused(world) -> None:
    def junk(stream: io.BufferedIOBase) -> None:
        stream.write(b"<x/>")

    parts: Parts = {f"xl/junk/{n}.xml": junk for n in range(5_000)}
    assert _refused(world, _built(parts)).code == "workbook_too_complex"


def test_an_ordinary_list_of_twenty_thousand_rows_passes_every_limit(world) -> None:
    rows = [
        [mobile(n), f"नागरिक {n}", "paper form", "15/01/2026", "", "Lanka", "hi", "Traders"]
        for n in range(20_000)
    ]
    job, _created = services.create_import_job(
        district=world.district,
        upload=upload("big.xlsx", xlsx_bytes(rows)),
        by=world.user(Role.CYBER_CELL),
    )
    assert job.rows_expected == 20_000


def test_a_csv_with_a_long_but_reasonable_row_is_still_read(world) -> None:
    row = [mobile(1), "Sita", "paper form", "", "", "x" * 50_000, "", ""]
    job, _created = services.create_import_job(
        district=world.district,
        upload=upload("a.csv", csv_bytes([row])),
        by=world.user(Role.CYBER_CELL),
    )
    assert job.rows_expected == 1
