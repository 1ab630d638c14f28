"""Real processes for engine tests: the fake Cloud API, Celery workers, and a beat stand-in.

Each test gets its own Celery queue and cache key prefix so parallel test processes sharing
one Redis never see each other's tasks, leases or rate-limit buckets.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """DATABASE_URL of the test database this pytest process uses."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@dataclass
class Engine:
    """Settings shared by the test process and its workers."""

    queue: str = field(default_factory=lambda: f"engine-{uuid.uuid4().hex[:10]}")
    prefix: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:8]}")
    env: dict[str, str] = field(default_factory=dict)

    def worker_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "CACHE_KEY_PREFIX": self.prefix,
            "BROADCAST_QUIET_HOURS": "",
            **self.env,
        }


@contextmanager
def worker(engine: Engine, *, concurrency: int = 2) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` (prefork) in its own process group, stopped at the end."""
    proc = start_worker(engine, concurrency=concurrency)
    try:
        yield proc
    finally:
        kill_group(proc, signal.SIGTERM)


def start_worker(engine: Engine, *, concurrency: int = 2) -> subprocess.Popen[bytes]:
    log = open(ROOT / "var" / f"worker-{engine.queue}.log", "ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--queues",
            engine.queue,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--hostname",
            f"{engine.queue}-{uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=ROOT,
        env=engine.worker_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc


def kill_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Signal the worker and its pool children (their own session); wait for them to go."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@contextmanager
def route_to(engine: Engine) -> Iterator[None]:
    """Send every task this process enqueues (e.g. the webhook view's) to the test's queue."""
    conf = celery_app.conf
    previous = conf.task_default_queue, conf.task_routes
    conf.task_default_queue, conf.task_routes = engine.queue, {"*": {"queue": engine.queue}}
    _forget_routing()
    try:
        yield
    finally:
        conf.task_default_queue, conf.task_routes = previous
        _forget_routing()


def _forget_routing() -> None:
    """Drop Celery's cached queues, routes and sender (they capture the default queue)."""
    amqp = celery_app.amqp
    for cached in ("queues", "default_queue", "router", "send_task_message"):
        amqp.__dict__.pop(cached, None)
    amqp.flush_routes()


@contextmanager
def engine_cache(engine: Engine) -> Iterator[None]:
    """This process uses the workers' cache keys meanwhile (e.g. to lift a halt they see)."""
    from django.core.cache import caches

    backend = caches["default"]
    previous = backend.key_prefix
    backend.key_prefix = engine.prefix
    try:
        yield
    finally:
        backend.key_prefix = previous


def beat(engine: Engine) -> None:
    """What celery beat would do every few seconds: dispatch and reap, on the test's queue."""
    for task in ("broadcasts.dispatch", "broadcasts.reap"):
        celery_app.send_task(task, queue=engine.queue)


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float,
    every: float = 1.0,
    tick: Callable[[], None] | None = None,
    what: str = "condition",
) -> None:
    """Poll until `condition()` holds, calling `tick()` between polls; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if tick is not None:
            tick()
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def cloud_settings(settings_fixture, fake) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Point this process (and return env for workers) at the fake Cloud API."""
    from broadcasts.providers import reset_provider

    values = {
        "WHATSAPP_PROVIDER": "cloud",
        "WHATSAPP_API_BASE_URL": fake.base_url,
        "WHATSAPP_TOKEN": fake.token,
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_APP_SECRET": fake.app_secret,
        "WHATSAPP_BUSINESS_ACCOUNT_ID": fake.waba_id,
    }
    for key, value in values.items():
        setattr(settings_fixture, key, value)
    settings_fixture.BROADCAST_QUIET_HOURS = ""
    reset_provider()
    return values


@contextmanager
def cloud_provider(  # type: ignore[no-untyped-def]
    settings_fixture, fake, *, pair_window_s: float, pair_spacing_s: float | None = None
) -> Iterator[object]:
    """The fake Cloud API as this process's provider, reset, with its templates synced; the
    sandbox again afterwards, so later tests do not get a cached cloud provider."""
    from broadcasts import templates_sync
    from broadcasts.providers import reset_provider

    fake.reset()
    fake.configure(pair_window_s=pair_window_s)
    cloud_settings(settings_fixture, fake)
    if pair_spacing_s is not None:
        settings_fixture.WHATSAPP_PAIR_SPACING_SECONDS = pair_spacing_s
    templates_sync.sync_templates(by=None)
    try:
        yield fake
    finally:
        settings_fixture.WHATSAPP_PROVIDER = "sandbox"
        reset_provider()


__all__ = [
    "Engine",
    "beat",
    "cloud_provider",
    "cloud_settings",
    "engine_cache",
    "kill_group",
    "route_to",
    "start_worker",
    "wait_for",
    "worker",
]
