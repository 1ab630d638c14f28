"""Subscriber import: validation reasons, set-based writes, idempotency, resumption."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent, Role
from people import importing, services
from people.models import (
    Citizen,
    ConsentSource,
    ImportJob,
    ImportRejectedRow,
    OptOutSource,
    RejectReason,
    Tag,
)
from people.spreadsheets import ImportFileError
from people.tasks import run_import
from tests.factories.people import CitizenFactory
from tests.people.helpers import HEADER, csv_bytes, mobile, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
NOW = dt.datetime(2026, 6, 1, 11, 0, tzinfo=IST)
WRITERS = {"sql": importing.write_batch_sql, "orm": importing.write_batch_orm}


@pytest.fixture(autouse=True)
def _frozen() -> None:  # type: ignore[misc]
    with time_machine.travel(NOW, tick=False):
        yield


def _job(world, content: bytes, name: str = "list.xlsx", **kwargs) -> ImportJob:  # type: ignore[no-untyped-def]
    job, _created = services.create_import_job(
        district=world.district, upload=upload(name, content), by=world.user(Role.CYBER_CELL),
        **kwargs,
    )  # fmt: skip
    return job


def _import(world, content: bytes, name: str = "list.xlsx", writer: str = "sql") -> ImportJob:  # type: ignore[no-untyped-def]
    job = _job(world, content, name)
    done = importing.run_import_job(job_id=job.pk, writer=WRITERS[writer])
    assert done is not None
    return done


def _reasons(job: ImportJob) -> dict[int, str]:
    return dict(job.rejected_rows.values_list("row_number", "reason"))


def _good(n: int, **over: object) -> list[object]:
    row: dict[str, object] = {
        "phone": mobile(n),
        "name": f"नागरिक {n}",
        "consent_source": "paper form",
        "consent_date": "2026-01-15",
        "station_code": "",
        "locality": "Lanka",
        "language": "",
        "tags": "",
    }
    row.update(over)
    return [row[h] for h in HEADER]


class TestFiveThousandRows:
    """The acceptance file: 5,000 rows with every kind of bad row planted three times."""

    @pytest.fixture
    def planted(self, world):  # type: ignore[no-untyped-def]
        by = world.user(Role.CYBER_CELL)
        elsewhere = [
            CitizenFactory(station=world.other_station, phone=f"+91{mobile(80000 + i)}")
            for i in range(3)
        ]
        erased = [
            CitizenFactory(station=world.station, phone=f"+91{mobile(81000 + i)}") for i in range(3)
        ]
        erased_phones = [c.phone for c in erased]
        for citizen in erased:
            services.erase_citizen(citizen=citizen, by=by, reason="written request")
        known = [CitizenFactory(station=world.station, phone=f"+91{mobile(n)}") for n in range(5)]
        for citizen in known[:2]:
            services.opt_out_citizen(citizen=citizen, source=OptOutSource.KEYWORD)
        rows = []
        for n in range(5000):
            over: dict[str, object] = {}
            if n % 7 == 0:
                over["phone"] = f"+91 {mobile(n)[:5]} {mobile(n)[5:]}"
            if n % 11 == 0:
                over["phone"] = "".join(chr(0x0966 + int(d)) for d in mobile(n))
            if n % 5 == 0:
                over.update(station_code=world.station.code.lower(), language="Bengali")
            if n % 13 == 0:
                over.update(consent_date=dt.datetime(2025, 12, 1, 10, 30), tags="Traders; Mitan")
            if n % 17 == 0:
                over.update(consent_source="whatsapp", consent_date="")
            rows.append(_good(n, **over))
        bad: dict[str, list[object]] = {
            RejectReason.MISSING_PHONE: _good(0, phone=""),
            RejectReason.INVALID_PHONE: _good(0, phone="12345"),
            RejectReason.LANDLINE: _good(0, phone="0542 2500100"),
            RejectReason.MISSING_NAME: _good(90001, name="  "),
            RejectReason.NAME_TOO_LONG: _good(90002, name="क" * 201),
            RejectReason.MISSING_CONSENT_SOURCE: _good(90003, consent_source=""),
            RejectReason.UNKNOWN_CONSENT_SOURCE: _good(90004, consent_source="verbal"),
            RejectReason.INVALID_CONSENT_DATE: _good(90005, consent_date="31/02/2026"),
            RejectReason.FUTURE_CONSENT_DATE: _good(90006, consent_date="2026-07-01"),
            RejectReason.UNKNOWN_STATION: _good(90007, station_code=world.other_station.code),
            RejectReason.INVALID_LANGUAGE: _good(90008, language="fr"),
            RejectReason.LOCALITY_TOO_LONG: _good(90009, locality="x" * 201),
            RejectReason.INVALID_TAG: _good(90010, tags="ok;" + "t" * 81),
        }
        expected: dict[int, str] = {}
        positions = iter(range(100, 4900, 97))
        for copy in range(3):
            for reason, row in bad.items():
                at = next(positions)
                changed = list(row)
                if reason not in {"missing_phone", "invalid_phone", "landline"}:
                    changed[0] = mobile(90000 + copy * 100 + len(expected))
                rows[at] = changed
                expected[at + 2] = reason
            for reason, phone in [
                (RejectReason.REGISTERED_ELSEWHERE, elsewhere[copy].phone),
                (RejectReason.ERASED_ON_REQUEST, erased_phones[copy]),
                (RejectReason.DUPLICATE_IN_FILE, mobile(1 + copy)),
            ]:
                at = next(positions)
                rows[at] = _good(0, phone=phone)
                expected[at + 2] = reason
        return rows, expected, known

    @pytest.mark.parametrize("writer", ["sql", "orm"])
    def test_every_row_is_imported_or_rejected_with_its_reason(
        self, world, planted, settings, writer
    ) -> None:
        settings.PEOPLE_IMPORT_BATCH_SIZE = 700  # several batches and a partial last one
        rows, expected, known = planted
        job = _import(world, xlsx_bytes(rows), writer=writer)

        assert job.status == ImportJob.Status.DONE
        assert job.rows_expected == job.rows_read == 5000
        assert job.rejected == len(expected) == 48
        assert job.imported_updated == 5 and job.updated_still_opted_out == 2
        assert job.imported_created == 5000 - 48 - 5
        assert job.imported_created + job.imported_updated + job.rejected == job.rows_read
        assert _reasons(job) == expected
        assert Counter(expected.values()) == {reason: 3 for reason in set(expected.values())}
        assert len(set(expected.values())) == 16
        assert Citizen.objects.filter(district=world.district, erased_at__isnull=True).count() == (
            job.imported_created + len(known)
        )

    def test_imported_citizens_carry_consent_station_language_and_tags(
        self, world, planted
    ) -> None:
        rows, _expected, _known = planted
        job = _import(world, xlsx_bytes(rows))
        by_phone = {c.phone: c for c in Citizen.objects.filter(district=world.district)}
        plain = by_phone[f"+91{mobile(1002)}"]
        assert (plain.name, plain.locality, plain.station, plain.preferred_language) == (
            "नागरिक 1002", "Lanka", None, "hi",
        )  # fmt: skip
        assert plain.consent_source == ConsentSource.PAPER_FORM
        assert plain.consent_at == dt.datetime(2026, 1, 15, tzinfo=IST)
        assert plain.consent_note == f"Import #{job.pk}, row 1004"
        devanagari = by_phone[f"+91{mobile(1100)}"]  # n % 11 == 0 and n % 5 == 0
        assert (devanagari.station, devanagari.preferred_language) == (world.station, "bn")
        whatsapp = by_phone[f"+91{mobile(17 * 60)}"]
        assert whatsapp.consent_source == ConsentSource.WHATSAPP
        assert whatsapp.consent_at == NOW
        tagged = by_phone[f"+91{mobile(13 * 7)}"]
        assert sorted(t.name for t in tagged.tags.all()) == ["Mitan", "Traders"]
        assert tagged.consent_at == dt.datetime(2025, 12, 1, 10, 30, tzinfo=IST)
        assert Tag.objects.filter(name__in=["Traders", "Mitan"]).count() == 2
        assert all(
            c.may_receive_messages
            for c in Citizen.objects.filter(consent_note__startswith="Import")
        )

    def test_an_opted_out_citizen_stays_opted_out(self, world, planted) -> None:
        rows, _expected, known = planted
        _import(world, xlsx_bytes(rows))
        for n, citizen in enumerate(known[:2]):
            citizen.refresh_from_db()
            assert citizen.name == f"नागरिक {n}"  # the row did update the citizen ...
            assert citizen.opted_out_at is not None  # ... but not the opt-out
            assert citizen.opt_out_source == OptOutSource.KEYWORD
            assert not citizen.may_receive_messages
        assert known[2].__class__.objects.get(pk=known[2].pk).opted_out_at is None


class TestFormats:
    def test_csv_with_devanagari_and_bengali_digits(self, world) -> None:
        rows = [
            _good(0, phone="९८७६५४३२१०", name="राम कुमार"),
            _good(0, phone="৯৮৭৬৫৪৩২১১", name="রিনা দাস", language="বাংলা"),
            _good(0, phone="+९१ ९८७६५-४३२१२", name="Asha"),
        ]
        job = _import(world, csv_bytes(rows), name="mitan.csv")
        assert (job.rows_read, job.imported_created, job.rejected) == (3, 3, 0)
        rina = Citizen.objects.get(phone="+919876543211")
        assert (rina.name, rina.preferred_language) == ("রিনা দাস", "bn")
        assert Citizen.objects.filter(phone__in=["+919876543210", "+919876543212"]).count() == 2

    def test_semicolon_csv_with_hindi_headers_and_a_title_row(self, world) -> None:
        text = (
            "Police Mitan Kabirdham;;\n"
            "मोबाइल नंबर;नाम;सहमति का स्रोत;थाना कोड\n"
            f"9876500001;सीता;फॉर्म;{world.station.code}\n"
            "\n"
            "9876500002;गीता;whatsapp;\n"
        )
        job = _import(world, text.encode("utf-8"), name="hindi.csv")
        assert (job.header_row, job.rows_expected, job.rows_read, job.imported_created) == (
            2, 2, 2, 2,
        )  # fmt: skip
        assert Citizen.objects.get(phone="+919876500001").station == world.station

    def test_utf16_csv_from_excel_unicode_text(self, world) -> None:
        content = "phone\tname\tconsent_source\n9876500003\tনাম\tpaper\n".encode("utf-16")
        job = _import(world, content, name="unicode.txt")
        assert job.imported_created == 1

    def test_phones_typed_as_numbers_and_dates_as_excel_serials(self, world) -> None:
        rows = [[9876500004, "A", "officer", 46000], [9876500005.0, "B", "web", None]]
        job = _import(world, xlsx_bytes(rows, header=HEADER[:4]))
        assert (job.imported_created, job.rejected) == (2, 0)
        consent_at = Citizen.objects.get(phone="+919876500004").consent_at
        assert consent_at == dt.datetime(2025, 12, 9, tzinfo=IST)

    def test_an_xlsx_that_understates_its_size_is_still_read_to_the_end(self, world) -> None:
        content = xlsx_bytes([_good(n) for n in range(30)])
        import io
        import zipfile

        source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
        with zipfile.ZipFile(target, "w") as out:
            for item in source.infolist():
                data = source.read(item)
                if item.filename.startswith("xl/worksheets/sheet"):
                    data = data.replace(b"<sheetData>", b'<dimension ref="A1:H3"/><sheetData>', 1)
                out.writestr(item, data)
        job = _import(world, target.getvalue())
        assert (job.rows_expected, job.rows_read, job.imported_created) == (30, 30, 30)


class TestDuplicatesAndReimport:
    def test_duplicate_rows_keep_the_first_and_name_it(self, world) -> None:
        rows = [_good(1), _good(2), _good(1, name="again"), _good(0, phone=f"0{mobile(2)}")]
        job = _import(world, csv_bytes(rows), name="d.csv")
        rejected = list(job.rejected_rows.values_list("row_number", "reason", "detail"))
        assert rejected == [(4, "duplicate_in_file", "2"), (5, "duplicate_in_file", "3")]
        assert Citizen.objects.get(phone=f"+91{mobile(1)}").name == "नागरिक 1"
        assert (job.imported_created, job.rejected, job.rows_read) == (2, 2, 4)

    @pytest.mark.parametrize("writer", ["sql", "orm"])
    def test_a_reimport_updates_and_never_duplicates(self, world, writer) -> None:
        first = _import(world, csv_bytes([_good(n, language="bn") for n in range(20)]), "a.csv")
        assert first.imported_created == 20
        original_consent = Citizen.objects.get(phone=f"+91{mobile(3)}").consent_at
        rows = [_good(n, name=f"Name {n}", consent_source="whatsapp") for n in range(25)]
        second = _import(world, csv_bytes(rows), "b.csv", writer=writer)
        assert (second.imported_created, second.imported_updated, second.rejected) == (5, 20, 0)
        assert Citizen.objects.filter(district=world.district).count() == 25
        updated = Citizen.objects.get(phone=f"+91{mobile(3)}")
        assert updated.name == "Name 3"
        assert updated.preferred_language == "bn"  # the language column was empty: kept
        assert updated.consent_source == ConsentSource.PAPER_FORM  # first consent kept
        assert updated.consent_at == original_consent

    def test_an_existing_citizen_without_consent_gets_the_files_consent(self, world) -> None:
        citizen = CitizenFactory(
            station=world.station, phone=f"+91{mobile(7)}", consent_source="", consent_at=None
        )
        job = _import(world, csv_bytes([_good(7, consent_source="web form")]), "c.csv")
        citizen.refresh_from_db()
        assert job.imported_updated == 1
        assert citizen.consent_source == ConsentSource.WEB_FORM
        assert citizen.consent_note == f"Import #{job.pk}, row 2"

    def test_tags_match_existing_tags_whatever_the_case(self, world) -> None:
        Tag.objects.create(name="Traders")
        job = _import(world, csv_bytes([_good(1, tags="traders;NEW tag; new TAG")]), "t.csv")
        assert job.imported_created == 1
        citizen = Citizen.objects.get(phone=f"+91{mobile(1)}")
        assert sorted(t.name for t in citizen.tags.all()) == ["NEW tag", "Traders"]


class TestBrokenFiles:
    def _refused(self, world, name: str, content: bytes, code: str) -> ImportFileError:  # type: ignore[no-untyped-def]
        with pytest.raises(ImportFileError) as caught:
            _job(world, content, name)
        assert caught.value.code == code
        assert ImportJob.objects.count() == 0 and Citizen.objects.count() == 0
        return caught.value

    def test_text_renamed_to_xlsx(self, world) -> None:
        self._refused(world, "list.xlsx", b"phone,name\n9876543210,A\n", "not_xlsx")

    def test_a_zip_that_is_not_a_workbook(self, world) -> None:
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        self._refused(world, "list.xlsx", buffer.getvalue(), "not_xlsx")

    def test_an_old_xls_file(self, world) -> None:
        self._refused(
            world, "list.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_excel"
        )

    def test_empty_files(self, world) -> None:
        self._refused(world, "list.csv", b"", "empty")
        self._refused(world, "list.xlsx", xlsx_bytes([], header=None), "empty")
        self._refused(world, "list.csv", b"\n\n,,\n", "empty")

    def test_a_header_without_rows(self, world) -> None:
        self._refused(world, "list.xlsx", xlsx_bytes([]), "no_rows")

    def test_no_header_row(self, world) -> None:
        error = self._refused(world, "list.csv", csv_bytes([_good(1)], header=None), "no_header")
        assert "phone, name, consent_source" in error.messages[0]

    def test_a_missing_required_column(self, world) -> None:
        content = csv_bytes([["9876543210", "A"]], header=["Mobile", "Name"])
        error = self._refused(world, "list.csv", content, "missing_columns")
        assert error.messages[0] == (
            "The file has no column for: consent_source. Columns found: Mobile, Name."
        )

    def test_a_repeated_column(self, world) -> None:
        content = csv_bytes([["1", "2", "3", "4"]], header=["phone", "name", "Mobile", "consent"])
        self._refused(world, "list.csv", content, "duplicate_column")

    def test_an_oversized_file(self, world, settings) -> None:
        settings.PEOPLE_IMPORT_MAX_BYTES = 2048
        content = csv_bytes([_good(n) for n in range(100)])
        error = self._refused(world, "list.csv", content, "too_large")
        assert "2.0\xa0KB" in error.messages[0]

    def test_too_many_rows(self, world, settings) -> None:
        settings.PEOPLE_IMPORT_MAX_ROWS = 10
        self._refused(
            world, "list.xlsx", xlsx_bytes([_good(n) for n in range(11)]), "too_many_rows"
        )
        self._refused(world, "list.csv", csv_bytes([_good(n) for n in range(11)]), "too_many_rows")

    def test_csv_that_is_not_utf8(self, world) -> None:
        self._refused(
            world, "list.csv", "phone,name,consent\n98765,Zoë,paper\n".encode("latin-1"), "not_utf8"
        )

    def test_binary_junk_named_csv(self, world) -> None:
        self._refused(world, "list.csv", b"phone,name\x00\x01\x02", "not_text")

    def test_an_xlsx_named_csv_and_other_extensions(self, world) -> None:
        self._refused(world, "list.csv", xlsx_bytes([_good(1)]), "xlsx_named_csv")
        self._refused(world, "list.pdf", b"%PDF-1.4", "bad_extension")
        self._refused(world, "list.xls", b"whatever", "old_excel")

    def test_an_xlsx_with_a_doctype_is_refused(self, world) -> None:
        import io
        import zipfile

        content = xlsx_bytes([_good(1)])
        source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
        with zipfile.ZipFile(target, "w") as out:
            for item in source.infolist():
                data = source.read(item)
                if item.filename.startswith("xl/worksheets/sheet"):
                    data = b'<!DOCTYPE worksheet [<!ENTITY r "row">]>' + data
                out.writestr(item, data)
        self._refused(world, "list.xlsx", target.getvalue(), "not_xlsx")

    def test_only_managers_of_the_district_may_import(self, world) -> None:
        from django.core.exceptions import PermissionDenied

        for user in [
            world.user(Role.STATE_HQ),
            world.user(Role.STATION_IC),
            world.strangers[Role.CYBER_CELL],
        ]:
            with pytest.raises(PermissionDenied):
                services.create_import_job(
                    district=world.district, upload=upload("a.csv", csv_bytes([_good(1)])), by=user
                )
        assert ImportJob.objects.count() == 0


class TestTaskAndClaims:
    def test_the_task_run_twice_imports_once(self, world) -> None:
        job = _job(world, csv_bytes([_good(n) for n in range(10)]), "a.csv")
        assert run_import(job.pk) == "done"
        assert run_import(job.pk) == ""
        job.refresh_from_db()
        assert (job.rows_read, job.imported_created, job.imported_updated) == (10, 10, 0)
        assert ImportRejectedRow.objects.count() == 0
        assert AuditEvent.objects.filter(action="people.import.done").count() == 1

    def test_a_second_worker_cannot_claim_a_running_job(self, world) -> None:
        job = _job(world, csv_bytes([_good(1)]), "a.csv")
        assert importing.claim_import_job(job.pk) is not None
        assert importing.claim_import_job(job.pk) is None
        assert importing.run_import_job(job_id=job.pk) is None

    def test_a_job_whose_worker_died_is_resumed_after_its_last_batch(self, world, settings) -> None:
        settings.PEOPLE_IMPORT_BATCH_SIZE = 10
        rows = [_good(n) for n in range(35)]
        rows[5] = _good(0, phone="123")  # rejected in the first batch
        rows[25] = _good(3)  # a duplicate of a row committed before the crash
        job = _job(world, csv_bytes(rows), "a.csv")
        calls = []

        def dying(rows, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(len(rows))
            if len(calls) == 3:
                raise SystemExit("worker killed")
            return importing.write_batch_sql(rows, **kwargs)

        with pytest.raises(SystemExit):
            importing.run_import_job(job_id=job.pk, writer=dying)
        job.refresh_from_db()
        assert (job.status, job.rows_read, job.last_row_number) == ("running", 20, 21)
        assert importing.run_import_job(job_id=job.pk) is None  # heartbeat still fresh
        later = NOW + dt.timedelta(seconds=settings.PEOPLE_IMPORT_STALE_SECONDS + 1)
        with time_machine.travel(later, tick=False):
            done = importing.run_import_job(job_id=job.pk)
        assert done is not None and done.status == "done"
        assert (done.rows_read, done.imported_created, done.rejected) == (35, 33, 2)
        assert _reasons(done) == {7: "invalid_phone", 27: "duplicate_in_file"}
        assert Citizen.objects.count() == 33

    def test_a_worker_that_lost_its_claim_stops_without_writing(self, world, settings) -> None:
        settings.PEOPLE_IMPORT_BATCH_SIZE = 5
        job = _job(world, csv_bytes([_good(n) for n in range(12)]), "a.csv")

        def reclaimed(rows, **kwargs):  # type: ignore[no-untyped-def]
            ImportJob.objects.filter(pk=job.pk).update(claim_token=None)
            return importing.write_batch_sql(rows, **kwargs)

        assert importing.run_import_job(job_id=job.pk, writer=reclaimed) is None
        job.refresh_from_db()
        assert (job.status, job.rows_read, Citizen.objects.count()) == ("running", 0, 0)

    def test_an_unexpected_error_fails_the_job_and_says_what_was_imported(
        self, world, settings
    ) -> None:
        settings.PEOPLE_IMPORT_BATCH_SIZE = 5
        job = _job(world, csv_bytes([_good(n) for n in range(12)]), "a.csv")

        def broken(rows, **kwargs):  # type: ignore[no-untyped-def]
            if Citizen.objects.count() >= 5:
                raise RuntimeError("disk on fire")
            return importing.write_batch_sql(rows, **kwargs)

        failed = importing.run_import_job(job_id=job.pk, writer=broken)
        assert failed is not None
        assert (failed.status, failed.rows_read, failed.imported_created) == ("failed", 5, 5)
        assert failed.error == "RuntimeError: disk on fire"
        assert failed.finished_at is not None
        assert importing.run_import_job(job_id=job.pk) is None  # a failed job stays failed

    def test_the_database_refuses_counters_that_do_not_add_up(self, world) -> None:
        from django.db import IntegrityError, transaction

        job = _job(world, csv_bytes([_good(1)]), "a.csv")
        with pytest.raises(IntegrityError), transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(rows_read=1)


class TestIdempotency:
    def test_the_same_key_returns_the_first_job_within_a_day(self, world) -> None:
        content = csv_bytes([_good(1)])
        first = _job(world, content, "a.csv", client_key="k-1")
        again, created = services.create_import_job(
            district=world.district, upload=upload("a.csv", content),
            by=world.user(Role.CYBER_CELL), client_key="k-1",
        )  # fmt: skip
        assert (again.pk, created) == (first.pk, False)
        with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
            later = _job(world, content, "a.csv", client_key="k-1")
        assert later.pk != first.pk
        assert ImportJob.objects.count() == 2

    def test_the_same_key_with_another_file_is_refused(self, world) -> None:
        _job(world, csv_bytes([_good(1)]), "a.csv", client_key="k-2")
        with pytest.raises(ValidationError) as caught:
            _job(world, csv_bytes([_good(2)]), "a.csv", client_key="k-2")
        assert caught.value.code == "idempotency_conflict"


class TestRetention:
    def test_files_and_rejected_rows_are_deleted_after_the_retention(self, world, settings) -> None:
        job = _import(world, csv_bytes([_good(1), _good(0, phone="1")]), "a.csv")
        path = job.file.path
        assert job.rejected_rows.count() == 1
        assert services.purge_expired_imports() == 0
        later = NOW + dt.timedelta(days=settings.PEOPLE_IMPORT_RETENTION_DAYS, minutes=1)
        with time_machine.travel(later, tick=False):
            assert services.purge_expired_imports() == 1
        job.refresh_from_db()
        import os

        assert not os.path.exists(path) and not job.file and job.file_deleted_at is not None
        assert job.rejected_rows.count() == 0
        assert job.rejected == 1  # the counts stay


def test_stored_files_have_random_names_under_imports(world) -> None:
    job = _job(world, csv_bytes([_good(1)]), "Police Mitan list.csv")
    assert job.file.name.startswith("imports/") and job.file.name.endswith(".csv")
    assert "Mitan" not in job.file.name and len(job.file.name) == len("imports/") + 32 + 4
    assert job.original_name == "Police Mitan list.csv"
