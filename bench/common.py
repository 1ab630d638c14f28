"""Shared set-up for benchmarks: Django on the throwaway servers, and the BENCH line format."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS lets a trial run write elsewhere (make bench keeps the default).
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "var" / "bench-results.txt"))


def setup_django() -> None:
    """Configure Django against DATABASE_URL (scripts/test_services.py provides it) and migrate."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Benchmarks run on PostgreSQL: use `make bench`.")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_line(
    name: str, *, value: float, unit: str, raw: float, ratio: float, ratio_kind: str, target: str
) -> str:
    """Print (and keep for docs/performance.md) one figure in the project's exact format."""
    line = (
        f"BENCH {name} value={value:.6g} unit={unit} raw={raw:.6g} "
        f"ratio={ratio:.3f}({ratio_kind}) target={target}"
    )
    print(line, flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(line + "\n")
    return line


@contextmanager
def timer() -> Any:
    """with timer() as t: ...; t() -> seconds elapsed."""
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)


def best_of(runs: int, fn: Callable[[], float]) -> float:
    """The fastest of several runs (less noise on a shared 2-core machine)."""
    return min(fn() for _ in range(runs))


# --- State-scale load data (manage.py seed_load), shared by review_report_1m and dashboard_http ---

LOAD_SIZES = {
    "stations": int(os.environ.get("BENCH_LOAD_STATIONS", "1500")),
    "districts": int(os.environ.get("BENCH_LOAD_DISTRICTS", "75")),
    "complaints": int(os.environ.get("BENCH_LOAD_COMPLAINTS", "1000000")),
    "citizens": int(os.environ.get("BENCH_LOAD_CITIZENS", "1000000")),
    "days": int(os.environ.get("BENCH_LOAD_DAYS", "30")),
}


def use_load_database() -> str:
    """Point DATABASE_URL at a separate `<name>_load` database on the same server (created once).

    The load data lives apart from the database the other benchmarks use: fanout truncates the
    outbox and the others add citizens, which would change the figures measured over it. Both
    load benchmarks share it, so the state is seeded once per `make bench`.
    """
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Benchmarks run on PostgreSQL: use `make bench`.")
    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    load_name = f"{name}_load"
    conninfo = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [load_name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{load_name}"')
    load_url = f"{base}/{load_name}"
    os.environ["DATABASE_URL"] = load_url
    return load_url


def ensure_load_data() -> dict[str, int]:
    """Seed the load database with seed_load (LOAD_SIZES) unless it is already seeded.

    The first benchmark that seeds prints `BENCH seed_load_...`: the whole seed's time against
    the raw limit of inserting the same complaint rows (INSERT ... SELECT of the seeded rows into
    a copy of the complaints table with the same indexes), in the same run.
    """
    from django.core.management import call_command
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stations_state WHERE code = 'LOAD'")
        seeded = cursor.fetchone()[0] > 0
    if seeded:
        return LOAD_SIZES
    args = [f"--{name}={value}" for name, value in LOAD_SIZES.items()]
    start = time.perf_counter()
    call_command("seed_load", *args)
    seed_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_complaint")
        cursor.execute("CREATE TABLE bench_complaint (LIKE complaints_complaint INCLUDING ALL)")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_complaint SELECT * FROM complaints_complaint")
    raw_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_complaint")
    size = LOAD_SIZES["complaints"]
    label = f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"
    bench_line(
        f"seed_load_{label}",
        value=seed_s,
        unit="s",
        raw=raw_s,
        ratio=seed_s / raw_s,
        ratio_kind="seed_time/raw_complaint_insert_time",
        target="minutes, not hours",
    )
    return LOAD_SIZES
