"""Demo outreach for ``manage.py seed_demo``: campaigns, NGOs, NGO work, awareness drives.

* Campaigns Sambal, Srijan, Abhimanyu, Chetna (Madhya Pradesh) with Bhopal and Indore targets,
  and Mission Shakti 5.0 (Uttar Pradesh) with Varanasi targets; admins may edit them later,
  so an existing campaign is never overwritten;
* the MP registry: 42 NGOs (names invented for the demo) working in Bhopal and/or Indore; the
  demo NGO coordinator `demo_ngo` is a member of "Aarambh Mahila Evam Bal Vikas Samiti", which
  works in both, and has logged activities, some verified by the state HQ (`demo_state`);
* awareness drives across the Varanasi Commissionerate's stations (busier city stations get
  more, per stations.demo.VARANASI_WEIGHTS) held at exactly 2,114 locations (distinct places
  per station; some places were visited twice) reaching exactly 90,000 women and girl
  students, under Mission Shakti 5.0; and a few NGO-organised drives in Bhopal.

Deterministic (random.Random with fixed seeds) and idempotent: campaigns, targets and NGOs are
matched by code or registration number; drives and activities carry fixed client tokens and
are not added again once the first exists. Written with bulk_create.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from outreach.models import (
    Audience,
    AwarenessDrive,
    Campaign,
    CampaignMetric,
    CampaignTarget,
    DriveTopic,
    Ngo,
    NgoActivity,
    NgoActivityKind,
    NgoMembership,
    Topic,
    place_key,
)
from stations.demo import VARANASI_WEIGHTS, analyze, demo_token, demo_user
from stations.models import District, State, Station

SEED = 20260603
LOCATIONS = 2114
WOMEN_AND_GIRLS_REACHED = 90_000
REPEAT_SHARE = 0.08  # places visited a second time in the period
DRIVE_DAYS = 300
DEMO_NGO_REGISTRATION = "MP/2011/0042117"

CAMPAIGNS: list[dict[str, Any]] = [
    {
        "code": "sambal",
        "name": "Sambal",
        "name_local": "संबल",
        "state": "MP",
        "description": "Women's legal awareness and rights.",
    },
    {
        "code": "srijan",
        "name": "Srijan",
        "name_local": "सृजन",
        "state": "MP",
        "description": "Preventing crimes against girls.",
    },
    {
        "code": "abhimanyu",
        "name": "Abhimanyu",
        "name_local": "अभिमन्यु",
        "state": "MP",
        "description": "Legal awareness among boys.",
    },
    {
        "code": "chetna",
        "name": "Chetna",
        "name_local": "चेतना",
        "state": "MP",
        "description": "Preventing human trafficking.",
    },
    {
        "code": "mission-shakti-5",
        "name": "Mission Shakti 5.0",
        "name_local": "मिशन शक्ति 5.0",
        "state": "UP",
        "description": "Women's safety, dignity and self-reliance: anti-Romeo squads, "
        "awareness drives, Mission Shakti centres at every station.",
    },
]

# campaign code -> district code -> {metric: target}
TARGETS: dict[str, dict[str, dict[str, int]]] = {
    "sambal": {
        "BPL": {"activities": 24, "persons_reached": 2400, "drives": 12},
        "IDR": {"activities": 20, "persons_reached": 2000, "drives": 10},
    },
    "srijan": {
        "BPL": {"activities": 20, "persons_reached": 1800},
        "IDR": {"activities": 16, "persons_reached": 1500},
    },
    "abhimanyu": {
        "BPL": {"activities": 12, "persons_reached": 1200},
        "IDR": {"activities": 10, "persons_reached": 1000},
    },
    "chetna": {
        "BPL": {"activities": 10, "persons_rescued": 40},
        "IDR": {"activities": 8, "persons_rescued": 30},
    },
    "mission-shakti-5": {"VNS": {"drives": 2200, "persons_reached": 85000}},
}

NGO_PREFIXES = [
    "Aarambh", "Sahyog", "Udaan", "Prayas", "Disha", "Nari Shakti", "Jan Jagran", "Sakhi",
    "Aasra", "Pahal", "Sankalp", "Nav Chetna", "Manthan", "Samarthan", "Ujala", "Snehdeep",
    "Jeevan Jyoti", "Aadhar", "Sambhav", "Kiran", "Nirmal",
]  # fmt: skip
NGO_SUFFIXES = [
    "Mahila Evam Bal Vikas Samiti", "Samaj Kalyan Sanstha", "Foundation", "Sewa Samiti",
    "Jan Kalyan Trust", "Welfare Society",
]  # fmt: skip
CONTACTS = [
    "Meenakshi Jain", "Rekha Sharma", "Farida Khan", "Sunita Patel", "Anjali Verma",
    "Kavita Raghuvanshi", "Shabnam Ali", "Pooja Tiwari", "Neelam Chouhan", "Alka Mishra",
]  # fmt: skip

KIND_CAMPAIGN = {
    NgoActivityKind.RESCUE_OPERATION: "chetna",
    NgoActivityKind.TRAFFICKING: "chetna",
    NgoActivityKind.BONDED_LABOUR: "chetna",
    NgoActivityKind.MISSING_GIRLS: "chetna",
    NgoActivityKind.POCSO_AWARENESS: "srijan",
    NgoActivityKind.GOOD_TOUCH_BAD_TOUCH: "srijan",
    NgoActivityKind.CHILD_MARRIAGE: "srijan",
    NgoActivityKind.GENDER_EQUALITY: "abhimanyu",
    NgoActivityKind.JJ_ACT: "abhimanyu",
    NgoActivityKind.COUNSELLING_CAMP: "sambal",
}
RESCUE_KINDS = {
    NgoActivityKind.RESCUE_OPERATION,
    NgoActivityKind.TRAFFICKING,
    NgoActivityKind.BONDED_LABOUR,
    NgoActivityKind.MISSING_GIRLS,
}

GIRLS_PLACES = [
    "Govt. Girls Inter College",
    "Kanya Vidyalaya",
    "Upper Primary School",
    "Women's Degree College",
    "Coaching centre",
    "Girls' hostel",
    "Kasturba Gandhi Balika Vidyalaya",
]
WOMEN_PLACES = [
    "Anganwadi centre",
    "Mohalla meeting",
    "Self-help group meeting",
    "Market",
    "Basti chaupal",
    "Temple courtyard",
    "Community hall",
]
GIRLS_TOPICS = [Topic.CYBER_SAFETY, Topic.SELF_DEFENCE, Topic.POCSO, Topic.GOOD_TOUCH_BAD_TOUCH]
WOMEN_TOPICS = [Topic.LEGAL_RIGHTS, Topic.CYBER_SAFETY, Topic.SELF_DEFENCE]


# --- Campaigns and targets --------------------------------------------------------------------


def seed_campaigns() -> dict[str, Campaign]:
    """The demo campaigns (created once; admins may edit them afterwards)."""
    states = {s.code: s for s in State.objects.all()}
    campaigns = {}
    for row in CAMPAIGNS:
        values = {k: v for k, v in row.items() if k not in {"code", "state"}}
        campaign, _ = Campaign.objects.get_or_create(
            code=row["code"],
            defaults={
                **values,
                "state": states.get(row["state"]),
                "starts_on": date(2024, 9, 1) if row["code"] == "mission-shakti-5" else None,
            },
        )
        campaigns[campaign.code] = campaign
    districts = {d.code: d for d in District.objects.all()}
    for code, by_district in TARGETS.items():
        for district_code, metrics in by_district.items():
            if district_code not in districts:
                continue
            for metric, value in metrics.items():
                CampaignTarget.objects.get_or_create(
                    campaign=campaigns[code],
                    district=districts[district_code],
                    metric=CampaignMetric(metric).value,
                    defaults={"target_value": value},
                )
    return campaigns


# --- NGOs -------------------------------------------------------------------------------------


def _ngo_rows(rng: random.Random) -> list[tuple[str, str, list[str], str]]:
    """(name, registration number, district codes, contact) for the 42 MP NGOs."""
    names = [f"{p} {s}" for p, s in itertools.product(NGO_PREFIXES, NGO_SUFFIXES)]
    demo_name = "Aarambh Mahila Evam Bal Vikas Samiti"
    others = rng.sample([n for n in names if n != demo_name], 41)
    rows = [(demo_name, DEMO_NGO_REGISTRATION, ["BPL", "IDR"], CONTACTS[0])]
    for index, name in enumerate(others):
        districts = rng.choice([["BPL"], ["IDR"], ["BPL", "IDR"], ["BPL"]])
        number = f"MP/{rng.randint(1998, 2022)}/{rng.randint(1000000, 9999999)}"
        rows.append((name, number, districts, CONTACTS[(index + 1) % len(CONTACTS)]))
    return rows


def seed_ngos() -> Ngo | None:
    """The MP NGO registry; returns the demo coordinator's NGO."""
    rng = random.Random(SEED)
    districts = {d.code: d for d in District.objects.filter(code__in=["BPL", "IDR"])}
    if len(districts) < 2:
        return None
    demo_ngo = None
    for name, number, codes, contact in _ngo_rows(rng):
        ngo, created = Ngo.objects.get_or_create(
            registration_number=number,
            defaults={
                "name": name,
                "contact_person": contact,
                "address": "Bhopal, Madhya Pradesh" if codes[0] == "BPL" else "Indore, MP",
                "phone": "+919000050201" if number == DEMO_NGO_REGISTRATION else "",
            },
        )
        if created:
            ngo.districts.set([districts[c] for c in codes])
        if number == DEMO_NGO_REGISTRATION:
            demo_ngo = ngo
    coordinator = get_user_model().objects.filter(username="demo_ngo").first()
    if demo_ngo is not None and coordinator is not None:
        NgoMembership.objects.get_or_create(ngo=demo_ngo, user=coordinator)
    return demo_ngo


