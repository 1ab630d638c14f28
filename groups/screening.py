"""Screening a person against the exclusion register: phone exactly, name across scripts.

Pure reads, no writes: the services decide what a hit means. The register is district-scoped;
a station group screens against its district, a district group against its own, and a state
coordination group against every district of its state.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from groups.matching import best_name_hits
from groups.models import CommunityGroup, ExclusionEntry, ExclusionName, ExclusionPhone
from stations.models import District


class Hit(TypedDict):
    """One register match as stored on a nomination (never the restricted note)."""

    entry: int
    by: str  # "phone" | "name"
    score: int
    matched: str  # the register name that matched, or the masked phone
    category: str


def in_force(today: date | None = None) -> Q:
    """Filter for register entries in force today (prefix 'entry__' where needed)."""
    today = today or timezone.localdate()
    return Q(withdrawn_at__isnull=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def district_ids_for_group(group: CommunityGroup) -> list[int]:
    """Ids of the districts whose register applies to the group."""
    if group.station is not None:
        return [group.station.district_id]
    if group.district_id is not None:
        return [group.district_id]
    return list(District.objects.filter(state=group.state).values_list("pk", flat=True))


def screen_person(*, district_ids: list[int], name: str, phone: str) -> list[Hit]:
    """Register entries in force in these districts matching the phone or the name."""
    entries = ExclusionEntry.objects.filter(in_force(), district_id__in=district_ids)
    hits: dict[tuple[int, str], Hit] = {}
    phone_rows = ExclusionPhone.objects.filter(
        entry__in=entries, phone=phone or None
    ).select_related("entry")
    for row in phone_rows:
        hits[(row.entry_id, "phone")] = Hit(
            entry=row.entry_id,
            by="phone",
            score=100,
            matched=str(row),
            category=row.entry.category,
        )
    names = list(
        ExclusionName.objects.filter(entry__in=entries).values_list(
            "pk", "key", "name", "entry_id", "entry__category"
        )
    )
    by_pk = {pk: (label, entry_id, category) for pk, _, label, entry_id, category in names}
    threshold = float(settings.GROUPS_NAME_MATCH_THRESHOLD)
    for hit in best_name_hits(name, [(pk, key) for pk, key, *_ in names], threshold=threshold):
        label, entry_id, category = by_pk[hit.ref]
        current = hits.get((entry_id, "name"))
        if current is None or current["score"] < hit.score:
            hits[(entry_id, "name")] = Hit(
                entry=entry_id, by="name", score=round(hit.score), matched=label, category=category
            )
    return sorted(hits.values(), key=lambda h: (h["by"] != "phone", -h["score"], h["entry"]))
