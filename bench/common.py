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
RESULTS = ROOT / "var" / "bench-results.txt"


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
