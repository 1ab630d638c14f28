"""Citizens: one record per person (unique phone), with consent and opt-out (DPDP Act 2023)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import District, Station


class ConsentSource(models.TextChoices):
    """How the citizen agreed to hear from the police (recorded once, with the date)."""

    OFFICER_FORM = "officer_form", _("Entered by an officer with the citizen's consent")
    PAPER_FORM = "paper_form", _("Signed paper form")
    WEB_FORM = "web_form", _("Portal web form")
    WHATSAPP = "whatsapp", _("Asked to join on WhatsApp")
    IMPORT = "import", _("Imported list with recorded consent")
    GROUP_NOMINATION = "group_nomination", _("Community group membership")
    IN_PERSON = "in_person", _("Given in person at a police camp, chaupal or meeting")


# What a list's "consent source" column may say, in the reader's language: told in the error of
# a row whose source is not recognised (any text naming one of these is classified; see
# people.importing.classify_consent_source).
CONSENT_SOURCE_WORDS = (
    _("paper form"),
    _("officer form"),
    _("web form"),
    _("WhatsApp"),
    _("imported list"),
    _("community group"),
    _("camp, chaupal or meeting"),
)


class OptOutSource(models.TextChoices):
    """Where an opt-out came from; every one suppresses every future message the same way."""

    KEYWORD = "keyword", _("STOP keyword on WhatsApp")
    PREFERENCES_WEBHOOK = "preferences_webhook", _("WhatsApp marketing preference: stop")
    ERROR_131050 = "error_131050", _("WhatsApp error 131050: user stopped marketing messages")
    OFFICER = "officer", _("Recorded by an officer on the citizen's request")
    ERASURE = "erasure", _("Personal data erased on request")


class Tag(models.Model):
    """A label for audiences: 'traders', 'college students', 'Police Mitan 2026'."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


NO_PHONE_SHARED = _("no phone number shared")
REPLY_WINDOW = timedelta(hours=24)


