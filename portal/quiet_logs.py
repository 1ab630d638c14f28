"""Keep the frequent periodic tasks' routine lines out of the `make run` terminal.

broadcasts.dispatch runs every 5 s: at INFO, beat says "Scheduler: Sending due task ..." and
the worker "Task ... received" / "Task ... succeeded" for each run, and the demo logins printed
at start-up scroll away within a minute. In the embedded setup (settings.QUIET_PERIODIC_TASK_LOGS,
on with the embedded broker) this filter, on those three Celery loggers, drops their INFO
lines (and below) for every beat task scheduled more often than every FREQUENT_SECONDS.
Warnings and errors always pass, and so does everything about any other task.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

# A task that beat sends at least this often counts as frequent.
FREQUENT_SECONDS = 300.0
# Celery's loggers of the routine lines: beat's sending, the worker's receipt and success.
LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


def frequent_tasks(schedule: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """Task names and entry names of CELERY_BEAT_SCHEDULE entries due every few minutes."""
    names: set[str] = set()
    for entry_name, entry in schedule.items():
        every = entry.get("schedule")
        seconds = every.total_seconds() if isinstance(every, timedelta) else every
        if isinstance(seconds, int | float) and seconds < FREQUENT_SECONDS:
            names.update({entry_name, str(entry.get("task", ""))})
    names.discard("")
    return frozenset(names)


def _task_named(record: logging.LogRecord) -> str:
    """The task a Celery record is about ("" when it is about none)."""
    args = record.args
    if isinstance(args, Mapping):  # trace/strategy: "Task %(name)s[%(id)s] ..."
        return str(args.get("name", ""))
    if isinstance(args, tuple) and len(args) == 2 and "due task" in str(record.msg):
        return str(args[1])  # beat: "Scheduler: Sending due task %s (%s)", entry, task
    return ""


class QuietFrequentTasks(logging.Filter):
    """Drop INFO-and-below records about the frequent periodic tasks."""

    def __init__(self, tasks: frozenset[str] | None = None) -> None:
        super().__init__()
        self._tasks = tasks

    @property
    def tasks(self) -> frozenset[str]:
        if self._tasks is None:  # read late: settings adds beat entries after LOGGING
            from django.conf import settings

            self._tasks = frequent_tasks(getattr(settings, "CELERY_BEAT_SCHEDULE", {}))
        return self._tasks

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        return _task_named(record) not in self.tasks