def seed_activities(ngo: Ngo, campaigns: dict[str, Campaign]) -> int:
    """Activities of the demo NGO in Bhopal and Indore, some verified by the state HQ."""
    if NgoActivity.objects.filter(client_token=demo_token("ngo-activity", "0")).exists():
        return 0
    rng = random.Random(SEED + 1)
    coordinator, verifier = demo_user("demo_ngo"), demo_user("demo_state")
    stations = list(Station.objects.filter(district__code__in=["BPL", "IDR"]).order_by("code"))
    districts = {d.code: d for d in District.objects.filter(code__in=["BPL", "IDR"])}
    today = timezone.localdate()
    rows = []
    for index in range(36):
        kind = rng.choice(list(NgoActivityKind))
        district = districts[rng.choice(["BPL", "BPL", "IDR"])]
        station = rng.choice([s for s in stations if s.district_id == district.pk])
        held_on = today - timedelta(days=rng.randint(3, 200))
        verified = rng.random() < 0.55
        rescued = rng.randint(1, 9) if kind in RESCUE_KINDS else 0
        rows.append(
            NgoActivity(
                ngo=ngo,
                kind=kind,
                campaign=campaigns[KIND_CAMPAIGN[kind]],
                district=district,
                station=station if rng.random() < 0.7 else None,
                held_on=held_on,
                place=f"{station.name} area",
                persons_reached=rng.randint(25, 180) if not rescued else rng.randint(0, 20),
                persons_rescued=rescued,
                description="",
                recorded_by=coordinator,
                verified_by=verifier if verified else None,
                verified_at=timezone.now() - timedelta(days=max(1, (today - held_on).days - 3))
                if verified
                else None,
                verification_note="Confirmed with the station." if verified else "",
                client_token=demo_token("ngo-activity", str(index)),
            )
        )
    NgoActivity.objects.bulk_create(rows)
    return len(rows)


