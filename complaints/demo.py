"""Demo anti-Romeo register for ``manage.py seed_demo``: the Varanasi review's figures.

Across the Varanasi Commissionerate's stations (city stations busier, per
stations.demo.VARANASI_WEIGHTS), exactly:
* 94 cases registered (94 distinct FIRs);
* 123 accused arrested, each linked to one of those FIRs (some cases have several accused,
  arrested on the spot or in a later action);
* 659 persons detained and proceeded against under BNSS 126/135/170 (split across sections);
plus youths warned and counselled with their parents (not part of those figures).

Deterministic (random.Random with a fixed seed) and idempotent: every action carries a fixed
client token, and nothing is added when the first one exists. Dates fall in the 240 days before
the day of seeding. Rows are written with bulk_create (a few thousand rows in well under a
second).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from complaints.models import (
    BnssSection,
    PersonOutcome,
    RomeoAction,
    RomeoActionType,
    RomeoCase,
    RomeoPerson,
)
from stations.demo import VARANASI_WEIGHTS, analyze, demo_token, demo_user, seed_hotspots
from stations.models import Hotspot, Station

SEED = 20260602
CASES = 94
ACCUSED = 123
DETAINED = 659
WARNED = 212
SECTION_WEIGHTS = {BnssSection.S126: 0.46, BnssSection.S135: 0.22, BnssSection.S170: 0.32}
DAYS = 240

FIRST_NAMES = [
    "Rahul", "Aman", "Vikas", "Sonu", "Monu", "Deepak", "Ajay", "Ravi", "Sunny", "Rohit",
    "Arjun", "Imran", "Sahil", "Golu", "Raju", "Pintu", "Suraj", "Anil", "Manish", "Akash",
    "Shivam", "Aditya", "Faizan", "Nitin", "Gaurav", "Ankit", "Saurabh", "Vishal", "Dharmendra",
]  # fmt: skip
SURNAME_INITIALS = "KSYPMGVRTC"
PLACES = [
    "{loc} chauraha",
    "Near the girls' inter college, {loc}",
    "{loc} market",
    "Bus stop, {loc}",
    "Coaching lane, {loc}",
    "Park, {loc}",
    "Ghat road, {loc}",
    "Degree college gate, {loc}",
]
BNS_SECTIONS = ["78", "79", "74, 78", "75", "78, 351(2)", "74, 79"]


@dataclass
class Plan:
    """What to write: actions, and per action its FIR and persons."""

    actions: list[RomeoAction] = field(default_factory=list)
    cases: dict[int, RomeoCase] = field(default_factory=dict)  # action index -> case
    persons: list[tuple[int, RomeoPerson, int | None]] = field(default_factory=list)
    # (action index, person, index of the action whose case the person is arrested in)


def allocate(rng: random.Random, codes: list[str], total: int) -> Counter[str]:
    """`total` items spread over stations in proportion to their weights (exact total)."""
    weights = [VARANASI_WEIGHTS.get(code, 2.0) for code in codes]
    return Counter(rng.choices(codes, weights=weights, k=total))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAME_INITIALS)}."


class Builder:
    """Builds the plan row by row with one random generator, so it is always the same."""

    def __init__(self, rng: random.Random, stations: dict[str, Station], users: dict[str, Any]):
        self.rng = rng
        self.stations = stations
        self.users = users
        self.today = timezone.localdate()
        self.hotspots: dict[int, list[Hotspot]] = {}
        self.plan = Plan()
        self.fir_serial: Counter[tuple[str, int]] = Counter()

    def day(self, earliest: date | None = None) -> date:
        start = earliest or self.today - timedelta(days=DAYS)
        span = max(0, (self.today - start).days)
        return start + timedelta(days=self.rng.randint(0, span))

    def action(self, code: str, kind: str, acted_on: date) -> int:
        station = self.stations[code]
        spots = self.hotspots.get(station.pk, [])
        hotspot = self.rng.choice(spots) if spots and self.rng.random() < 0.7 else None
        place = "" if hotspot else self.rng.choice(PLACES).format(loc=station.name)
        index = len(self.plan.actions)
        self.plan.actions.append(
            RomeoAction(
                station=station,
                acted_on=acted_on,
                squad=f"Anti-Romeo squad {self.rng.randint(1, 2)}, {station.name}",
                hotspot=hotspot,
                place=place,
                action_type=kind,
                recorded_by=self.users.get(code) or self.users["default"],
                client_token=demo_token("romeo", str(index)),
            )
        )
        return index

    def case(self, code: str) -> int:
        """An FIR registered by a new action; returns that action's index."""
        acted_on = self.day()
        index = self.action(code, RomeoActionType.CASE_REGISTERED, acted_on)
        # FIR numbers run on through the year; anti-Romeo FIRs are a few among many.
        self.fir_serial[(code, acted_on.year)] += self.rng.randint(3, 40)
        serial = 100 + self.fir_serial[(code, acted_on.year)]
        station = self.stations[code]
        self.plan.cases[index] = RomeoCase(
            station=station,
            fir_number=f"{serial:04d}/{acted_on.year}",
            cctns_number=f"1441{station.pk:04d}{acted_on.year}{serial:05d}",
            bns_sections=self.rng.choice(BNS_SECTIONS),
        )
        return index

    def person(self, action: int, outcome: str, case_action: int | None = None) -> None:
        section = ""
        if outcome == PersonOutcome.DETAINED:
            section = self.rng.choices(
                list(SECTION_WEIGHTS), weights=list(SECTION_WEIGHTS.values())
            )[0]
        person = RomeoPerson(
            outcome=outcome,
            bnss_section=section,
            name=_name(self.rng),
            age=self.rng.randint(17, 29),
            parents_present=outcome == PersonOutcome.WARNED and self.rng.random() < 0.9,
        )
        self.plan.persons.append((action, person, case_action))


