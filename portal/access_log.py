"""Request logs carry paths, never query strings (they hold what officers type into searches).

An officer who types a victim's name into a search box sends it as `?q=...`; the access log is
read by more people than the victim's case file, and kept longer. So:

* `QuerylessAccessLogger` is gunicorn's logger for the web process (portal/gunicorn.conf.py):
  every atom that could carry a query (`%(r)s`, `%(q)s`, the referrer `%(f)s` and
  `%({referer}i)s`, whose same-origin value is the previous page's URL) is cut at the `?`, so
  no access_log_format an operator picks brings it back;
* `QuerylessRequestFilter` does the same for `manage.py runserver`'s `django.server` log.

Django's own `django.request` warnings ("Not Found: /path") already log the path only.
This module imports nothing of Django: gunicorn's master loads it before the application.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.glogging import Logger


def without_query(target: str) -> str:
    """`target` (a path, a full URL or a request line's target) cut at its query string."""
    return target.split("?", 1)[0]


def _request_line(line: str) -> str:
    """'GET /x?q=1 HTTP/1.1' -> 'GET /x HTTP/1.1'."""
    parts = line.split(" ")
    if len(parts) == 3:
        parts[1] = without_query(parts[1])
        return " ".join(parts)
    return without_query(line)


class QuerylessAccessLogger(Logger):
    """gunicorn's logger with every query-carrying atom cut at the `?`."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = "{} {} {}".format(
            environ.get("REQUEST_METHOD", "-"),
            without_query(environ.get("RAW_URI", "-")),
            environ.get("SERVER_PROTOCOL", "-"),
        )
        atoms["q"] = ""
        atoms["f"] = without_query(atoms.get("f") or "-")
        if "{referer}i" in atoms:
            atoms["{referer}i"] = without_query(atoms["{referer}i"])
        return atoms


class QuerylessRequestFilter(logging.Filter):
    """For `django.server` records ('"GET /x?q=1 HTTP/1.1" 200 512'): the request line's
    query is cut before any handler formats the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_request_line(record.args[0]), *record.args[1:])
        return True
