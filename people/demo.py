"""Demo subscribers for the embedded setup: Police Mitan citizens of Kabirdham (idempotent)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from people.models import Citizen, ConsentSource, OptOutSource, Tag
from stations.models import Station

FIRST = ["राम", "सीता", "गीता", "मोहन", "सुनीता", "अनिल", "रेखा", "दिनेश", "कविता", "संजय"]
LAST = ["साहू", "वर्मा", "पटेल", "यादव", "ठाकुर", "चंद्रवंशी", "निषाद", "कौशिक"]
COUNT = 40


@transaction.atomic
def seed(*, stdout: Any) -> None:
    """40 consenting citizens across Kabirdham's stations; two of them opted out."""
    stations = list(Station.objects.filter(district__code="KBD").order_by("code"))
    if not stations:
        return
    now = timezone.now()
    citizens = []
    for n in range(COUNT):
        station = stations[n % len(stations)]
        opted_out = n in {7, 23}
        citizens.append(
            Citizen(
                phone=f"+9170000{n + 1:05d}",
                name=f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}",
                locality=station.name,
                district_id=station.district_id,
                station=station,
                preferred_language="hi" if n % 6 else "en",
                consent_source=ConsentSource.PAPER_FORM if n % 3 else ConsentSource.WHATSAPP,
                consent_at=now,
                consent_note="Police Mitan registration camp (demo)",
                opted_out_at=now if opted_out else None,
                opt_out_source=OptOutSource.KEYWORD if opted_out else "",
            )
        )
    Citizen.objects.bulk_create(citizens, ignore_conflicts=True)
    mitan, _ = Tag.objects.get_or_create(name="Police Mitan")
    ids = Citizen.objects.filter(phone__in=[c.phone for c in citizens]).values_list("pk", flat=True)
    through = Citizen.tags.through
    through.objects.bulk_create(
        [through(citizen_id=pk, tag_id=mitan.pk) for pk in ids], ignore_conflicts=True
    )
    stdout.write(f"  Police Mitan demo citizens (Kabirdham): {len(ids)}")
