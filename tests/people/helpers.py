"""Helpers for people tests (also used by tests/e2e): spreadsheets, uploads, a real worker."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = [
    "phone",
    "name",
    "consent_source",
    "consent_date",
    "station_code",
    "locality",
    "language",
    "tags",
]
ROOT = Path(__file__).resolve().parents[2]


def xlsx_bytes(rows: list[list[Any]], header: list[str] | None = HEADER) -> bytes:
    """An .xlsx workbook (openpyxl write-only) with a header row and the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Citizens")
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(
    sheets: list[tuple[str, list[list[Any]] | None, str]], *, active: int = 0
) -> bytes:
    """An .xlsx with sheets (title, rows with the header first or None for empty, sheet state)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows, state in sheets:
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        for row in rows or []:
            sheet.append(row)
    workbook.active = active
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list[Any]], header: list[str] | None = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def mobile(n: int) -> str:
    """The n-th valid Indian mobile number as people type it (10 digits)."""
    return f"98{n:08d}"


def database_url() -> str:
    """DATABASE_URL of the test database this process uses (for a worker subprocess)."""
    from django.db import connection

    conf = connection.settings_dict
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
    return f"postgres://{auth}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


def start_worker(queue: str, var_dir: Path) -> subprocess.Popen[bytes]:
    """A real Celery worker process (solo pool) on `queue`, using this test database."""
    env = {**os.environ, "DATABASE_URL": database_url(), "THANA_VAR_DIR": str(var_dir)}
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo",
            "--queues", queue, "--loglevel", "WARNING", "--without-heartbeat",
            "--without-mingle", "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
