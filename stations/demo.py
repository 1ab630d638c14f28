"""Demo field work for ``manage.py seed_demo``: hotspots, patrols, CCTV, resource audits.

* Hotspots with patrol logs and CCTV coverage at Varanasi Cantt and Nabadwip PS (the demo ICs'
  stations): most patrolled lately, one overdue, one never patrolled;
* a resource audit at every Varanasi station, with some deficits left open (and a few closed
  with evidence);
* six months of Mission Shakti returns from every Varanasi station: most on time, a few late,
  and two rural stations that have not sent the latest one that is due.

Deterministic (random.Random with a fixed seed) and idempotent: a hotspot is matched by its
name, a patrol by a fixed token, and a station that already has an audit gets no new one.
Dates are relative to the day of seeding so that the demo always looks current.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from stations import selectors, services
from stations.models import (
    ActionItem,
    CctvCoverage,
    Hotspot,
    Patrol,
    ResourceAudit,
    ResourceCheck,
    ResourceItem,
    Station,
    StationReturn,
)

SEED = 20260601
DEMO_NAMESPACE = uuid.UUID("3b1f6a52-9c1e-4f7a-8e0b-7d5c2a9e6f10")

# How busy each Varanasi station is (city stations more than rural ones); the demo spreads
# anti-Romeo actions and awareness drives in these proportions.
VARANASI_WEIGHTS: dict[str, float] = {
    "VNS-CANTT": 10,
    "VNS-LANKA": 9,
    "VNS-SIGRA": 9,
    "VNS-BHELUPUR": 7,
    "VNS-CHETGANJ": 6,
    "VNS-DASHASWAMEDH": 6,
    "VNS-MANDUADIH": 5,
    "VNS-KOTWALI": 5,
    "VNS-CHOWK": 5,
    "VNS-LUXA": 5,
    "VNS-SHIVPUR": 5,
    "VNS-MAHILA": 5,
    "VNS-SARNATH": 4,
    "VNS-ADAMPUR": 4,
    "VNS-JAITPURA": 4,
    "VNS-PANDEYPUR": 4,
    "VNS-CHITAIPUR": 4,
    "VNS-RAMNAGAR": 3,
    "VNS-ROHANIA": 3,
    "VNS-SINDHORA": 2,
    "VNS-CHOLAPUR": 2,
    "VNS-CHAUBEPUR": 2,
    "VNS-PHOOLPUR": 2,
    "VNS-BARAGAON": 2,
    "VNS-MIRZAMURAD": 2,
    "VNS-LOHTA": 2,
    "VNS-JANSA": 1.5,
    "VNS-KAPSETHI": 1,
}

_CANTT, _NABADWIP = "VNS-CANTT", "NDA-NABADWIP"
# (station code, name, kind, address, latitude, longitude)
HOTSPOTS: list[tuple[str, str, str, str, str, str]] = [
    (_CANTT, "Cantt Roadways Bus Stand", "bus_stand", "Opp. Varanasi Jn.", "25.3262", "82.9869"),
    (_CANTT, "Govt. Girls Inter College, Nadesar", "school", "Nadesar", "25.3349", "82.9908"),
    (_CANTT, "Kendriya Vidyalaya, Cantt", "school", "Cantonment", "25.3352", "82.9794"),
    (_CANTT, "Udai Pratap College gate", "college", "Bhojubeer road", "25.3397", "82.9752"),
    (_CANTT, "Coaching lane, Nadesar", "coaching", "Behind Nadesar Palace", "25.3331", "82.9925"),
    (_CANTT, "JHV Mall and market", "market", "Mall Road, Cantt", "25.3290", "82.9833"),
    (_NABADWIP, "Nabadwip Dham bus stand", "bus_stand", "Station Road", "23.4071", "88.3652"),
    (_NABADWIP, "Nabadwip Vidyasagar College", "college", "College Road", "23.4094", "88.3702"),
    (_NABADWIP, "Bakultala High School", "school", "Bakultala", "23.4041", "88.3689"),
    (_NABADWIP, "Poramatala market", "market", "Poramatala", "23.4069", "88.3716"),
    (_NABADWIP, "Coaching centres, Mayapur", "coaching", "Prachin Mayapur", "23.4113", "88.3641"),
]  # fmt: skip

# Days since each hotspot's patrols, per hotspot index (None: never patrolled).
PATROL_AGES: list[list[int] | None] = [
    [0, 1, 3, 5, 8, 11, 15, 19, 24],
    [1, 4, 9, 13, 20],
    [2, 6, 12, 21],
    [12, 18, 26],  # overdue: nobody went for 12 days
    None,  # never patrolled
    [0, 2, 5, 9, 14],
    [0, 2, 4, 7, 10, 13],
    [1, 3, 8, 15],
    [3, 9, 17],
    [10, 16, 25],  # overdue
    None,
]

OBSERVATIONS = [
    "Checked the gate at closing time; no loitering.",
    "Two youths on a bike passing remarks; warned and sent away.",
    "Girls' helpline numbers pasted again near the gate.",
    "Crowded at the bus stand; plain-clothes constable stayed an hour.",
    "Talked to the shopkeepers about calling 112.",
    "",
]


def demo_token(kind: str, key: str) -> uuid.UUID:
    """The fixed client token of a demo row: re-running the seed finds it again."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


