"""Celery tasks of the reports app: thin, take ids, safe to run twice.

`build_review_export(export_id)` claims the export with a conditional UPDATE (queued ->
running), so a second delivery of the message or a re-run of a finished export does nothing.
"""

from __future__ import annotations

from celery import shared_task

from reports import services


@shared_task(name="reports.build_review_export", ignore_result=True)
def build_review_export(export_id: int) -> str:
    """Build one export's file; returns its final status ('' when it was not ours to build)."""
    export = services.build_export(export_id=int(export_id))
    return export.status if export is not None else ""
