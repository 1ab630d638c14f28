"""`make run` keeps the frequent periodic tasks' routine lines quiet and prints the logins last."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.quiet_logs import LOGGERS, QuietFrequentTasks, frequent_tasks

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = {
    "broadcasts-dispatch": {"task": "broadcasts.dispatch", "schedule": 5.0},
    "accounts-purge-audit-events": {"task": "accounts.purge", "schedule": 86400.0},
}


def _record(name: str, level: int, msg: str, args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)  # type: ignore[arg-type]


def _beat(task: str, level: int = logging.INFO) -> logging.LogRecord:
    return _record("celery.beat", level, "Scheduler: Sending due task %s (%s)", ("entry", task))


def _trace(task: str, level: int = logging.INFO) -> logging.LogRecord:
    context = {"id": "abc", "name": task, "runtime": 0.01, "return_value": None}
    return _record(
        "celery.app.trace",
        level,
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        (context,),
    )


def test_only_tasks_due_every_few_minutes_count_as_frequent() -> None:
    assert frequent_tasks(SCHEDULE) == {"broadcasts-dispatch", "broadcasts.dispatch"}


def test_the_filter_drops_the_frequent_tasks_info_lines_and_keeps_the_rest() -> None:
    quiet = QuietFrequentTasks(frequent_tasks(SCHEDULE))
    assert not quiet.filter(_beat("broadcasts.dispatch"))
    assert not quiet.filter(_trace("broadcasts.dispatch"))
    assert quiet.filter(_beat("accounts.purge"))  # the daily purge is still announced
    assert quiet.filter(_trace("accounts.purge"))
    assert quiet.filter(_trace("broadcasts.dispatch", logging.WARNING))
    assert quiet.filter(_beat("broadcasts.dispatch", logging.ERROR))
    assert quiet.filter(_record("celery.beat", logging.INFO, "beat: Starting...", ()))


PROBE = """
import logging, django
django.setup()
from portal.quiet_logs import LOGGERS, QuietFrequentTasks
for name in LOGGERS:
    quiet = [f for f in logging.getLogger(name).filters if isinstance(f, QuietFrequentTasks)]
    print(name, bool(quiet), bool(quiet) and "broadcasts.dispatch" in quiet[0].tasks)
"""


@pytest.mark.parametrize(("broker", "quiet"), [(None, True), ("redis://127.0.0.1:1/0", False)])
def test_only_the_embedded_setup_quiets_celerys_loggers(tmp_path, broker, quiet) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "THANA_VAR_DIR": str(tmp_path),
    }
    env.pop("QUIET_PERIODIC_TASK_LOGS", None)
    env.pop("CELERY_BROKER_URL", None)
    if broker:
        env["CELERY_BROKER_URL"] = broker
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [word for name in LOGGERS for word in (name, str(quiet), str(quiet))]


def test_make_run_prints_the_demo_logins_after_starting_the_processes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    logins = recipe.index("manage.py demo_logins --wait-for")
    assert logins < recipe.index("honcho start")  # started first, in the background ...
    assert re.search(r"demo_logins --wait-for \S+/healthz\" &", recipe)  # ... until web is up


@pytest.mark.django_db
def test_demo_logins_lists_the_seeded_logins_and_the_second_factor(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("seed_jurisdictions", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "demo_ic " in text and "station_ic" in text
    assert f"password: {settings.DEMO_PASSWORD}" in text
    assert ".venv/bin/python manage.py demo_totp_code" in text