class Citizen(models.Model):
    """A person the police may message: phone in E.164, name in any script."""

    # None for a citizen who reached us by WhatsApp behind a username, the number withheld:
    # known only by their WhatsApp user id until they share it (then the same record gets it).
    phone = models.CharField(_("phone (E.164)"), max_length=16, unique=True, null=True, blank=True)
    # WhatsApp's business-scoped user id (BSUID, e.g. IN.1000000000000001): in every webhook
    # since April 2026, the only key of a citizen who hides their number behind a username.
    # Learned from the webhooks about a known phone; moved by user_id_update.
    whatsapp_user_id = models.CharField(
        _("WhatsApp user id"), max_length=140, unique=True, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="citizens", verbose_name=_("district")
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citizens",
        verbose_name=_("police station"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="hi"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="citizens", verbose_name=_("tags"))
    consent_source = models.CharField(
        _("consent source"), max_length=32, choices=ConsentSource.choices, blank=True
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True, db_index=True)
    # When WhatsApp last refused a marketing message to this citizen with 131049 (its
    # per-person marketing cap, across all businesses): no marketing for 24 h after it, and
    # the next broadcast offers this citizen first (broadcasts.audience.fan_out).
    marketing_capped_at = models.DateTimeField(_("marketing capped at"), null=True, blank=True)
    opt_out_source = models.CharField(
        _("opt-out source"), max_length=32, choices=OptOutSource.choices, blank=True
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # The citizen's last WhatsApp message to us: free-text replies are allowed for 24 hours
    # after it (WhatsApp's customer service window); templates only otherwise.
    last_inbound_at = models.DateTimeField(_("last message from them"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        indexes = [models.Index(fields=["district", "station"])]
        constraints = [
            models.CheckConstraint(
                name="citizen_phone_is_e164", condition=Q(phone__regex=r"^\+[1-9][0-9]{6,14}$")
            ),
            models.CheckConstraint(
                name="citizen_has_phone_or_whatsapp_user_id",
                condition=Q(phone__isnull=False) | Q(whatsapp_user_id__isnull=False),
            ),
            models.CheckConstraint(
                name="citizen_consent_has_source_and_date",
                condition=(Q(consent_source="") & Q(consent_at__isnull=True))
                | (~Q(consent_source="") & Q(consent_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="citizen_opt_out_has_source_and_date",
                condition=(Q(opt_out_source="") & Q(opted_out_at__isnull=True))
                | (~Q(opt_out_source="") & Q(opted_out_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_phone})"

    @property
    def masked_phone(self) -> str:
        """The phone with all but the last four digits hidden, for lists and logs."""
        if not self.phone:
            return str(NO_PHONE_SHARED)
        return f"{self.phone[:3]}••••••{self.phone[-4:]}" if len(self.phone) > 7 else "••••"

    @property
    def shared_phone(self) -> bool:
        """False for a citizen known only by WhatsApp user id (number withheld)."""
        return bool(self.phone)

    @property
    def reply_window_open(self) -> bool:
        """Within WhatsApp's 24-hour customer service window (free text may be sent)."""
        return self.last_inbound_at is not None and (
            timezone.now() - self.last_inbound_at < REPLY_WINDOW
        )

    @property
    def may_receive_messages(self) -> bool:
        """Consent recorded, not opted out, not erased."""
        return bool(self.consent_at) and self.opted_out_at is None and self.erased_at is None


def messageable() -> Q:
    """The filter for citizens who may be sent business-initiated messages."""
    return Q(consent_at__isnull=False, opted_out_at__isnull=True, erased_at__isnull=True)


# --- Subscriber list imports -----------------------------------------------------------------


def import_upload_path(instance: ImportJob, filename: str) -> str:
    """A random name under MEDIA_ROOT/imports/ that keeps only the extension of the upload."""
    suffix = PurePath(filename).suffix.lower()
    return f"imports/{uuid.uuid4().hex}{suffix if suffix in {'.csv', '.xlsx'} else ''}"


class ImportJob(models.Model):
    """One uploaded subscriber list and what became of each of its rows.

    Invariant (a database constraint): created + updated + rejected = rows read, at every commit.
    The importer commits a batch of rows together with these counters, so a job that stops
    half-way still says exactly which rows were handled (everything up to `last_row_number`).
    """

    class Status(models.TextChoices):
        # The file passed the upload checks and waits for a worker.
        QUEUED = "queued", _("Waiting")
        # A worker claimed it (conditional UPDATE) and is importing batch by batch.
        RUNNING = "running", _("Importing")
        # Every row was read; each was imported (created or updated) or rejected with a reason.
        DONE = "done", _("Done")
        # Stopped by an unexpected error (`error`); batches committed before it stay imported.
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (.xlsx)")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("district")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to=import_upload_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # How to read the file again in the worker: the header as written and where each field is.
    header = models.JSONField(_("columns as written"), default=list, blank=True)
    columns = models.JSONField(default=dict, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    # The workbook's sheet the upload check read (never a hidden one); "" for CSV, and for jobs
    # stored before it was recorded (their first sheet was read).
    sheet_name = models.CharField(_("sheet"), max_length=255, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    rows_expected = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    imported_created = models.PositiveIntegerField(_("new citizens"), default=0)
    imported_updated = models.PositiveIntegerField(_("existing citizens updated"), default=0)
    updated_still_opted_out = models.PositiveIntegerField(_("updated, still opted out"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    last_row_number = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscriber import")
        verbose_name_plural = _("subscriber imports")
        constraints = [
            models.CheckConstraint(
                name="importjob_rows_add_up",
                condition=Q(
                    rows_read=models.F("imported_created")
                    + models.F("imported_updated")
                    + models.F("rejected")
                ),
            ),
            models.CheckConstraint(
                name="importjob_opted_out_within_updated",
                condition=Q(updated_still_opted_out__lte=models.F("imported_updated")),
            ),
            models.CheckConstraint(
                name="importjob_started_when_claimed",
                condition=Q(status="queued") | Q(status="failed") | Q(started_at__isnull=False),
            ),
            models.CheckConstraint(
                name="importjob_finished_when_final",
                condition=Q(status__in=["queued", "running"]) | Q(finished_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_final(self) -> bool:
        return self.status in IMPORT_FINAL_STATUSES

    @property
    def imported(self) -> int:
        return self.imported_created + self.imported_updated

    @property
    def percent(self) -> int:
        """Progress for the bar: rows handled of rows counted at upload (100 once done)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_expected:
            return 0
        return min(99, self.rows_read * 100 // self.rows_expected)


# The one place that says which status may follow which (running -> running is a reclaim of a
# job whose worker stopped sending heartbeats; running -> queued releases it after a transient
# database error so a retry can claim it again).
IMPORT_TRANSITIONS: dict[str, set[str]] = {
    ImportJob.Status.QUEUED: {ImportJob.Status.RUNNING, ImportJob.Status.FAILED},
    ImportJob.Status.RUNNING: {
        ImportJob.Status.RUNNING,
        ImportJob.Status.QUEUED,
        ImportJob.Status.DONE,
        ImportJob.Status.FAILED,
    },
    ImportJob.Status.DONE: set(),
    ImportJob.Status.FAILED: set(),
}
IMPORT_FINAL_STATUSES = frozenset({ImportJob.Status.DONE, ImportJob.Status.FAILED})


class RejectReason(models.TextChoices):
    """Why a row of an import was not imported; the value is stable (CSV downloads, API)."""

    MISSING_PHONE = "missing_phone", _("Phone number missing")
    INVALID_PHONE = "invalid_phone", _("Not a valid phone number")
    LANDLINE = "landline", _("Landline: WhatsApp needs a mobile number")
    DUPLICATE_IN_FILE = "duplicate_in_file", _("Same number as an earlier row of this file")
    REGISTERED_ELSEWHERE = (
        "registered_elsewhere",
        _("Number already registered in another district"),
    )
    ERASED_ON_REQUEST = "erased_on_request", _("This person's data was erased on request")
    MISSING_NAME = "missing_name", _("Name missing")
    NAME_TOO_LONG = "name_too_long", _("Name longer than 200 characters")
    MISSING_CONSENT_SOURCE = "missing_consent_source", _("Consent source missing")
    UNKNOWN_CONSENT_SOURCE = "unknown_consent_source", _("Consent source not recognised")
    INVALID_CONSENT_DATE = "invalid_consent_date", _("Consent date not understood")
    FUTURE_CONSENT_DATE = "future_consent_date", _("Consent date is in the future")
    UNKNOWN_STATION = "unknown_station", _("Station code is not a station of this district")
    INVALID_LANGUAGE = "invalid_language", _("Language must be English, Hindi or Bengali")
    LOCALITY_TOO_LONG = "locality_too_long", _("Locality longer than 200 characters")
    INVALID_TAG = "invalid_tag", _("A tag is longer than 80 characters")


class ImportRejectedRow(models.Model):
    """One row of an import that was not imported, with its values as written and the reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField(_("row"))
    reason = models.CharField(_("reason"), max_length=32, choices=RejectReason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # The row's cells in the order of ImportJob.header (strings, each cut at 500 characters).
    values = models.JSONField(_("values"), default=list, blank=True)
    # The number in E.164 when it could be read, so an erasure can blank this row too.
    phone = models.CharField(max_length=16, blank=True, db_index=True)

    class Meta:
        ordering = ["job", "row_number"]
        verbose_name = _("rejected import row")
        verbose_name_plural = _("rejected import rows")
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="rejected_row_once")
        ]

    def __str__(self) -> str:
        return f"#{self.job_id} row {self.row_number}: {self.reason}"

    @property
    def values_text(self) -> str:
        """The row's non-empty cells, for a one-line display."""
        return " · ".join(str(v) for v in self.values if v)

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language, with the detail (first row, value) filled in."""
        if self.reason == RejectReason.DUPLICATE_IN_FILE and self.detail:
            return str(_("Same number as row %(row)s of this file")) % {"row": self.detail}
        label = str(dict(RejectReason.choices).get(self.reason, self.reason))
        text = f"{label}: {self.detail}" if self.detail else label
        if self.reason == RejectReason.UNKNOWN_CONSENT_SOURCE:
            words = ", ".join(f"“{word}”" for word in CONSENT_SOURCE_WORDS)
            text += ". " + str(_("Write one of: %(words)s.")) % {"words": words}
        return text


class ErasedPhone(models.Model):
    """A keyed hash (HMAC of SECRET_KEY) of a number whose owner asked for erasure.

    The number itself is gone from the citizen row; the hash only lets a later list import
    refuse to bring the same person back. It cannot be turned back into the number without the
    server's secret key.
    """

    digest = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        verbose_name = _("erased number (hash)")
        verbose_name_plural = _("erased numbers (hashes)")

    def __str__(self) -> str:
        return f"{self.digest[:12]}…"


# --- Named lists (a broadcast audience) ------------------------------------------------------


class CitizenList(models.Model):
    """A named set of citizens a district uploaded (e.g. 'College students, Sept 2026').

    Built from an import job ("also save as a list named ..."): every row the import accepted
    (created or updated) becomes a member, batch by batch in the import's own transactions. A
    list belongs to the district that uploaded it; only that district's officers see or use it.
    Membership says nothing about consent: a broadcast to a list still reaches only members who
    consented and did not opt out.
    """

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="citizen_lists", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=120)
    source_job = models.OneToOneField(
        ImportJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen_list",
        verbose_name=_("built from import"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        Citizen, through="CitizenListMember", related_name="+", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("citizen list")
        verbose_name_plural = _("citizen lists")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="citizen_list_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CitizenListMember(models.Model):
    """One citizen on one list; the fan-out joins this table (unique, so a re-run adds none)."""

    citizen_list = models.ForeignKey(CitizenList, on_delete=models.CASCADE, related_name="+")
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("list member")
        verbose_name_plural = _("list members")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_list", "citizen"], name="citizen_list_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"citizen {self.citizen_id} on list {self.citizen_list_id}"
