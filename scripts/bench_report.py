#!/usr/bin/env python3
"""Write docs/performance.md from the BENCH lines of the last `make bench` run."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench-results.txt"


def memory_gib() -> float:
    with open("/proc/meminfo") as handle:
        kib = int(handle.readline().split()[1])
    return kib / 1024 / 1024


def main() -> None:
    lines = RESULTS.read_text().splitlines() if RESULTS.exists() else []
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "# Performance: figures from the last `make bench`",
        "",
        f"Measured {today} on {platform.node()}: {os.cpu_count()} cores, "
        f"{memory_gib():.0f} GiB memory, {platform.python_implementation()} "
        f"{platform.python_version()}. Every figure is compared with a raw limit measured in the "
        "same run on the same PostgreSQL, Redis and fake Cloud API (see bench/*.py for what "
        "each raw limit is).",
        "",
        "```",
        *lines,
        "```",
        "",
        "See docs/performance-notes.md for what the figures mean and what would improve them.",
    ]
    (ROOT / "docs" / "performance.md").write_text("\n".join(body) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
