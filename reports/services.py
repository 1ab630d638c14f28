"""Writes of the reports app: export jobs (queued, claimed, built) and their audit events."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from accounts.models import User
from accounts.services import record_event
from reports import exports
from reports.models import ReportExport
from reports.periods import Period
from reports.selectors import ReviewReport
from stations.models import District

logger = logging.getLogger(__name__)


def sync_export_limit() -> int:
    """Reports over more stations are built by a worker (REPORTS_SYNC_EXPORT_MAX_STATIONS)."""
    return int(getattr(settings, "REPORTS_SYNC_EXPORT_MAX_STATIONS", 100))


def _audit_data(report: ReviewReport, fmt: str) -> dict[str, Any]:
    return {
        "format": fmt,
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "district": report.district.pk if report.district is not None else None,
        "stations": len(report.rows),
    }


def record_export(
    *, user: User, report: ReviewReport, fmt: str, request: HttpRequest | None = None
) -> None:
    """The audit event of an export made while the user waited."""
    record_event(
        actor=user,
        action="reports.review.exported",
        data=_audit_data(report, fmt),
        request=request,
        district=report.district,
    )


@transaction.atomic
def request_export(
    *,
    user: User,
    params: dict[str, Any],
    fmt: str,
    period: Period,
    district: District | None,
    station_count: int,
    request: HttpRequest | None = None,
) -> ReportExport:
    """Queue an export for a worker (enqueued after commit); one audit event."""
    export = ReportExport.objects.create(
        requested_by=user, params=params, file_format=fmt, station_count=station_count
    )
    record_event(
        actor=user,
        action="reports.review.export_requested",
        target=export,
        data={
            "format": fmt,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "district": district.pk if district is not None else None,
            "stations": station_count,
        },
        request=request,
        district=district,
    )
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from reports.tasks import build_review_export

    build_review_export.delay(export_id)


def _claim(export_id: int) -> bool:
    """Queued -> running with a conditional UPDATE: only one worker builds a given export."""
    return bool(
        ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.QUEUED).update(
            status=ReportExport.Status.RUNNING, progress=5
        )
    )


def build_export(*, export_id: int) -> ReportExport | None:
    """Build the export's file for the user who asked, re-scoped now; None if not ours to build."""
    from reports.forms import ReviewForm
    from reports.selectors import review_report

    if not _claim(export_id):
        return None
    export = ReportExport.objects.select_related("requested_by").get(pk=export_id)
    try:
        user = export.requested_by
        form = ReviewForm(_query(export.params), user=user)
        if not form.is_valid():
            raise ValueError("The report's parameters are no longer valid.")
        report = review_report(
            user=user, district=form.chosen_district(), **form.report_arguments()
        )
        _progress(export, 50)
        content = exports.render(report, export.file_format)
        _progress(export, 90)
        name = exports.file_name(report, export.file_format)
        export.file.save(name, ContentFile(content), save=False)
        export.file_name = name
        export.status = ReportExport.Status.DONE
        export.progress = 100
    except Exception as error:  # any failure is shown on the job's page
        logger.exception("Review export %s failed", export_id)
        export.status = ReportExport.Status.FAILED
        export.error = str(error)[:300]
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "file_name", "status", "progress", "error", "finished_at"])
    return export


def _progress(export: ReportExport, percent: int) -> None:
    ReportExport.objects.filter(pk=export.pk).update(progress=percent)
    export.progress = percent


def _query(params: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = str(value)
    return query
