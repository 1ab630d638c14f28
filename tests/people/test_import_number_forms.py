"""Numbers as they really arrive: Excel's text apostrophe, WhatsApp's invisible marks, '.0'.

A number copied from WhatsApp comes wrapped in direction marks (U+202A ... U+202C) that no one
can see; Excel users type a leading apostrophe to keep a number as text; a sheet exported by
another program writes 9826400009.0. All were refused as invalid numbers.
"""

from __future__ import annotations

import pytest

from accounts.models import Role
from people import importing, services
from people.models import Citizen
from people.phones import parse_phone
from tests.people.helpers import HEADER, csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

FORMS = [
    "'{n}",  # Excel's "keep as text" apostrophe, written out literally
    "'+91 {n}",
    "\u202a+91 {n}\u202c",  # WhatsApp's "copy number": LEFT-TO-RIGHT EMBEDDING ... POP
    "\u202d{n}\u202c",  # LEFT-TO-RIGHT OVERRIDE
    "\u202b{n}\u202c",  # RIGHT-TO-LEFT EMBEDDING (copied from an Urdu chat)
    "\u202e{n}\u202c",
    "\u200e{n}\u200f",  # LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
    "\u2066+91 {n}\u2069",  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
    "\u2067{n}\u2069",
    "\u2068{n}\u2069",
    "\u200b{n}\u200b",  # ZERO WIDTH SPACE
    "\u200c{n}\u200d",  # ZERO WIDTH NON-JOINER / JOINER
    "\ufeff{n}",  # ZERO WIDTH NO-BREAK SPACE (a BOM in the middle of a copied text)
    "+91\u202f{n}",  # not invisible, but WhatsApp's narrow no-break space between groups
    "{n}.0",  # a number stored as text by another program
    " \u202a '{n}.0 \u202c ",
]


def _number(index: int) -> str:
    return f"98264{index:05d}"


@pytest.mark.parametrize("form", FORMS)
def test_parse_phone_accepts_the_number_as_copied(form: str) -> None:
    assert parse_phone(form.format(n="9826400009")).e164 == "+919826400009"


@pytest.mark.parametrize("bad", ["'", "\u202a\u202c", "9826400009.5", "'abc", "9826400009.0.0"])
def test_what_is_still_not_a_number_is_still_refused(bad: str) -> None:
    from people.phones import InvalidPhone

    with pytest.raises(InvalidPhone):
        parse_phone(bad)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_list_of_copied_numbers_imports_every_row(world, file_format: str) -> None:
    rows = [
        [form.format(n=_number(i)), f"\u202aNagrik {i}\u202c", "\u200epaper form", "", "", "",
         "", ""]
        for i, form in enumerate(FORMS)
    ]  # fmt: skip
    content = csv_bytes(rows) if file_format == "csv" else xlsx_bytes(rows)
    job, _created = services.create_import_job(
        district=world.district,
        upload=upload(f"copied.{file_format}", content),
        by=world.user(Role.CYBER_CELL),
    )
    done = importing.run_import_job(job_id=job.pk)
    assert done is not None
    assert (done.imported_created, done.rejected) == (len(FORMS), 0), list(
        done.rejected_rows.values_list("row_number", "reason", "values")
    )
    names = dict(Citizen.objects.values_list("phone", "name"))
    assert names == {f"+91{_number(i)}": f"Nagrik {i}" for i in range(len(FORMS))}


def test_a_header_copied_with_invisible_marks_is_still_recognised(world) -> None:
    header = [f"\u202a{name}\u202c" if name in {"phone", "name"} else name for name in HEADER]
    content = csv_bytes([["9826400009", "Sita", "paper", "", "", "", "", ""]], header=header)
    job, _created = services.create_import_job(
        district=world.district, upload=upload("a.csv", content), by=world.user(Role.CYBER_CELL)
    )
    assert job.columns["phone"] == 0 and job.columns["name"] == 1
