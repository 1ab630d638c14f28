"""Writes on citizens: registration (one record per phone), consent, opt-out."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import record_event
from people import selectors, spreadsheets
from people.importing import erased_digest
from people.models import (
    NO_PHONE_SHARED,
    Citizen,
    CitizenList,
    CitizenListMember,
    ConsentSource,
    ErasedPhone,
    ImportJob,
    ImportRejectedRow,
    OptOutSource,
)
from people.phones import normalize_mobile
from stations.idempotency import create_once, submission_token
from stations.models import District, Station

logger = logging.getLogger(__name__)


@transaction.atomic
def register_citizen(
    *,
    phone: str,
    name: str,
    station: Station | None = None,
    district: District | None = None,
    locality: str = "",
    preferred_language: str = "hi",
    consent_source: ConsentSource | str = "",
    by: User | None = None,
) -> Citizen:
    """The citizen with this phone, created or brought up to date (phone in any format).

    Raises people.phones.InvalidPhone for an unusable number. Consent, once recorded, keeps its
    first source and date; an opt-out is never undone here.
    """
    e164 = normalize_mobile(phone)
    if district is None:
        if station is None:
            raise ValueError("A citizen needs a station or a district.")
        district = station.district
    citizen, created = Citizen.objects.select_for_update().get_or_create(
        phone=e164,
        defaults={
            "name": name.strip(),
            "station": station,
            "district": district,
            "locality": locality.strip(),
            "preferred_language": preferred_language,
        },
    )
    if not created:
        citizen.name = name.strip() or citizen.name
        citizen.locality = locality.strip() or citizen.locality
        citizen.station = station or citizen.station
        citizen.district = district if station is None else station.district
        citizen.preferred_language = preferred_language or citizen.preferred_language
    if consent_source and not citizen.consent_at:
        citizen.consent_source = str(consent_source)
        citizen.consent_at = timezone.now()
    citizen.save()
    record_event(
        actor=by,
        action="people.citizen.registered" if created else "people.citizen.updated",
        target=citizen,
        station=citizen.station,
        district=citizen.district,
    )
    return citizen


def citizen_for_whatsapp_user(*, user_id: str, name: str, district: District) -> Citizen:
    """The citizen WhatsApp knows by this business-scoped user id, created when new.

    For a sender who withheld their number behind a username: a citizen with no phone (no
    consent: never in a broadcast until they join), so their complaint, their STOP and the
    officer's reply within 24 hours all find one record. A phone learned later attaches to it.
    """
    citizen, created = Citizen.objects.get_or_create(
        whatsapp_user_id=user_id,
        defaults={"phone": None, "name": " ".join(name.split())[:200], "district": district},
    )
    if created:
        record_event(
            actor=None,
            action="people.citizen.from_whatsapp_user_id",
            target=citizen,
            district=district,
        )
    return citizen


def note_inbound_message(*, citizen_id: int, at: datetime) -> None:
    """The citizen wrote to us: WhatsApp's 24-hour reply window runs from `at`."""
    Citizen.objects.filter(pk=citizen_id).filter(
        Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=at)
    ).update(last_inbound_at=at)


@transaction.atomic
def opt_out_citizen(
    *, citizen: Citizen, source: OptOutSource | str, by: User | None = None
) -> bool:
    """Suppress every future message to the citizen; False when already opted out."""
    updated = Citizen.objects.filter(pk=citizen.pk, opted_out_at__isnull=True).update(
        opted_out_at=timezone.now(), opt_out_source=str(source), updated_at=timezone.now()
    )
    citizen.refresh_from_db(fields=["opted_out_at", "opt_out_source"])
    if updated:
        record_event(
            actor=by,
            action="people.citizen.opted_out",
            target=citizen,
            data={"source": str(source)},
            district=citizen.district,
        )
    return bool(updated)


@transaction.atomic
def resume_citizen(
    *, citizen: Citizen, sources: list[OptOutSource], by: User | None = None
) -> bool:
    """Lift an opt-out that came from one of `sources` (e.g. the citizen sent START again)."""
    updated = Citizen.objects.filter(
        pk=citizen.pk, opted_out_at__isnull=False, opt_out_source__in=[str(s) for s in sources]
    ).update(opted_out_at=None, opt_out_source="", updated_at=timezone.now())
    citizen.refresh_from_db(fields=["opted_out_at", "opt_out_source"])
    if updated:
        record_event(
            actor=by, action="people.citizen.resumed", target=citizen, district=citizen.district
        )
    return bool(updated)


