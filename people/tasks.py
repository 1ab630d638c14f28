"""Celery tasks of the people app: thin wrappers taking ids; safe to run twice.

- `run_import(job_id)`: imports one uploaded list. The job is claimed with a conditional UPDATE
  (queued -> running), so a second delivery of the same message, or a re-run of a finished job,
  does nothing. A transient database error releases the job and retries with backoff.
- `sweep_imports` (beat, every minute): re-sends jobs whose task was lost (broker down at upload,
  worker killed) and deletes files and rejected rows past the retention period.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from people import importing, selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    name="people.run_import",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
)
def run_import(job_id: int) -> str:
    """Import the job's file; returns its final status ('' when it was not ours to run)."""
    job = importing.run_import_job(job_id=int(job_id))
    return job.status if job is not None else ""


@shared_task(name="people.sweep_imports", ignore_result=True)
def sweep_imports() -> dict[str, int]:
    """Re-send lost import tasks and purge expired import files."""
    stuck = selectors.stuck_import_ids()
    for job_id in stuck:
        services.enqueue_import(job_id)
    purged = services.purge_expired_imports()
    if stuck or purged:
        logger.info("import sweep: re-sent %s, purged %s", len(stuck), purged)
    return {"resent": len(stuck), "purged": purged}