def analyze(*models: Any) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (autovacuum would, later)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def demo_user(username: str) -> Any:
    """A demo login by username, or the first superuser when it is missing."""
    users = get_user_model().objects
    return users.filter(username=username).first() or users.filter(is_superuser=True).first()


def seed_hotspots() -> dict[str, Hotspot]:
    """The demo hotspots (matched by station and name), by name."""
    stations = {s.code: s for s in Station.objects.filter(code__in={h[0] for h in HOTSPOTS})}
    hotspots: dict[str, Hotspot] = {}
    for code, name, kind, address, lat, lon in HOTSPOTS:
        if code not in stations:
            continue
        hotspot, _ = Hotspot.objects.get_or_create(
            station=stations[code],
            name=name,
            defaults={"kind": kind, "address": address, "latitude": lat, "longitude": lon},
        )
        hotspots[name] = hotspot
    return hotspots


def _patrol_time(rng: random.Random, days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    hour = rng.choice([8, 9, 13, 14, 16, 17, 18])
    moment = timezone.make_aware(datetime.combine(day, time(hour, rng.choice([0, 15, 30, 45]))))
    return min(moment, timezone.now() - timedelta(minutes=30))


def seed_patrols(hotspots: dict[str, Hotspot]) -> int:
    """Patrol logs per PATROL_AGES; returns how many were created."""
    rng = random.Random(SEED)
    officers = {"VNS-CANTT": demo_user("demo_shakti"), "NDA-NABADWIP": demo_user("demo_officer")}
    teams = {
        "VNS-CANTT": "SI Priyanka Yadav, HC Ramesh Pal (Anti-Romeo squad 1)",
        "NDA-NABADWIP": "SI Moumita Das, Civic volunteer Rina Saha",
    }
    rows = []
    for index, (code, name, *_rest) in enumerate(HOTSPOTS):
        hotspot = hotspots.get(name)
        for n, days in enumerate(PATROL_AGES[index] or []):
            rows.append(
                Patrol(
                    hotspot=hotspot,
                    patrolled_at=_patrol_time(rng, days),
                    team=teams[code],
                    observations=rng.choice(OBSERVATIONS),
                    trouble_seen=rng.random() < 0.2,
                    recorded_by=officers[code],
                    client_token=demo_token("patrol", f"{name}:{n}"),
                )
            )
    rows = [r for r in rows if r.hotspot is not None]
    existing = set(
        Patrol.objects.filter(client_token__in=[r.client_token for r in rows]).values_list(
            "client_token", flat=True
        )
    )
    new = [r for r in rows if r.client_token not in existing]
    Patrol.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def seed_cctv(hotspots: dict[str, Hotspot]) -> int:
    """CCTV coverage of the institutions: most installed, some pending."""
    rng = random.Random(SEED + 1)
    created = 0
    for hotspot in hotspots.values():
        if not hotspot.is_institution and hotspot.kind != Hotspot.Kind.BUS_STAND:
            continue
        installed = rng.random() < 0.6
        user = demo_user("demo_shakti" if hotspot.station.code == "VNS-CANTT" else "demo_officer")
        _, was_created = CctvCoverage.objects.get_or_create(
            hotspot=hotspot,
            defaults={
                "status": "installed" if installed else "pending",
                "cameras": rng.randint(2, 12) if installed else rng.randint(0, 4),
                "checked_on": timezone.localdate() - timedelta(days=rng.randint(3, 60)),
                "checked_by": user,
                "notes": "" if installed else "Principal agreed to fit cameras at both gates.",
            },
        )
        created += was_created
    return created


DEFICIT_NOTES = {
    ResourceItem.ROOMS: "Help-desk room shared with the malkhana; needs a separate room.",
    ResourceItem.WOMEN_TOILETS: "No separate women's toilet near the help desk.",
    ResourceItem.REGISTERS: "Mission Shakti complaint register not supplied.",
    ResourceItem.FURNITURE: "Two chairs and a table for the help desk.",
    ResourceItem.COMPUTERS: "Help-desk computer out of order.",
    ResourceItem.MOBILE_PHONES: "CUG mobile for the help desk not issued.",
    ResourceItem.SIM_CARDS: "SIM of the women help-desk phone blocked.",
    ResourceItem.VEHICLES: "Pink patrol scooty under repair for a month.",
    ResourceItem.CCTV: "CCTV at the help desk not recording.",
    ResourceItem.HELPDESK_SIGNAGE: "Help-desk board with 1090/181/112 missing.",
}


def _checklist(rng: random.Random) -> list[services.CheckInput]:
    """One station's checklist: mostly OK, a few deficits."""
    checks = []
    for item in ResourceItem:
        deficit = rng.random() < 0.18
        checks.append(
            services.CheckInput(
                item=item.value,
                status="deficit" if deficit else "ok",
                count=rng.randint(0, 2) if deficit else rng.randint(1, 6),
                notes=DEFICIT_NOTES[item] if deficit else "",
            )
        )
    return checks


def seed_audits() -> int:
    """One resource audit per Varanasi station that has none yet; returns how many."""
    rng = random.Random(SEED + 2)
    auditor = demo_user("demo_cp")
    owner_at_cantt = demo_user("demo_ic_cantt")
    created = 0
    for station in Station.objects.filter(district__code="VNS").order_by("code"):
        checks = _checklist(rng)
        days_ago = rng.randint(5, 40)
        if ResourceAudit.objects.filter(station=station).exists() or auditor is None:
            continue
        audited_on = timezone.localdate() - timedelta(days=days_ago)
        audit = services.record_resource_audit(
            station=station,
            audited_on=audited_on,
            checks=checks,
            owner=owner_at_cantt if station.code == "VNS-CANTT" else auditor,
            due_on=audited_on + timedelta(days=15),
            by=auditor,
        )
        created += 1
        _close_some(rng, audit, auditor)
    return created


def _close_some(rng: random.Random, audit: ResourceAudit, by: Any) -> None:
    """Close about a third of the audit's new deficits with written evidence."""
    items = ActionItem.objects.filter(raised_in=audit, status=ActionItem.Status.OPEN)
    for item in items.order_by("item"):
        if rng.random() < 0.35:
            services.close_action_item(
                item=item, note="Made good; checked by the circle officer on a visit.", by=by
            )


# Stations that have not sent the latest return that fell due (the review report flags them).
RETURNS_MISSING = ("VNS-JANSA", "VNS-KAPSETHI")
RETURN_MONTHS = 6
RETURN_LATE_SHARE = 0.12


def _submitted_at(day: date, rng: random.Random) -> datetime:
    """A working-hours time on `day`, in India time."""
    clock = time(rng.randint(10, 18), rng.choice([0, 15, 30, 45]))
    return timezone.make_aware(datetime.combine(day, clock))


def seed_returns() -> int:
    """Returns for the last six ended months at every Varanasi station; how many were created.

    Deterministic per station and month; a return whose invented submission time is still in
    the future is left out (its month is not due yet). Existing returns are never touched.
    """
    by = demo_user("demo_ic_cantt")
    if by is None:
        return 0
    now = timezone.now()
    today = timezone.localdate()
    latest = selectors.previous_month(selectors.month_start(today))
    months = [latest]
    while len(months) < RETURN_MONTHS:
        months.append(selectors.previous_month(months[-1]))
    latest_due = next(m for m in months if selectors.return_due_on(m) < today)
    rows = []
    for station in Station.objects.filter(district__code="VNS").order_by("code"):
        for month in months:
            if station.code in RETURNS_MISSING and month == latest_due:
                continue
            rng = random.Random(f"{SEED}:{station.code}:{month:%Y-%m}")
            due_on = selectors.return_due_on(month)
            if rng.random() < RETURN_LATE_SHARE:
                day = due_on + timedelta(days=rng.randint(1, 6))
            else:
                day = due_on - timedelta(days=rng.randint(0, 4))
            submitted_at = _submitted_at(day, rng)
            if submitted_at > now:
                continue
            rows.append(
                StationReturn(
                    station=station,
                    month=month,
                    due_on=due_on,
                    submitted_at=submitted_at,
                    submitted_by=by,
                    remarks="",
                )
            )
    before = StationReturn.objects.count()
    StationReturn.objects.bulk_create(rows, ignore_conflicts=True)
    return StationReturn.objects.count() - before


def seed(*, stdout: Any) -> None:
    """seed_demo hook: hotspots, patrols, CCTV and resource audits (idempotent)."""
    with transaction.atomic():
        hotspots = seed_hotspots()
        patrols = seed_patrols(hotspots)
        cctv = seed_cctv(hotspots)
        audits = seed_audits()
        returns = seed_returns()
        analyze(Hotspot, Patrol, ResourceAudit, ResourceCheck, ActionItem, StationReturn)
    checks = ResourceCheck.objects.filter(audit__station__district__code="VNS")
    stdout.write(
        f"  field work: {len(hotspots)} hotspots, {patrols} patrols and {cctv} CCTV records "
        f"created, {audits} resource audits created "
        f"({checks.filter(status='deficit').count()} deficit lines in Varanasi), "
        f"{returns} monthly returns created"
    )