# --- officer actions on one citizen ------------------------------------------------------------


def opt_out_on_request(*, citizen: Citizen, by: User, request: HttpRequest | None = None) -> bool:
    """Record the citizen's spoken or written request to stop messages; False if already out."""
    if not selectors.may_opt_out_citizen(by, citizen):
        raise PermissionDenied(_("You may not record opt-outs for this citizen."))
    return opt_out_citizen(citizen=citizen, source=OptOutSource.OFFICER, by=by)


def erased_phone_placeholder(pk: int) -> str:
    """The phone an erased citizen keeps: '+999' and the pk in 12 digits.

    +999 is a country code no operator uses (ITU reserved), so no real number and nothing the
    importer accepts can collide with it; it satisfies the E.164 CHECK (+ and 15 digits); it is
    unique because the pk is; and it says nothing about the old number.
    """
    if not 0 < pk < 10**12:
        raise ValueError("Citizen pk out of range for the erasure placeholder.")
    return f"+999{pk:012d}"


@transaction.atomic
def erase_citizen(
    *, citizen: Citizen, by: User, reason: str, request: HttpRequest | None = None
) -> Citizen:
    """Erase a citizen's personal data on request (DPDP Act 2023, s.12), keeping the row.

    Name, locality and consent note become empty, the phone becomes erased_phone_placeholder(pk),
    tags and list memberships are removed, the citizen is opted out (source: erasure) and
    `erased_at` is set; the row stays because deliveries refer to it, and the sender skips
    erased citizens. A keyed hash of the old number (ErasedPhone) lets list imports refuse to
    bring the person back. Rejected import rows holding the number lose their values. Running
    it twice changes nothing more.
    """
    if not selectors.may_manage_citizen(by, citizen):
        raise PermissionDenied(_("Only the district's cyber cell or head may erase a citizen."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Say why the data is erased (e.g. the citizen's written request)."))
    locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if locked.erased_at is not None:
        return locked
    old_phone, now = locked.phone, timezone.now()
    if old_phone:  # a citizen known only by WhatsApp user id has no number to remember
        ErasedPhone.objects.get_or_create(digest=erased_digest(old_phone))
        ImportRejectedRow.objects.filter(phone=old_phone).update(values=[], phone="")
    locked.whatsapp_user_id = None  # personal data too; an erased citizen is never messaged
    locked.tags.clear()
    CitizenListMember.objects.filter(citizen=locked).delete()  # off every uploaded list too
    locked.phone = erased_phone_placeholder(locked.pk)
    locked.name = locked.locality = locked.consent_note = ""
    locked.opted_out_at = locked.opted_out_at or now
    locked.opt_out_source = OptOutSource.ERASURE
    locked.erased_at = now
    locked.save()
    record_event(
        actor=by,
        action="people.citizen.erased",
        target=locked,
        data={"reason": reason[:500]},
        request=request,
        district=locked.district,
    )
    return locked


def reveal_phone(*, citizen: Citizen, by: User, request: HttpRequest | None = None) -> str:
    """The citizen's full number, after writing down who looked (audited)."""
    if citizen.erased_at is not None:
        raise PermissionDenied(_("This citizen's data was erased."))
    record_event(
        actor=by,
        action="people.citizen.phone_viewed",
        target=citizen,
        request=request,
        district=citizen.district,
    )
    return citizen.phone or str(NO_PHONE_SHARED)


# --- subscriber imports --------------------------------------------------------------------------


class IdempotencyConflict(ValidationError):
    """The Idempotency-Key was used before for a different file."""


def create_import_job(
    *,
    district: District,
    upload: File[bytes],
    by: User,
    client_key: str | None = None,
    request: HttpRequest | None = None,
    list_name: str = "",
    sheet_name: str = "",
) -> tuple[ImportJob, bool]:
    """Check an uploaded list, store it and queue its import; (job, created).

    `sheet_name` picks the sheet of a workbook; without it the visible sheet holding a list is
    read, and ImportFileError("choose_sheet", sheets=[...]) asks when several visible sheets do.

    With `list_name`, a CitizenList of that name is created with the job and every row the
    import accepts joins it (in the same transaction as the row): ValidationError when the
    district already has a list of that name.

    Raises spreadsheets.ImportFileError (translated) when the file cannot be imported at all:
    nothing is stored then. With a client key (form token or Idempotency-Key) the same user
    sending the same key within 24 hours gets the first job back instead of a second import.
    """
    if district.pk not in set(selectors.districts_managed_by(by).values_list("pk", flat=True)):
        raise PermissionDenied(_("Only the district's cyber cell or head may import lists."))
    token = submission_token(user=by, key=client_key)
    if token is not None:
        day_ago = timezone.now() - timedelta(hours=24)
        ImportJob.objects.filter(client_token=token, created_at__lt=day_ago).update(
            client_token=None
        )
        earlier = ImportJob.objects.filter(client_token=token).first()
        if earlier is not None:
            return _replayed(earlier, upload), False
    found = spreadsheets.inspect_upload(upload, sheet_name=sheet_name)
    name = " ".join(list_name.split())[:120]
    if name and selectors.list_name_taken(district, name):
        raise ValidationError(
            _("This district already has a list with this name."), code="list_name_taken"
        )

    def create() -> ImportJob:
        job = ImportJob(
            district=district,
            uploaded_by=by,
            original_name=(upload.name or "")[-255:],
            file_format=found.file_format,
            file_size=found.size,
            file_sha256=found.sha256,
            header=found.header,
            columns=found.columns,
            header_row=found.header_row,
            encoding=found.encoding,
            delimiter=found.delimiter,
            sheet_name=found.sheet_name,
            rows_expected=found.rows,
            client_token=token,
        )
        job.file.save(upload.name or "upload", upload, save=False)
        job.save()
        if name:
            try:
                with transaction.atomic():
                    CitizenList.objects.create(
                        district=district, name=name, source_job=job, created_by=by
                    )
            except IntegrityError as error:  # a twin upload took the name a moment ago
                job.file.delete(save=False)
                raise ValidationError(
                    _("This district already has a list with this name."), code="list_name_taken"
                ) from error
        record_event(
            actor=by,
            action="people.import.uploaded",
            target=job,
            request=request,
            district=district,
            data={
                "rows": found.rows,
                "format": found.file_format,
                "size": found.size,
                "sheet": found.sheet_name,
            },
        )
        transaction.on_commit(lambda: enqueue_import(job.pk))
        return job

    job, created = create_once(ImportJob, token, create)
    return (job, True) if created else (_replayed(job, upload), False)


def _replayed(job: ImportJob, upload: File[bytes]) -> ImportJob:
    """The earlier job for a repeated key, refused when the key now comes with another file."""
    if job.file_sha256 and job.file_sha256 != spreadsheets.upload_sha256(upload):
        raise IdempotencyConflict(
            _("This Idempotency-Key was already used for a different file."),
            code="idempotency_conflict",
        )
    return job


def enqueue_import(job_id: int) -> None:
    """Send the import task (after commit); a broker outage is logged, the sweep retries."""
    from people.tasks import run_import

    try:
        run_import.apply_async(args=[job_id], queue=settings.PEOPLE_IMPORT_QUEUE or None)
    except Exception:  # the broker may be down; the job stays queued and the sweep re-sends it
        logger.exception("could not enqueue import %s", job_id)


def record_rejected_download(
    *, job: ImportJob, by: User, request: HttpRequest | None = None
) -> None:
    """Audit that someone downloaded an import's rejected rows (they hold personal data)."""
    record_event(
        actor=by,
        action="people.import.rejected_downloaded",
        target=job,
        request=request,
        district=job.district,
        data={"rows": job.rejected},
    )


def purge_expired_imports(*, now: datetime | None = None) -> int:
    """Delete stored files and rejected rows of imports finished longer ago than the retention."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.PEOPLE_IMPORT_RETENTION_DAYS))
    expired = ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED],
        finished_at__lt=cutoff,
        file_deleted_at__isnull=True,
    )[:200]
    purged = 0
    for job in expired:
        with transaction.atomic():
            if job.file:
                job.file.delete(save=False)
            job.rejected_rows.all().delete()
            ImportJob.objects.filter(pk=job.pk).update(file="", file_deleted_at=now)
        purged += 1
    return purged
