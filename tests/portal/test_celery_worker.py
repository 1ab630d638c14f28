"""A real Celery worker process consumes from the real Redis broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    queue = f"test-{os.getpid()}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield proc, queue
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.xdist_group("celery")
def test_a_worker_process_answers_ping_through_redis(worker) -> None:
    proc, queue = worker
    assert celery_app.conf.broker_url.startswith("redis://")
    result = celery_app.send_task("portal.ping", queue=queue)
    assert result.get(timeout=60) == "pong"
    assert proc.poll() is None