def build_plan(stations: dict[str, Station], users: dict[str, Any]) -> Plan:
    """The whole demo register, from one seeded random generator."""
    rng = random.Random(SEED)
    builder = Builder(rng, stations, users)
    for hotspot in Hotspot.objects.filter(station__in=stations.values(), is_active=True):
        builder.hotspots.setdefault(hotspot.station_id, []).append(hotspot)
    codes = sorted(stations)
    case_actions = [
        builder.case(code)
        for code, n in sorted(allocate(rng, codes, CASES).items())
        for _ in range(n)
    ]
    accused = Counter(case_actions) + Counter(rng.choices(case_actions, k=ACCUSED - CASES))
    for case_action, count in sorted(accused.items()):
        registered = builder.plan.actions[case_action]
        target = case_action
        if rng.random() > 0.55:  # arrested later, in an action of their own
            target = builder.action(
                registered.station.code,
                RomeoActionType.ACCUSED_ARRESTED,
                builder.day(earliest=registered.acted_on),
            )
        for _ in range(count):
            builder.person(target, PersonOutcome.ARRESTED, case_action)
    _groups(builder, codes, DETAINED, RomeoActionType.PREVENTIVE, PersonOutcome.DETAINED, 7)
    _groups(builder, codes, WARNED, RomeoActionType.WARNED, PersonOutcome.WARNED, 4)
    return builder.plan


def _groups(
    builder: Builder, codes: list[str], total: int, kind: str, outcome: str, most: int
) -> None:
    """`total` persons per station allocation, in actions of 1..`most` persons each."""
    for code, count in sorted(allocate(builder.rng, codes, total).items()):
        while count:
            size = min(count, builder.rng.randint(1, most))
            action = builder.action(code, kind, builder.day())
            for _ in range(size):
                builder.person(action, outcome)
            count -= size


def write_plan(plan: Plan) -> int:
    """bulk_create the actions, their FIRs and persons; returns the number of actions."""
    RomeoAction.objects.bulk_create(plan.actions)
    for index, case in plan.cases.items():
        case.action = plan.actions[index]
    RomeoCase.objects.bulk_create(plan.cases.values())
    persons = []
    for action_index, person, case_action in plan.persons:
        person.action = plan.actions[action_index]
        person.case = plan.cases[case_action] if case_action is not None else None
        persons.append(person)
    RomeoPerson.objects.bulk_create(persons)
    return len(plan.actions)


def seed(*, stdout: Any) -> None:
    """seed_demo hook: the Varanasi anti-Romeo register (idempotent)."""
    if RomeoAction.objects.filter(client_token=demo_token("romeo", "0")).exists():
        stdout.write("  anti-Romeo register: demo data already in place")
        seed_complaints(stdout=stdout)
        return
    stations = {s.code: s for s in Station.objects.filter(district__code="VNS")}
    if not stations:
        return
    users = {"VNS-CANTT": demo_user("demo_shakti"), "default": demo_user("demo_cp")}
    with transaction.atomic():
        seed_hotspots()  # Cantt's hotspots are places in the register
        created = write_plan(build_plan(stations, users))
        analyze(RomeoAction, RomeoCase, RomeoPerson)
    stdout.write(
        f"  anti-Romeo register: {created} actions, {CASES} FIRs, {ACCUSED} accused arrested, "
        f"{DETAINED} persons detained (BNSS 126/135/170) in Varanasi"
    )
    seed_complaints(stdout=stdout)


def seed_complaints(*, stdout: Any) -> None:
    """The Mission Shakti complaints of Varanasi (complaints.casework_demo; idempotent)."""
    from complaints import casework_demo

    casework_demo.seed(stdout=stdout, fallback=demo_user("demo_shakti") or demo_user("demo_cp"))