# --- Awareness drives -------------------------------------------------------------------------


def _places(rng: random.Random, station: Station, count: int) -> list[tuple[str, str]]:
    """`count` distinct (place, audience) pairs in a station's area."""
    seen: set[str] = set()
    places = []
    while len(places) < count:
        girls = rng.random() < 0.55
        kind = rng.choice(GIRLS_PLACES if girls else WOMEN_PLACES)
        place = f"{kind}, {station.name} ward {rng.randint(1, 70)}"
        if place_key(place) in seen:
            continue
        seen.add(place_key(place))
        places.append((place, Audience.GIRL_STUDENTS if girls else Audience.WOMEN))
    return places


def _exact_split(rng: random.Random, sizes: list[int], total: int) -> list[int]:
    """Scale the raw sizes so they add up to exactly `total` (each stays at least 1)."""
    raw = sum(sizes)
    scaled = [size * total // raw for size in sizes]  # each floor loses less than one
    short = total - sum(scaled)
    if min(scaled) < 1 or not 0 <= short < len(scaled):
        raise ValueError("The raw sizes cannot be scaled to this total.")
    order = list(range(len(scaled)))
    rng.shuffle(order)
    for i in order[:short]:
        scaled[i] += 1
    return scaled


def _topics(rng: random.Random, audience: str) -> list[str]:
    pool = GIRLS_TOPICS if audience == Audience.GIRL_STUDENTS else WOMEN_TOPICS
    return [Topic.HELPLINES.value, *rng.sample(pool, rng.randint(1, min(3, len(pool))))]


def build_drives(
    stations: list[Station], campaign: Campaign | None, users: dict[str, Any]
) -> list[tuple[AwarenessDrive, list[str]]]:
    """The Varanasi drives: LOCATIONS distinct places, WOMEN_AND_GIRLS_REACHED people."""
    rng = random.Random(SEED + 2)
    codes = [s.code for s in stations]
    weights = [VARANASI_WEIGHTS.get(code, 2.0) for code in codes]
    per_station = Counter(rng.choices(codes, weights=weights, k=LOCATIONS))
    today = timezone.localdate()
    plan: list[tuple[Station, str, str]] = []
    for station in stations:
        places = _places(rng, station, per_station[station.code])
        repeats = [p for p in places if rng.random() < REPEAT_SHARE]
        plan += [(station, place, audience) for place, audience in places + repeats]
    sizes = [
        rng.randint(25, 90) if audience == Audience.GIRL_STUDENTS else rng.randint(12, 60)
        for _, _, audience in plan
    ]
    reached = _exact_split(rng, sizes, WOMEN_AND_GIRLS_REACHED)
    drives = []
    for index, ((station, place, audience), people) in enumerate(zip(plan, reached, strict=True)):
        drive = AwarenessDrive(
            station=station,
            held_on=today - timedelta(days=rng.randint(0, DRIVE_DAYS)),
            place=place,
            place_key=place_key(place),
            audience=audience,
            people_reached=people,
            campaign=campaign,
            recorded_by=users.get(station.code) or users["default"],
            client_token=demo_token("drive", str(index)),
        )
        drives.append((drive, _topics(rng, audience)))
    return drives


def build_ngo_drives(
    ngo: Ngo, campaign: Campaign | None, by: Any
) -> list[tuple[AwarenessDrive, list[str]]]:
    """A few Bhopal drives the demo NGO organised with the police under Sambal."""
    rng = random.Random(SEED + 3)
    stations = list(Station.objects.filter(district__code="BPL").order_by("code"))
    drives = []
    for index in range(9):
        station = rng.choice(stations)
        place = f"Basti meeting, {station.name} {rng.randint(1, 30)}"
        drive = AwarenessDrive(
            station=station,
            held_on=timezone.localdate() - timedelta(days=rng.randint(5, 150)),
            place=place,
            place_key=place_key(place),
            organiser_ngo=ngo,
            audience=rng.choice([Audience.WOMEN, Audience.MIXED]),
            people_reached=rng.randint(30, 120),
            campaign=campaign,
            recorded_by=by,
            client_token=demo_token("ngo-drive", str(index)),
        )
        drives.append((drive, [Topic.LEGAL_RIGHTS.value, Topic.HELPLINES.value]))
    return drives


def write_drives(drives: list[tuple[AwarenessDrive, list[str]]]) -> int:
    """bulk_create drives and their topics (skipped when the first one exists)."""
    if not drives or AwarenessDrive.objects.filter(client_token=drives[0][0].client_token).exists():
        return 0
    AwarenessDrive.objects.bulk_create([drive for drive, _ in drives], batch_size=1000)
    DriveTopic.objects.bulk_create(
        [DriveTopic(drive=drive, topic=topic) for drive, topics in drives for topic in topics],
        batch_size=2000,
    )
    return len(drives)


def seed(*, stdout: Any) -> None:
    """seed_demo hook: campaigns, NGOs, NGO activities and awareness drives (idempotent)."""
    with transaction.atomic():
        campaigns = seed_campaigns()
        ngo = seed_ngos()
        activities = seed_activities(ngo, campaigns) if ngo is not None else 0
        varanasi = list(Station.objects.filter(district__code="VNS").order_by("code"))
        users = {"VNS-CANTT": demo_user("demo_shakti"), "default": demo_user("demo_cp")}
        drives = write_drives(build_drives(varanasi, campaigns.get("mission-shakti-5"), users))
        if ngo is not None:
            drives += write_drives(
                build_ngo_drives(ngo, campaigns.get("sambal"), demo_user("demo_state"))
            )
        analyze(AwarenessDrive, DriveTopic, NgoActivity, Ngo)
    stdout.write(
        f"  outreach: {len(campaigns)} campaigns, {Ngo.objects.count()} NGOs, "
        f"{activities} NGO activities and {drives} awareness drives created"
    )
