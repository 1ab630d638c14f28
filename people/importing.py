"""The subscriber import: validate each row in Python, write citizens set-based, batch by batch.

One job runs as: claim (conditional UPDATE queued -> running with a fresh claim token), then
read the stored file as a stream; every `PEOPLE_IMPORT_BATCH_SIZE` rows, one transaction
  - checks the job is still ours (row lock + claim token),
  - inserts new citizens and updates existing ones (PostgreSQL: one INSERT ... SELECT FROM
    unnest(...) ON CONFLICT (phone) DO NOTHING RETURNING and one UPDATE ... FROM unnest(...)
    RETURNING; SQLite, the embedded mode: the ORM's bulk_create/bulk_update),
  - links tags, stores the rejected rows, and adds to the job's counters.
So created + updated + rejected = rows read holds at every commit (a CHECK constraint), and a
job whose worker died is resumed after its last committed row (`last_row_number`).

Updates never touch an opt-out (an opted-out citizen stays opted out) nor a consent already on
record (its first source and date stay, as in services.register_citizen). A number registered
in another district is not taken over: the row is rejected (`registered_elsewhere`).

Per-row cost in Python is dominated by openpyxl (~120 µs/row for 8 columns) and
phonenumbers (~45 µs/row in people.phones.parse_phone); see bench/import_50k.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from accounts.services import record_event
from people.models import (
    Citizen,
    CitizenList,
    CitizenListMember,
    ConsentSource,
    ErasedPhone,
    ImportJob,
    ImportRejectedRow,
    RejectReason,
    Tag,
)
from people.phones import InvalidPhone, PhoneProblem, ascii_digits, parse_phone
from people.spreadsheets import CELL_LIMIT, cell_text, open_data_rows
from stations.models import Station

logger = logging.getLogger(__name__)

LANGUAGE_CODES = {code for code, _label in settings.LANGUAGES}
OLDEST_CONSENT = dt.date(2000, 1, 1)
NAME_MAX = 200
LOCALITY_MAX = 200
TAG_MAX = 80
_DATE_FORMATS = [
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%d-%m-%y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
]
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


_MISSING = object()


class LostClaim(Exception):
    """Another worker reclaimed the job (ours stopped sending heartbeats): stop at once."""


class ImportStopped(Exception):
    """The file turned out not to be importable after all (a message for the officer)."""


# --- what a cell may say -------------------------------------------------------------------------


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


_CONSENT_ALIASES: dict[str, list[str]] = {
    ConsentSource.OFFICER_FORM: ["officer", "officer form", "officer entry", "by officer"],
    ConsentSource.PAPER_FORM: [
        "paper",
        "paper form",
        "form",
        "signed form",
        "signed paper form",
        "कागज़ी फॉर्म",
        "कागजी फॉर्म",
        "फॉर्म",
        "फार्म",
        "কাগজের ফর্ম",
        "ফর্ম",
    ],
    ConsentSource.WEB_FORM: ["web", "web form", "online", "online form", "portal", "website"],
    ConsentSource.WHATSAPP: ["whatsapp", "wa", "whats app", "व्हाट्सऐप", "व्हाट्सएप", "হোয়াটসঅ্যাপ"],
    ConsentSource.IMPORT: ["import", "imported", "imported list", "list"],
    ConsentSource.GROUP_NOMINATION: ["group", "group nomination", "nomination", "community group"],
    ConsentSource.IN_PERSON: [
        "in person",
        "camp",
        "shivir",
        "chaupal",
        "choupal",
        "meeting",
        "sabha",
        "mela",
        "rally",
        "jan sunwai",
        "police mitan",
        "mitan",
        "school visit",
        "door to door",
        "शिविर",
        "कैंप",
        "चौपाल",
        "बैठक",
        "सभा",
        "मेला",
        "जनसुनवाई",
        "पुलिस मितान",
        "ক্যাম্প",
        "শিবির",
        "চৌপাল",
        "সভা",
        "বৈঠক",
        "মেলা",
    ],
}
_CONSENT_ALIASES[ConsentSource.WEB_FORM] += ["google form", "online registration", "qr code"]
_LANGUAGE_ALIASES: dict[str, list[str]] = {
    "en": ["english", "eng", "अंग्रेज़ी", "अंग्रेजी", "ইংরেজি"],
    "hi": ["hindi", "हिन्दी", "हिंदी", "হিন্দি"],
    "bn": ["bengali", "bangla", "বাংলা", "बांग्ला", "बंगाली"],
}


_WORD = re.compile(r"\w+")


def classify_consent_source(text: str, table: dict[str, str]) -> str | None:
    """The consent source a free text names ("Police Mitan camp, Kawardha" -> in person).

    An exact name or alias wins; otherwise the longest alias found in the text as whole words
    ("signed paper form at the thana" -> paper form). None when the text names none.
    """
    key = _key(text)
    if key in table:
        return table[key]
    words = f" {' '.join(_WORD.findall(key))} "
    best: tuple[int, str] | None = None
    for alias, value in table.items():
        phrase = " ".join(_WORD.findall(alias))
        if phrase and f" {phrase} " in words and (best is None or len(phrase) > best[0]):
            best = (len(phrase), value)
    return best[1] if best else None


def _lookup(choices: Iterable[tuple[str, Any]], aliases: dict[str, list[str]]) -> dict[str, str]:
    """Keys people write -> stored value: the value, its label in every UI language, aliases."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[_key(value)] = value
        for code in LANGUAGE_CODES:
            with translation.override(code):
                table[_key(str(label))] = value
    for value, words in aliases.items():
        for word in words:
            table[_key(word)] = str(value)
    return table


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _parse_date_text(text: str) -> dt.datetime | None:
    """A date as typed: day first (15/01/2026, 15-01-2026, 15.01.2026) or ISO, or None."""
    match = _DMY.match(text) or _YMD.match(text)
    if match:  # the common shapes without strptime's cost (~10 us per failed format)
        a, b, c = (int(g) for g in match.groups())
        day, month, year = (a, b, c) if match.re is _DMY else (c, b, a)
        try:
            return dt.datetime(year, month, day)
        except ValueError:
            return None
    for fmt in _DATETIME_FORMATS + _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_consent_date(value: Any, *, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """(aware datetime, '') or (None, reason) for a consent date cell; empty means now."""
    tz = timezone.get_current_timezone()
    if value is None or (isinstance(value, str) and not value.strip()):
        return now, ""
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel

        moment = from_excel(value)  # a date typed into a cell formatted as a number
    else:
        moment = _parse_date_text(ascii_digits(cell_text(value)))
    if moment is None:
        return None, RejectReason.INVALID_CONSENT_DATE
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz)
    if moment.date() < OLDEST_CONSENT:
        return None, RejectReason.INVALID_CONSENT_DATE
    if moment > now + timedelta(minutes=5):
        return None, RejectReason.FUTURE_CONSENT_DATE
    return moment, ""


