"""Reports: export jobs for review reports too large to build while the user waits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import private_storage


def export_upload_path(instance: ReportExport, filename: str) -> str:
    return f"reports/exports/{instance.requested_by_id}/{instance.pk}-{filename}"


class ReportExport(models.Model):
    """One review report export built by a worker; only the user who asked may download it."""

    class Status(models.TextChoices):
        # Waiting for a worker.
        QUEUED = "queued", _("Waiting")
        # A worker claimed it (conditional UPDATE) and is building the file.
        RUNNING = "running", _("Building")
        # The file is ready.
        DONE = "done", _("Ready")
        # Building failed; `error` says why.
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (.xlsx)")
        CSV = "csv", _("CSV")
        PDF = "pdf", _("PDF")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The report's GET parameters (period, from, to, district, stations), re-scoped when built.
    params = models.JSONField(default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # 0-100, moved at each stage: figures computed (50), file written (90), stored (100).
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    station_count = models.PositiveIntegerField(_("stations"), default=0)
    file = models.FileField(
        upload_to=export_upload_path, storage=private_storage, max_length=255, blank=True
    )
    file_name = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_export_progress_percent"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="report_export_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.file_format}, {self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
