"""Roster files for the admins' phones: CSV (spreadsheets) and vCard 3.0 (contacts).

Only what adding a member to WhatsApp needs: name, phone, locality, language, joined date.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.text import slugify

from groups.models import CommunityGroup, Membership
from stations.spreadsheet_safety import safe_csv_writer

FORMATS = ("csv", "vcf")


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    body: str


def _csv(members: Sequence[Membership]) -> str:
    out = io.StringIO()
    writer = safe_csv_writer(out)  # every cell escaped: names are what citizens gave us
    writer.writerow(["name", "phone", "locality", "language", "joined_on"])
    for member in members:
        citizen = member.citizen
        writer.writerow(
            [
                citizen.name,
                citizen.phone,  # E.164: the rule leaves +91... alone
                citizen.locality,
                citizen.preferred_language,
                member.joined_on.isoformat(),
            ]
        )
    return "\ufeff" + out.getvalue()  # BOM: Excel then reads Devanagari/Bengali as UTF-8


def _vcard_text(value: str) -> str:
    """Escape a vCard text value (RFC 6350 section 3.4)."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _vcf(group: CommunityGroup, members: Sequence[Membership]) -> str:
    cards = []
    for member in members:
        citizen = member.citizen
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"FN:{_vcard_text(citizen.name)}",
            f"N:{_vcard_text(citizen.name)};;;;",
            f"TEL;TYPE=CELL:{citizen.phone}",
            f"ORG:{_vcard_text(group.name)}",
            f"NOTE:{_vcard_text(citizen.locality)}",
            "END:VCARD",
        ]
        cards.append("\r\n".join(lines))
    return "\r\n".join(cards) + ("\r\n" if cards else "")


def render(*, group: CommunityGroup, members: Sequence[Membership], fmt: str) -> Export:
    """The roster file in `fmt` ('csv' or 'vcf'); ValueError for another format."""
    base = slugify(group.name) or f"group-{group.pk}"
    if fmt == "csv":
        return Export(f"{base}-roster.csv", "text/csv; charset=utf-8", _csv(members))
    if fmt == "vcf":
        return Export(f"{base}-roster.vcf", "text/vcard; charset=utf-8", _vcf(group, members))
    raise ValueError(f"Unknown roster format: {fmt}")
