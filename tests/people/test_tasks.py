"""The import task through a real Celery worker process on the real Redis broker."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import transaction

from accounts.models import Role
from people import services
from people.models import Citizen, ImportJob
from people.tasks import run_import, sweep_imports
from tests.people.helpers import mobile, upload, xlsx_bytes

HEADER = ["phone", "name", "consent_source"]


def _wait_for(job_id: int, *statuses: str, timeout: float = 90.0) -> ImportJob:
    """Poll the job (committed by the worker in its own process) until it reaches a status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)  # waiting for another process, not for the clock
    raise AssertionError(f"import {job_id} still {job.status} after {timeout:.0f}s")


@pytest.mark.xdist_group("celery")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_uploaded_list_once(world, import_worker) -> None:
    rows = [[mobile(n), f"नागरिक {n}", "paper form"] for n in range(300)] + [["123", "x", "paper"]]
    with transaction.atomic():  # the service enqueues on commit, to the worker's own queue
        job, _created = services.create_import_job(
            district=world.district,
            upload=upload("mitan.xlsx", xlsx_bytes(rows, header=HEADER)),
            by=world.user(Role.CYBER_CELL),
        )
    done = _wait_for(job.pk, "done", "failed")
    assert done.status == "done", done.error
    assert (done.rows_read, done.imported_created, done.rejected) == (301, 300, 1)
    assert Citizen.objects.filter(district=world.district).count() == 300
    # The same task sent again (a redelivery) finds the job finished and does nothing.
    again = run_import.apply_async(
        args=[job.pk], queue=settings.PEOPLE_IMPORT_QUEUE, ignore_result=False
    )
    assert again.get(timeout=60) == ""
    assert sweep_imports() == {"resent": 0, "purged": 0}
    done.refresh_from_db()
    assert (done.rows_read, done.imported_created) == (301, 300)
    assert import_worker.poll() is None
