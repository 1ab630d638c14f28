"""Health probes for /healthz: database, cache and Celery broker, each with a short timeout."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from portal.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 3


def check_database() -> None:
    """Run a trivial query on the default database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def check_cache() -> None:
    """Write, read back and delete a throwaway key."""
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("value not read back")
    finally:
        cache.delete(key)


def check_broker() -> None:
    """Open (and close) a connection to the Celery broker."""
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> dict[str, dict[str, str]]:
    """Run every probe; each result is {'status': 'ok'} or {'status': 'error', 'error': class}."""
    results: dict[str, dict[str, str]] = {}
    for name, probe in CHECKS.items():
        try:
            probe()
        except Exception as exc:  # a probe's failure is the answer, never a 500
            results[name] = {"status": "error", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
    return results
