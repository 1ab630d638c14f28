"""The embedded setup (`make run`: SQLite, no servers) must migrate from scratch.

The suite itself runs on PostgreSQL only, so a PostgreSQL-only column type in a migration
(an ArrayField once stopped `make run` at complaints 0005) would pass every other test. This
one runs the real `manage.py migrate` and `check` in a subprocess with no DATABASE_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_VARIABLES = ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")


def test_every_migration_applies_on_sqlite(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    env.update({"THANA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"})
    env.pop("PYTEST_XDIST_WORKER", None)
    for command in (["migrate", "--noinput"], ["check"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "thana.sqlite3").exists()
