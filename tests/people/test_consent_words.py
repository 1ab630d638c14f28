"""Consent sources as officers write them (issue 17 item 7): free text is classified and kept,
an unknown one is rejected with the accepted words in the error, and a list whose import
brought nobody is not left behind to be offered for broadcasts."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Role
from broadcasts import audience_sources
from people import importing, services
from people.models import Citizen, CitizenList, ConsentSource, ImportJob, RejectReason
from tests.people.helpers import HEADER, csv_bytes, mobile, upload

pytestmark = pytest.mark.django_db


def _row(n: int, consent: str) -> list[object]:
    row: dict[str, object] = {
        "phone": mobile(n),
        "name": f"नागरिक {n}",
        "consent_source": consent,
        "consent_date": "2026-01-15",
        "station_code": "",
        "locality": "Lanka",
        "language": "",
        "tags": "",
    }
    return [row[h] for h in HEADER]


def _import(world, rows, list_name: str = "") -> ImportJob:  # type: ignore[no-untyped-def]
    job, _created = services.create_import_job(
        district=world.district,
        upload=upload("list.csv", csv_bytes(rows)),
        by=world.user(Role.CYBER_CELL),
        list_name=list_name,
    )
    done = importing.run_import_job(job_id=job.pk)
    assert done is not None
    return done


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("Police Mitan camp", ConsentSource.IN_PERSON),
        ("Chaupal meeting", ConsentSource.IN_PERSON),
        ("चौपाल, ग्राम लोहारा", ConsentSource.IN_PERSON),
        ("শিবির", ConsentSource.IN_PERSON),
        ("Signed paper form at the thana", ConsentSource.PAPER_FORM),
        ("Google form", ConsentSource.WEB_FORM),
        ("WhatsApp group", ConsentSource.WHATSAPP),
        ("paper form", ConsentSource.PAPER_FORM),
    ],
)
def test_free_text_names_its_source(world, written: str, source: str) -> None:
    job = _import(world, [_row(1, written)])
    assert (job.imported_created, job.rejected) == (1, 0)
    citizen = Citizen.objects.get()
    assert citizen.consent_source == source


def test_the_officers_own_words_are_kept_in_the_consent_note(world) -> None:
    _import(world, [_row(1, "Police Mitan camp, Kawardha"), _row(2, "paper form")])
    notes = dict(Citizen.objects.values_list("phone", "consent_note"))
    assert notes[f"+91{mobile(1)}"].endswith(": Police Mitan camp, Kawardha")
    assert ":" not in notes[f"+91{mobile(2)}"]  # a source's own name adds nothing


@pytest.mark.parametrize("lang", ["en", "hi", "bn"])
def test_an_unknown_source_is_rejected_with_the_accepted_words(world, lang: str) -> None:
    job = _import(world, [_row(1, "Rahul said ok")])
    rejected = job.rejected_rows.get()
    assert rejected.reason == RejectReason.UNKNOWN_CONSENT_SOURCE
    with translation.override(lang):
        text = rejected.reason_text
        assert "Rahul said ok" in text
        assert translation.gettext("paper form") in text
        assert translation.gettext("camp, chaupal or meeting") in text


def test_an_import_that_brought_nobody_leaves_no_list(world) -> None:
    job = _import(world, [_row(1, "Rahul said ok"), _row(2, "")], list_name="Mitan camp 7 Dec")
    assert (job.status, job.imported_created) == (ImportJob.Status.DONE, 0)
    assert not CitizenList.objects.filter(name="Mitan camp 7 Dec").exists()


def test_an_empty_list_is_never_offered_for_broadcasts(world) -> None:
    officer = world.user(Role.CYBER_CELL)
    CitizenList.objects.create(district=world.district, name="Empty", created_by=officer)
    _import(world, [_row(1, "paper form")], list_name="Full")
    source = audience_sources.get("list")
    assert source is not None
    offered = [choice.label for choice in source.choices(officer)]
    assert any(label.startswith("Full") for label in offered)
    assert not any(label.startswith("Empty") for label in offered)