# --- one row -------------------------------------------------------------------------------------


@dataclass(slots=True)
class GoodRow:
    row_number: int
    phone: str
    name: str
    locality: str
    station_id: int | None
    language: str | None  # None: not given (new citizens get 'hi', existing keep theirs)
    consent_source: str
    consent_at: dt.datetime
    tags: tuple[str, ...]
    cells: list[Any]  # as read; turned into text only if the row is rejected after all
    consent_wording: str = ""  # the cell's text when it was classified, not a source's name

    @property
    def values(self) -> list[str]:
        return row_values(self.cells)


def row_values(cells: list[Any]) -> list[str]:
    """A row's cells as the text kept for the rejected-rows report."""
    return [cell_text(c)[:CELL_LIMIT] for c in cells]


@dataclass(slots=True)
class BadRow:
    row_number: int
    reason: str
    detail: str
    values: list[str]
    phone: str = ""


@dataclass
class RowChecker:
    """Validates rows one by one; remembers numbers seen so later repeats are duplicates."""

    columns: dict[str, int]
    stations: dict[str, int]  # upper-case code -> id, stations of the job's district only
    now: dt.datetime
    seen: dict[str, int] = field(default_factory=dict)
    consent_table: dict[str, str] = field(default_factory=dict)
    language_table: dict[str, str] = field(default_factory=dict)
    _seen_texts: dict[tuple[object, str], str | None] = field(default_factory=dict)
    _seen_dates: dict[str, tuple[dt.datetime | None, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.consent_table = _lookup(ConsentSource.choices, _CONSENT_ALIASES)
        self.language_table = _lookup(settings.LANGUAGES, _LANGUAGE_ALIASES)

    def _cell(self, cells: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def check(self, row_number: int, cells: list[Any]) -> GoodRow | BadRow:
        """The row ready to import, or the first reason it cannot be."""

        def bad(reason: str, detail: str = "", phone: str = "") -> BadRow:
            return BadRow(row_number, reason, detail[:200], row_values(cells), phone)

        try:
            parsed = parse_phone(cell_text(self._cell(cells, "phone")))
        except InvalidPhone as exc:
            reason = {
                PhoneProblem.EMPTY: RejectReason.MISSING_PHONE,
                PhoneProblem.INVALID: RejectReason.INVALID_PHONE,
            }.get(exc.problem, RejectReason.INVALID_PHONE)
            return bad(reason)
        phone = parsed.e164
        if not parsed.is_mobile:
            return bad(RejectReason.LANDLINE, phone=phone)
        name = " ".join(cell_text(self._cell(cells, "name")).split())
        if not name:
            return bad(RejectReason.MISSING_NAME, phone=phone)
        if len(name) > NAME_MAX:
            return bad(RejectReason.NAME_TOO_LONG, phone=phone)
        consent_text = cell_text(self._cell(cells, "consent_source"))
        if not consent_text:
            return bad(RejectReason.MISSING_CONSENT_SOURCE, phone=phone)
        consent_source = self._consent_source(consent_text)
        if consent_source is None:
            return bad(RejectReason.UNKNOWN_CONSENT_SOURCE, consent_text, phone)
        consent_at, problem = self._consent_date(self._cell(cells, "consent_date"))
        if consent_at is None:
            return bad(problem, cell_text(self._cell(cells, "consent_date")), phone)
        code = cell_text(self._cell(cells, "station_code"))
        station_id = self.stations.get(code.upper()) if code else None
        if code and station_id is None:
            return bad(RejectReason.UNKNOWN_STATION, code, phone)
        language_text = cell_text(self._cell(cells, "language"))
        language = self._cached(self.language_table, language_text) if language_text else None
        if language_text and language is None:
            return bad(RejectReason.INVALID_LANGUAGE, language_text, phone)
        locality = " ".join(cell_text(self._cell(cells, "locality")).split())
        if len(locality) > LOCALITY_MAX:
            return bad(RejectReason.LOCALITY_TOO_LONG, phone=phone)
        tags = _tags(cell_text(self._cell(cells, "tags")))
        too_long = [t for t in tags if len(t) > TAG_MAX]
        if too_long:
            return bad(RejectReason.INVALID_TAG, too_long[0][:100], phone)
        first = self.seen.setdefault(phone, row_number)
        if first != row_number:
            return bad(RejectReason.DUPLICATE_IN_FILE, str(first), phone)
        return GoodRow(
            row_number, phone, name, locality, station_id, language, consent_source,
            consent_at, tags, cells, self._consent_wording(consent_text),
        )  # fmt: skip

    def _consent_source(self, text: str) -> str | None:
        """The source a cell names, exactly or within free text (remembered per spelling)."""
        found = self._seen_texts.get(("consent", text), _MISSING)
        if found is _MISSING:
            found = classify_consent_source(text, self.consent_table)
            if len(self._seen_texts) < 10_000:
                self._seen_texts[("consent", text)] = found
        return found  # type: ignore[return-value]

    def _consent_wording(self, text: str) -> str:
        """The officer's own words when they were more than a source's name (kept in the note)."""
        return "" if _key(text) in self.consent_table else " ".join(text.split())

    def _cached(self, table: dict[str, str], text: str) -> str | None:
        """table lookup by the loose key, remembering raw spellings (lists repeat them)."""
        found = self._seen_texts.get((id(table), text), _MISSING)
        if found is _MISSING:
            found = table.get(_key(text))
            if len(self._seen_texts) < 10_000:
                self._seen_texts[(id(table), text)] = found
        return found  # type: ignore[return-value]

    def _consent_date(self, value: Any) -> tuple[dt.datetime | None, str]:
        """parse_consent_date, remembering text dates (a list often repeats a few dates)."""
        if not isinstance(value, str):
            return parse_consent_date(value, now=self.now)
        found = self._seen_dates.get(value)
        if found is None:
            found = parse_consent_date(value, now=self.now)
            if len(self._seen_dates) < 10_000:
                self._seen_dates[value] = found
        return found


def _tags(text: str) -> tuple[str, ...]:
    """Semicolon-separated tag names, trimmed, without repeats (case-insensitive)."""
    names: dict[str, str] = {}
    for part in text.split(";"):
        name = " ".join(part.split())
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


# --- writing a batch -----------------------------------------------------------------------------


@dataclass
class Written:
    """What the database did with a batch of good rows."""

    ids: dict[str, int] = field(default_factory=dict)  # phone -> citizen id (created or updated)
    created: int = 0
    updated: int = 0
    still_opted_out: int = 0
    elsewhere: list[GoodRow] = field(default_factory=list)


def _note(job_id: int, row: GoodRow) -> str:
    note = f"Import #{job_id}, row {row.row_number}"
    return f"{note}: {row.consent_wording}"[:200] if row.consent_wording else note


# Columns the importer fills itself; every other concrete column gets its model default, so a
# field added to Citizen later (with a default) does not break the raw INSERT.
_SET_BY_IMPORT = {
    "phone", "name", "locality", "district_id", "station_id", "preferred_language",
    "consent_source", "consent_at", "consent_note", "created_at", "updated_at",
}  # fmt: skip


def _default_columns() -> tuple[list[str], list[Any]]:
    columns, values = [], []
    for model_field in Citizen._meta.concrete_fields:
        if model_field.primary_key or model_field.column in _SET_BY_IMPORT:
            continue
        default = model_field.get_default()  # '' for blank text fields, None if nullable
        columns.append(connection.ops.quote_name(str(model_field.column)))
        values.append(model_field.get_db_prep_save(default, connection))
    return columns, values


_UNNEST = (
    "unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], %s::varchar[], "
    "%s::varchar[], %s::varchar[], %s::timestamptz[]) "
    "AS u(phone, name, locality, station_id, lang, consent_source, consent_note, consent_at)"
)


def _arrays(rows: list[GoodRow], job_id: int, *, default_language: str | None) -> list[Any]:
    return [
        [r.phone for r in rows],
        [r.name for r in rows],
        [r.locality for r in rows],
        [r.station_id for r in rows],
        [r.language or default_language for r in rows],
        [r.consent_source for r in rows],
        [_note(job_id, r) for r in rows],
        [r.consent_at for r in rows],
    ]


def write_batch_sql(
    rows: list[GoodRow], *, job_id: int, district_id: int, now: dt.datetime
) -> Written:
    """PostgreSQL: one INSERT for new numbers, one UPDATE for known ones, both set-based."""
    written = Written()
    if not rows:
        return written
    extra_columns, extra_values = _default_columns()
    columns = ", ".join(
        [
            "phone", "name", "locality", "district_id", "station_id", "preferred_language",
            "consent_source", "consent_at", "consent_note", "created_at", "updated_at",
            *extra_columns,
        ]
    )  # fmt: skip
    constants = ", ".join(["%s"] * len(extra_values))
    insert = (
        f"INSERT INTO people_citizen ({columns}) "  # noqa: S608 -- names from the model only
        "SELECT u.phone, u.name, u.locality, %s, u.station_id, u.lang, u.consent_source, "
        f"u.consent_at, u.consent_note, %s, %s{', ' + constants if constants else ''} "
        f"FROM {_UNNEST} ON CONFLICT (phone) DO NOTHING RETURNING id, phone"
    )
    update = (
        "UPDATE people_citizen AS c SET name = u.name, "  # noqa: S608 -- constant text
        "locality = CASE WHEN u.locality <> '' THEN u.locality ELSE c.locality END, "
        "station_id = COALESCE(u.station_id, c.station_id), "
        "preferred_language = COALESCE(u.lang, c.preferred_language), "
        "consent_source = CASE WHEN c.consent_at IS NULL THEN u.consent_source "
        "ELSE c.consent_source END, "
        "consent_note = CASE WHEN c.consent_at IS NULL THEN u.consent_note "
        "ELSE c.consent_note END, "
        "consent_at = COALESCE(c.consent_at, u.consent_at), updated_at = %s "
        f"FROM {_UNNEST} "
        "WHERE c.phone = u.phone AND c.district_id = %s AND c.erased_at IS NULL "
        "RETURNING c.id, c.phone, c.opted_out_at IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            insert,
            [district_id, now, now, *extra_values, *_arrays(rows, job_id, default_language="hi")],
        )
        for citizen_id, phone in cursor.fetchall():
            written.ids[phone] = citizen_id
        written.created = len(written.ids)
        known = [r for r in rows if r.phone not in written.ids]
        if known:
            cursor.execute(
                update, [now, *_arrays(known, job_id, default_language=None), district_id]
            )
            for citizen_id, phone, opted_out in cursor.fetchall():
                written.ids[phone] = citizen_id
                written.updated += 1
                written.still_opted_out += bool(opted_out)
    written.elsewhere = [r for r in rows if r.phone not in written.ids]
    return written


def write_batch_orm(
    rows: list[GoodRow], *, job_id: int, district_id: int, now: dt.datetime
) -> Written:
    """Any database (SQLite in the embedded mode): the same rules through the ORM, slower."""
    written = Written()
    existing = {c.phone: c for c in Citizen.objects.filter(phone__in=[r.phone for r in rows])}
    new = [
        Citizen(
            phone=r.phone, name=r.name, locality=r.locality, district_id=district_id,
            station_id=r.station_id, preferred_language=r.language or "hi",
            consent_source=r.consent_source, consent_at=r.consent_at,
            consent_note=_note(job_id, r),
        )
        for r in rows
        if r.phone not in existing
    ]  # fmt: skip
    Citizen.objects.bulk_create(new)
    written.ids.update({str(c.phone): c.pk for c in new})
    written.created = len(new)
    changed = []
    for row in rows:
        citizen = existing.get(row.phone)
        if citizen is None:
            continue
        if citizen.district_id != district_id or citizen.erased_at is not None:
            written.elsewhere.append(row)
            continue
        citizen.name = row.name
        citizen.locality = row.locality or citizen.locality
        citizen.station_id = row.station_id or citizen.station_id
        citizen.preferred_language = row.language or citizen.preferred_language
        if citizen.consent_at is None:
            citizen.consent_source = row.consent_source
            citizen.consent_at = row.consent_at
            citizen.consent_note = _note(job_id, row)
        citizen.updated_at = now
        changed.append(citizen)
        written.ids[row.phone] = citizen.pk
        written.still_opted_out += citizen.opted_out_at is not None
    fields = ["name", "locality", "station", "preferred_language", "consent_source"]
    fields += ["consent_at", "consent_note", "updated_at"]
    Citizen.objects.bulk_update(changed, fields, batch_size=500)
    written.updated = len(changed)
    return written


class TagLinker:
    """Finds or creates tags (case-insensitively) and links them to citizens, set-based."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def _resolve(self, names: Iterable[str]) -> None:
        wanted = {n.casefold(): n for n in names if n.casefold() not in self.ids}
        if not wanted:
            return
        found = Tag.objects.annotate(key=Lower("name")).filter(key__in=list(wanted))
        for pk, name in found.values_list("pk", "name"):
            self.ids.setdefault(name.casefold(), pk)
        missing = [Tag(name=n) for k, n in wanted.items() if k not in self.ids]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            names_missing = [t.name for t in missing]
            for pk, name in Tag.objects.filter(name__in=names_missing).values_list("pk", "name"):
                self.ids.setdefault(name.casefold(), pk)

    def link(self, rows: list[GoodRow], ids: dict[str, int]) -> None:
        tagged = [r for r in rows if r.tags and r.phone in ids]
        if not tagged:
            return
        self._resolve(name for r in tagged for name in r.tags)
        through = Citizen.tags.through
        links = {(ids[r.phone], self.ids[name.casefold()]) for r in tagged for name in r.tags}
        through.objects.bulk_create(
            [through(citizen_id=c, tag_id=t) for c, t in sorted(links)], ignore_conflicts=True
        )


def add_list_members(list_id: int, citizen_ids: list[int]) -> None:
    """Put citizens on a list, set-based; those already on it stay once (unique pair)."""
    if not citizen_ids:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO people_citizenlistmember (citizen_list_id, citizen_id) "
                "SELECT %s, u.id FROM unnest(%s::bigint[]) AS u(id) ON CONFLICT DO NOTHING",
                [list_id, citizen_ids],
            )
        return
    CitizenListMember.objects.bulk_create(
        [CitizenListMember(citizen_list_id=list_id, citizen_id=c) for c in citizen_ids],
        ignore_conflicts=True,
    )


def erased_digest(e164: str) -> str:
    """The keyed hash kept for a number whose owner asked for erasure."""
    return salted_hmac("people.erased-phone", e164, algorithm="sha256").hexdigest()


# --- the job -------------------------------------------------------------------------------------

Writer = Callable[..., Written]


def claim_import_job(job_id: int) -> uuid.UUID | None:
    """Take the job (queued, or running with a stale heartbeat); None when someone else has it."""
    now = timezone.now()
    stale = now - timedelta(seconds=int(settings.PEOPLE_IMPORT_STALE_SECONDS))
    token = uuid.uuid4()
    won = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=ImportJob.Status.QUEUED)
            | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale)
        )
        .update(
            status=ImportJob.Status.RUNNING,
            claim_token=token,
            started_at=Coalesce(F("started_at"), now),
            heartbeat_at=now,
        )
    )
    return token if won else None


@dataclass
class _Batch:
    good: list[GoodRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    last_row: int = 0

    def __len__(self) -> int:
        return len(self.good) + len(self.bad)


class _Run:
    """One worker's pass over a claimed job."""

    def __init__(self, job: ImportJob, token: uuid.UUID, writer: Writer) -> None:
        self.job, self.token, self.writer = job, token, writer
        self.now = timezone.now()
        self.started = time.perf_counter()
        self.tags = TagLinker()
        self.read = job.rows_read  # rows already committed by an earlier, interrupted run
        self.write_seconds = 0.0
        # "Also save as a list": every accepted row joins it, in the batch's own transaction.
        self.list_id: int | None = (
            CitizenList.objects.filter(source_job=job).values_list("pk", flat=True).first()
        )

    def commit(self, batch: _Batch) -> None:
        """Write one batch and its counters in one transaction, if the job is still ours."""
        rows = len(batch)  # before rows move from good to rejected below
        if not rows:
            return
        self.read += rows
        if self.read > int(settings.PEOPLE_IMPORT_MAX_ROWS):
            raise ImportStopped("more rows than the upload check counted")
        started = time.perf_counter()
        self._write(batch, rows)
        self.write_seconds += time.perf_counter() - started

    def _write(self, batch: _Batch, rows: int) -> None:
        with transaction.atomic():
            owned = ImportJob.objects.filter(
                pk=self.job.pk, status=ImportJob.Status.RUNNING, claim_token=self.token
            )
            # Lock the job row first: a reclaiming worker waits for this batch to commit.
            if not list(owned.select_for_update().values_list("pk", flat=True)):
                raise LostClaim
            good = self._drop_erased(batch)
            written = self.writer(
                good, job_id=self.job.pk, district_id=self.job.district_id, now=self.now
            )
            batch.bad += [
                BadRow(r.row_number, RejectReason.REGISTERED_ELSEWHERE, "", r.values, r.phone)
                for r in written.elsewhere
            ]
            self.tags.link(good, written.ids)
            if self.list_id is not None:
                add_list_members(self.list_id, sorted(written.ids.values()))
            ImportRejectedRow.objects.bulk_create(
                [
                    ImportRejectedRow(
                        job_id=self.job.pk, row_number=b.row_number, reason=b.reason,
                        detail=b.detail, values=b.values, phone=b.phone,
                    )
                    for b in batch.bad
                ]
            )  # fmt: skip
            counted = owned.update(
                rows_read=F("rows_read") + rows,
                imported_created=F("imported_created") + written.created,
                imported_updated=F("imported_updated") + written.updated,
                updated_still_opted_out=F("updated_still_opted_out") + written.still_opted_out,
                rejected=F("rejected") + len(batch.bad),
                last_row_number=batch.last_row,
                heartbeat_at=timezone.now(),
            )
            if not counted:
                raise LostClaim  # reclaimed while we wrote: roll the whole batch back

    def _drop_erased(self, batch: _Batch) -> list[GoodRow]:
        """Rows whose number was erased on request move to the rejected rows."""
        digests = {erased_digest(r.phone): r for r in batch.good}
        erased = set(
            ErasedPhone.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)
        )
        kept = []
        for digest, row in digests.items():
            if digest in erased:
                batch.bad.append(
                    BadRow(row.row_number, RejectReason.ERASED_ON_REQUEST, "", row.values)
                )
            else:
                kept.append(row)
        return kept

    def run(self) -> None:
        job = self.job
        stations = {
            code.upper(): pk
            for pk, code in Station.objects.filter(district_id=job.district_id).values_list(
                "pk", "code"
            )
        }
        checker = RowChecker(columns=job.columns, stations=stations, now=self.now)
        batch_size = int(settings.PEOPLE_IMPORT_BATCH_SIZE)
        batch = _Batch()
        with job.file.open("rb") as stored:
            rows = open_data_rows(
                stored.file,
                file_format=job.file_format,
                header_row=job.header_row,
                width=len(job.header),
                encoding=job.encoding,
                delimiter=job.delimiter,
                sheet_name=job.sheet_name,
            )
            with rows as stream:
                for row_number, cells in stream:
                    checked = checker.check(row_number, cells)  # also rebuilds `seen` on resume
                    if row_number <= job.last_row_number:
                        continue
                    if isinstance(checked, GoodRow):
                        batch.good.append(checked)
                    else:
                        batch.bad.append(checked)
                    batch.last_row = row_number
                    if len(batch) >= batch_size:
                        self.commit(batch)
                        batch = _Batch()
        self.commit(batch)
        logger.info(
            "import %s: %s rows in %.1fs, %.1fs of it writing",
            job.pk, self.read, time.perf_counter() - self.started, self.write_seconds,
        )  # fmt: skip


def _finish(job_id: int, token: uuid.UUID, status: str, error: str = "") -> bool:
    return bool(
        ImportJob.objects.filter(
            pk=job_id, status=ImportJob.Status.RUNNING, claim_token=token
        ).update(status=status, error=error[:2000], finished_at=timezone.now())
    )


def _release(job_id: int, token: uuid.UUID) -> None:
    """Hand the job back to the queue after a transient database error (best effort)."""
    try:
        ImportJob.objects.filter(
            pk=job_id, status=ImportJob.Status.RUNNING, claim_token=token
        ).update(status=ImportJob.Status.QUEUED, claim_token=None)
    except (OperationalError, InterfaceError):
        logger.warning("import %s: could not release the claim; the sweep will", job_id)


def run_import_job(*, job_id: int, writer: Writer | None = None) -> ImportJob | None:
    """Import a queued job's file; None when the job was not ours to run (finished, taken).

    Transient database errors release the job and propagate (the task retries). Any other
    error marks the job failed with the error; batches committed before it stay imported.
    """
    token = claim_import_job(job_id)
    if token is None:
        return None
    job = ImportJob.objects.select_related("district", "uploaded_by").get(pk=job_id)
    chosen = writer or (write_batch_sql if connection.vendor == "postgresql" else write_batch_orm)
    try:
        _Run(job, token, chosen).run()
    except LostClaim:
        logger.warning("import %s was reclaimed by another worker; this one stops", job_id)
        return None
    except (OperationalError, InterfaceError):
        _release(job_id, token)
        raise
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        _finish(job_id, token, ImportJob.Status.FAILED, f"{type(exc).__name__}: {exc}")
        _drop_empty_list(job)
        job.refresh_from_db()
        _audit_finished(job)
        return job
    if not _finish(job_id, token, ImportJob.Status.DONE):
        return None
    _drop_empty_list(job)
    job.refresh_from_db()
    _audit_finished(job)
    return job


def _drop_empty_list(job: ImportJob) -> None:
    """A list asked for with the import is kept only if some row joined it: an import that
    failed or imported nobody leaves no empty list to be offered for broadcasts."""
    members = CitizenListMember.objects.filter(citizen_list=OuterRef("pk"))
    CitizenList.objects.filter(source_job=job).exclude(Exists(members)).delete()


def _audit_finished(job: ImportJob) -> None:
    record_event(
        actor=None,
        action=f"people.import.{job.status}",
        target=job,
        district=job.district,
        data={
            "rows_read": job.rows_read,
            "created": job.imported_created,
            "updated": job.imported_updated,
            "updated_still_opted_out": job.updated_still_opted_out,
            "rejected": job.rejected,
        },
    )
