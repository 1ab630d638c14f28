"""Demo Mission Shakti complaints for Varanasi (``manage.py seed_demo``, through complaints.demo).

The review (CONTEXT.md §3) says 255 matters were settled by counselling and families reunited;
here exactly SETTLED = 255 distinct Varanasi complaints carry a counselling session with the
outcome `reconciled` or `family_reunited`. Around them, realistic casework: complaints of every
category, closed within the SLA and late, pending, overdue and escalated, withdrawn,
transferred, a few SOS; other counselling outcomes (referred, FIR advised, no settlement) with
referrals and their follow-ups, FIRs on complaints with arrests, closures with the
complainant's feedback. Victims are fictional and stored encrypted like any identity.

Spread over the stations with stations.demo.VARANASI_WEIGHTS (as the anti-Romeo register is)
and over the same DAYS-long period. Deterministic (fixed seed) and idempotent: every complaint
carries a fixed client token and nothing is added when the first exists. Tracking numbers
continue each station's counter, which is moved on so later complaints never collide. These
FIRs live in FirRegistration, apart from the anti-Romeo RomeoCase figures.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import STATION_ROLES, Posting
from complaints import services
from complaints.demo import DAYS, allocate
from complaints.models import (
    FINAL_FOLLOW_UP_OUTCOMES,
    Arrest,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintClosure,
    ComplaintEvent,
    ComplaintPriority,
    ComplaintStatus,
    CounsellingOutcome,
    CounsellingSession,
    EscalationLevel,
    Feedback,
    FirRegistration,
    FollowUpOutcome,
    Referral,
    ReferralFollowUp,
    ReferralKind,
    TrackingCounter,
    VictimIdentity,
)
from stations.demo import analyze, demo_token
from stations.models import Station

SEED = 20261122
SETTLED = 255  # reconciled / family reunited through counselling (the review's figure)
REFERRED = 44
FIR_ADVISED = 31
NO_SETTLEMENT = 27
OTHER = 390  # complaints without counselling
SOS = 3

FIRST_NAMES = [
    "Anjali", "Pooja", "Sunita", "Rekha", "Neha", "Priya", "Kavita", "Seema", "Meena", "Nisha",
    "Shabnam", "Ruksar", "Farzana", "Geeta", "Suman", "Lalita", "Khushboo", "Sapna", "Rani",
    "Preeti", "Aarti", "Jyoti", "Savitri", "Kiran", "Mamta", "Saba", "Uzma", "Radha", "Sita",
]  # fmt: skip
SURNAMES = ["Devi", "Kumari", "Yadav", "Patel", "Maurya", "Gupta", "Bano", "Khatoon", "Singh"]
LOCALITIES = ["Lane", "Mohalla", "Colony", "Basti", "Nagar", "Tola"]

DESCRIPTIONS: dict[str, list[str]] = {
    "domestic_violence": [
        "Beaten by the husband after drinking; asks for counselling before any case.",
        "Husband and in-laws quarrel daily and threatened to throw her out of the house.",
        "Husband stopped giving money for the children and abuses her in front of neighbours.",
    ],
    "dowry_harassment": [
        "In-laws demand a motorcycle and cash as dowry, taunt and harass her daily.",
        "Sent back to her parents' house until a further dowry demand is met.",
    ],
    "missing_person": [
        "Daughter aged 17 left home after a quarrel and has not returned since the evening.",
        "Wife left for her parents' village without informing anyone; family worried.",
    ],
    "eve_teasing": [
        "Youths on a motorcycle pass remarks every day near the coaching lane.",
        "A group at the chauraha whistles and comments at girls going to college.",
    ],
    "stalking": [
        "A youth follows her from the college gate to her house for two weeks.",
        "A former acquaintance keeps calling from new numbers and waits outside her office.",
    ],
    "molestation": ["Touched inappropriately in a crowded tempo; the man got off and ran away."],
    "sexual_assault": ["Assaulted by an acquaintance; medical examination arranged."],
    "cyber_harassment": [
        "Morphed photographs posted on a fake social media profile.",
        "Receives obscene messages from an unknown number on WhatsApp.",
    ],
    "cyber_fraud": ["Lost money to a caller who claimed to be from the bank and asked for an OTP."],
    "snatching": ["Chain snatched by two men on a motorcycle near the ghat road."],
    "child_related": ["A minor girl is being kept from school and made to work at home."],
    "trafficking": ["Suspicion that a girl from the basti was taken away with a job offer."],
    "other": ["Neighbours threaten and abuse her over a water dispute."],
}
# Categories of the complaints that counselling settled, with weights.
SETTLED_CATEGORIES = {
    "domestic_violence": 46,
    "dowry_harassment": 20,
    "missing_person": 16,
    "eve_teasing": 6,
    "child_related": 5,
    "other": 7,
}
# Categories of complaints handled without counselling, with weights.
OTHER_CATEGORIES = {
    "eve_teasing": 18,
    "stalking": 14,
    "molestation": 8,
    "sexual_assault": 3,
    "cyber_harassment": 14,
    "cyber_fraud": 12,
    "snatching": 10,
    "domestic_violence": 8,
    "trafficking": 1,
    "other": 12,
}
FIR_SECTIONS = {
    "domestic_violence": ["85", "115(2)", "351(2)"],
    "dowry_harassment": ["85", "351(2)"],
    "eve_teasing": ["79", "75"],
    "stalking": ["78", "351(2)"],
    "molestation": ["74", "75"],
    "sexual_assault": ["64(1)", "351(2)"],
    "cyber_harassment": ["78", "79", "356"],
    "cyber_fraud": ["318(4)", "319(2)"],
    "snatching": ["304", "3(5)"],
    "trafficking": ["143", "3(5)"],
    "child_related": ["96", "351(2)"],
    "missing_person": ["137(2)"],
    "other": ["115(2)", "351(2)"],
}
ACCUSED_ROLES = {
    "domestic_violence": ["husband", "husband's brother"],
    "dowry_harassment": ["husband", "mother-in-law", "father-in-law"],
    "stalking": ["youth of the locality", "former acquaintance"],
    "eve_teasing": ["youth on a motorcycle"],
    "molestation": ["tempo passenger"],
    "sexual_assault": ["acquaintance"],
    "snatching": ["motorcycle rider", "pillion rider"],
}
PARTIES = {
    "domestic_violence": "complainant, husband, mother-in-law",
    "dowry_harassment": "complainant, husband, in-laws, complainant's father",
    "missing_person": "girl, parents",
    "child_related": "child, parents, teacher",
}


@dataclass
class Case:
    """One planned complaint and what happens on it."""

    complaint: Complaint
    identity: VictimIdentity
    registered: datetime
    counselling: list[tuple[date, str, date | None]] = field(default_factory=list)
    referral: tuple[str, date, date, str, date | None] | None = None
    fir: tuple[date, list[str]] | None = None
    arrests: list[tuple[str, date, str]] = field(default_factory=list)
    closure: tuple[str, str, str] | None = None  # summary, feedback, remarks
    events: list[tuple[str, str, str, str, datetime]] = field(default_factory=list)


class Planner:
    """Builds every case with one seeded random generator, so it is always the same."""

    def __init__(self, stations: dict[str, Station], officers: dict[int, list[Any]], fallback):  # type: ignore[no-untyped-def]
        self.rng = random.Random(SEED)
        self.stations = stations
        self.officers = officers
        self.fallback = fallback
        self.today = timezone.localdate()
        self.cases: list[Case] = []
        self.sla: dict[str, int] = {c: services.sla_days(c) for c in ComplaintCategory.values}

    # --- helpers -----------------------------------------------------------------------------
    def _moment(self, day: date) -> datetime:
        """A daytime moment of the day, never later than now."""
        clock = time(self.rng.randint(8, 19), self.rng.randint(0, 59))
        moment = timezone.make_aware(datetime.combine(day, clock))
        return min(moment, timezone.now() - timedelta(minutes=self.rng.randint(5, 90)))

    def _day(self, earliest_days_ago: int = DAYS, latest_days_ago: int = 0) -> date:
        return self.today - timedelta(days=self.rng.randint(latest_days_ago, earliest_days_ago))

    def _between(self, start: date, end: date) -> date:
        """A day from start to end, neither after today."""
        start = min(start, self.today)
        end = max(start, min(end, self.today))
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _officer(self, station: Station) -> Any:
        staff = self.officers.get(station.pk)
        return self.rng.choice(staff) if staff else None

    def _identity(self) -> dict[str, str]:
        rng = self.rng
        return {
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            "phone": f"+91{rng.choice('6789')}{rng.randint(100000000, 999999999)}",
            "address": (
                f"House {rng.randint(1, 240)}, {rng.choice(LOCALITIES)} {rng.randint(1, 30)}"
            ),
        }

    def new(
        self, code: str, category: str, day: date, *, channel: str = "", sos: bool = False
    ) -> Case:
        station = self.stations[code]
        registered = self._moment(day)
        due = (
            day
            if sos
            else services.add_working_days(day, self.sla.get(category, self.sla["other"]))
        )
        channel = channel or self.rng.choices(
            [ComplaintChannel.DESK, ComplaintChannel.PHONE, ComplaintChannel.WEB,
             ComplaintChannel.WHATSAPP, ComplaintChannel.GROUP_REPORT],
            weights=[55, 15, 10, 15, 5],
        )[0]  # fmt: skip
        complaint = Complaint(
            station=station,
            year=day.year,
            channel=channel,
            category=category,
            description=self.rng.choice(DESCRIPTIONS[category]),
            occurred_on=day - timedelta(days=self.rng.randint(0, 3)),
            priority=ComplaintPriority.URGENT
            if sos
            else self.rng.choices(["normal", "high"], weights=[80, 20])[0],
            is_sos=sos,
            due_on=due,
            client_token=demo_token("complaint", str(len(self.cases))),
            created_by=self._officer(station) or self.fallback,
        )
        identity = self._identity()
        case = Case(
            complaint=complaint,
            identity=VictimIdentity(
                name=identity["name"],
                phone=identity["phone"],
                address=identity["address"],
                phone_hash=services.phone_lookup_hash(identity["phone"]),
            ),
            registered=registered,
        )
        case.events.append(("registered", "", "received", "", registered))
        self.cases.append(case)
        return case

    def assign(self, case: Case, status: str) -> None:
        """Give it an officer (if the station has one) and an enquiry status."""
        complaint = case.complaint
        complaint.assigned_to = self._officer(complaint.station)
        when = case.registered + timedelta(hours=self.rng.randint(1, 20))
        if complaint.assigned_to is not None:
            case.events.append(("assigned", "received", "assigned", "", when))
        if status == ComplaintStatus.UNDER_ENQUIRY:
            case.events.append(("status", "assigned", "under_enquiry", "", when))
        complaint.status = status if complaint.assigned_to or status != "assigned" else "received"

    def close(self, case: Case, on: date, summary: str, feedback: str, remarks: str = "") -> None:
        complaint = case.complaint
        previous = complaint.status
        complaint.status = ComplaintStatus.CLOSED
        complaint.closed_at = self._moment(on)
        if complaint.closed_at <= case.registered:
            complaint.closed_at = case.registered + timedelta(hours=self.rng.randint(2, 8))
        case.closure = (summary, feedback, remarks)
        label = str(Feedback(feedback).label)
        case.events.append(("closed", previous, "closed", label, complaint.closed_at))

    def feedback(self, good: float) -> str:
        roll = self.rng.random()
        if roll < good:
            return Feedback.SATISFIED
        if roll < good + (1 - good) * 0.5:
            return Feedback.PARTLY
        if roll < good + (1 - good) * 0.8:
            return Feedback.NOT_SATISFIED
        return Feedback.NOT_GIVEN

    def session(self, case: Case, held: date, outcome: str, follow_up: date | None = None) -> None:
        case.counselling.append((held, outcome, follow_up))
        label = str(CounsellingOutcome(outcome).label)
        moved = case.complaint.status == ComplaintStatus.UNDER_ENQUIRY
        case.events.append(
            (
                "counselling",
                "under_enquiry" if moved else "",
                "counselling" if moved else "",
                label,
                self._moment(held),
            )
        )
        if moved:
            case.complaint.status = ComplaintStatus.COUNSELLING

    def register_fir(self, case: Case, on: date) -> None:
        sections = list(FIR_SECTIONS[case.complaint.category])
        case.fir = (on, sections)
        previous = case.complaint.status
        case.complaint.status = ComplaintStatus.ACTION_TAKEN
        case.events.append(("fir", previous, "action_taken", ", ".join(sections), self._moment(on)))
        roles = ACCUSED_ROLES.get(case.complaint.category)
        if roles and self.rng.random() < 0.7:
            for role in self.rng.sample(roles, k=self.rng.randint(1, len(roles))):
                when = self._between(on, on + timedelta(days=20))
                section = sections[0]
                case.arrests.append((role, when, section))
                case.events.append(("arrest", "", "", f"{role}, BNS {section}", self._moment(when)))

    # --- the plan ----------------------------------------------------------------------------
    def build(self) -> None:
        codes = sorted(self.stations)
        rng = self.rng
        for code, count in sorted(allocate(rng, codes, SETTLED).items()):
            for _ in range(count):
                self._settled(code)
        for outcome, total in (
            (CounsellingOutcome.REFERRED, REFERRED),
            (CounsellingOutcome.FIR_ADVISED, FIR_ADVISED),
            (CounsellingOutcome.NO_SETTLEMENT, NO_SETTLEMENT),
        ):
            for code, count in sorted(allocate(rng, codes, total).items()):
                for _ in range(count):
                    self._counselled(code, outcome)
        for code, count in sorted(allocate(rng, codes, OTHER).items()):
            for _ in range(count):
                self._other(code)
        busiest = max(codes, key=lambda c: (c == "VNS-CANTT", c))
        for index in range(SOS):
            self._sos(busiest if index == 0 else rng.choice(codes), recent=index == 0)

    def _settled(self, code: str) -> None:
        category = self._pick(SETTLED_CATEGORIES)
        case = self.new(code, category, self._day(DAYS, 3))
        self.assign(case, ComplaintStatus.UNDER_ENQUIRY)
        day = case.registered.date()
        held = self._between(day, day + timedelta(days=self.rng.choice([0, 1, 1, 2])))
        if self.rng.random() < 0.2:  # a first session without settlement
            self.session(case, held, CounsellingOutcome.NO_SETTLEMENT, held + timedelta(days=7))
            held = self._between(held + timedelta(days=5), held + timedelta(days=14))
        outcome = (
            CounsellingOutcome.FAMILY_REUNITED
            if category in {"missing_person", "child_related"} or self.rng.random() < 0.12
            else CounsellingOutcome.RECONCILED
        )
        recent = (self.today - held).days < 20
        follow_up = held + timedelta(days=30) if recent or self.rng.random() < 0.4 else None
        self.session(case, held, outcome, follow_up)
        if not recent or self.rng.random() < 0.5:
            self.close(
                case,
                self._between(held, held + timedelta(days=self.rng.choice([0, 0, 1, 4]))),
                "Settled through counselling at the Mission Shakti centre; parties gave a "
                "written undertaking.",
                self.feedback(0.78),
            )

    def _counselled(self, code: str, outcome: str) -> None:
        category = self._pick(SETTLED_CATEGORIES)
        case = self.new(code, category, self._day(DAYS, 2))
        self.assign(case, ComplaintStatus.UNDER_ENQUIRY)
        day = case.registered.date()
        held = self._between(day + timedelta(days=1), day + timedelta(days=10))
        follow_up = held + timedelta(days=self.rng.randint(7, 21))
        self.session(case, held, outcome, follow_up)
        if outcome == CounsellingOutcome.REFERRED:
            kind = self.rng.choice(list(ReferralKind.values))
            if category == "child_related":
                kind = ReferralKind.CHILD_WELFARE
            done = follow_up <= self.today and self.rng.random() < 0.8
            result = (
                self.rng.choices(
                    [FollowUpOutcome.SUPPORTED, FollowUpOutcome.IN_PROGRESS,
                     FollowUpOutcome.DECLINED, FollowUpOutcome.NOT_REACHED],
                    weights=[60, 20, 10, 10],
                )[0]
                if done
                else FollowUpOutcome.PENDING
            )  # fmt: skip
            followed = self._between(follow_up, follow_up + timedelta(days=3)) if done else None
            case.referral = (kind, held, follow_up, result, followed)
            case.events.append(
                ("referral", "", "", str(ReferralKind(kind).label), self._moment(held))
            )
            if followed:
                note = f"{ReferralKind(kind).label}: {FollowUpOutcome(result).label}"
                case.events.append(("follow_up", "", "", note, self._moment(followed)))
            if done and result == FollowUpOutcome.SUPPORTED and self.rng.random() < 0.7:
                assert followed is not None
                self.close(
                    case,
                    self._between(followed, followed + timedelta(days=5)),
                    "Referred for support; the victim received it and asked to close.",
                    self.feedback(0.7),
                )
        elif outcome == CounsellingOutcome.FIR_ADVISED:
            self.register_fir(case, self._between(held, held + timedelta(days=2)))
            if self.rng.random() < 0.5 and case.complaint.status == "action_taken":
                last = max([held] + [a[1] for a in case.arrests])
                self.close(
                    case,
                    self._between(last, last + timedelta(days=10)),
                    "FIR registered and accused arrested; investigation continues in the FIR.",
                    self.feedback(0.6),
                )
        # no settlement: still in counselling, often overdue and escalated

    def _other(self, code: str) -> None:
        category = self._pick(OTHER_CATEGORIES)
        roll = self.rng.random()
        if roll < 0.13:  # pending, not yet due
            case = self.new(code, category, self._day(3, 0))
            self.assign(case, self.rng.choice(["received", "assigned", "under_enquiry"]))
            return
        case = self.new(code, category, self._day(DAYS, 8))
        sla_end = case.complaint.due_on
        day = case.registered.date()
        if roll < 0.23:  # overdue, still open, escalated
            self.assign(case, self.rng.choice(["assigned", "under_enquiry"]))
            return
        self.assign(case, ComplaintStatus.UNDER_ENQUIRY)
        if roll < 0.26:
            case.events.append(("status", "under_enquiry", "withdrawn", "", self._moment(day)))
            case.complaint.status = ComplaintStatus.WITHDRAWN
            case.complaint.closed_at = case.registered + timedelta(days=2)
            return
        if roll < 0.28:
            case.events.append(("status", "under_enquiry", "transferred", "", self._moment(day)))
            case.complaint.status = ComplaintStatus.TRANSFERRED
            return
        if category in {"sexual_assault", "molestation", "trafficking"} or roll < 0.40:
            self.register_fir(case, self._between(day, day + timedelta(days=3)))
            if self.rng.random() < 0.45:
                return  # action taken, investigation on
        late = self.rng.random() < 0.22
        closed_on = (
            self._between(sla_end + timedelta(days=1), sla_end + timedelta(days=25))
            if late
            else self._between(day + timedelta(days=1), sla_end)
        )
        if closed_on > self.today or closed_on < day:
            closed_on = self._between(day, sla_end)
        self.close(
            case,
            closed_on,
            "Enquiry completed; the accused was warned and the complainant informed."
            if not case.fir
            else "FIR registered; investigation continues in the FIR.",
            self.feedback(0.55 if late else 0.72),
        )

    def _sos(self, code: str, *, recent: bool) -> None:
        day = self.today if recent else self._day(DAYS, 30)
        category = "domestic_violence" if recent else "eve_teasing"
        case = self.new(code, category, day, channel=ComplaintChannel.WHATSAPP, sos=True)
        self.assign(case, ComplaintStatus.UNDER_ENQUIRY)
        if not recent:
            self.close(
                case,
                day,
                "Squad reached within twenty minutes; the girl was escorted home safely.",
                Feedback.SATISFIED,
            )


def _officers(stations: dict[str, Station]) -> dict[int, list[Any]]:
    today = timezone.localdate()
    officers: dict[int, list[Any]] = defaultdict(list)
    postings = (
        Posting.objects.filter(station__in=stations.values(), role__in=list(STATION_ROLES))
        .exclude(ends_on__lt=today)
        .select_related("user")
        .order_by("station_id", "user_id")
    )
    for posting in postings:
        if posting.user.is_active and posting.user not in officers[posting.station_id]:
            officers[posting.station_id].append(posting.user)
    return officers


def _number(cases: list[Case]) -> None:
    """Tracking numbers in registration order, after each station-year's counter (moved on)."""
    wanted = Counter((c.complaint.station_id, c.complaint.year) for c in cases)
    table = TrackingCounter._meta.db_table
    start: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        for (station_id, year), count in sorted(wanted.items()):
            cursor.execute(
                f"""
                INSERT INTO {table} (station_id, year, last_sequence) VALUES (%s, %s, %s)
                ON CONFLICT (station_id, year)
                DO UPDATE SET last_sequence = {table}.last_sequence + EXCLUDED.last_sequence
                RETURNING last_sequence
                """,  # noqa: S608 - table name from model meta, values parameterised
                [station_id, year, count],
            )
            start[(station_id, year)] = int(cursor.fetchone()[0]) - count
    for case in sorted(cases, key=lambda c: (c.registered, c.complaint.client_token)):
        complaint = case.complaint
        key = (complaint.station_id, complaint.year)
        start[key] += 1
        complaint.sequence = start[key]
        complaint.tracking_number = f"{complaint.station.code}-{complaint.year}-{start[key]:05d}"


def _escalate(cases: list[Case], today: date) -> None:
    for case in cases:
        complaint = case.complaint
        if complaint.status in {"closed", "withdrawn", "transferred"} or complaint.due_on >= today:
            continue
        overdue_days = (today - complaint.due_on).days
        complaint.escalation_level = (
            EscalationLevel.DISTRICT if overdue_days > 2 else EscalationLevel.STATION_IC
        )
        complaint.escalated_at = timezone.make_aware(
            datetime.combine(complaint.due_on + timedelta(days=1), time(6, 0))
        )
        case.events.append(
            ("escalated", "", "", str(EscalationLevel.STATION_IC.label), complaint.escalated_at)
        )
        if complaint.escalation_level == EscalationLevel.DISTRICT:
            case.events.append(
                (
                    "escalated",
                    "",
                    "",
                    str(EscalationLevel.DISTRICT.label),
                    complaint.escalated_at + timedelta(days=2),
                )
            )


def write(planner: Planner) -> int:
    """bulk_create the complaints and all their casework; returns the number of complaints."""
    cases = planner.cases
    fallback = planner.fallback
    _number(cases)
    _escalate(cases, planner.today)
    complaints = [c.complaint for c in cases]
    Complaint.objects.bulk_create(complaints, batch_size=500)
    for case in cases:
        case.complaint.created_at = case.registered
        case.identity.complaint = case.complaint
    Complaint.objects.bulk_update(complaints, ["created_at"], batch_size=500)
    VictimIdentity.objects.bulk_create([c.identity for c in cases], batch_size=500)

    def actor(case: Case) -> Any:
        return case.complaint.assigned_to or fallback

    sessions = [
        CounsellingSession(
            complaint=case.complaint,
            held_on=held,
            parties=PARTIES.get(case.complaint.category, "complainant, opposite party"),
            outcome=outcome,
            follow_up_on=follow_up,
            recorded_by=actor(case),
        )
        for case in cases
        for held, outcome, follow_up in case.counselling
    ]
    CounsellingSession.objects.bulk_create(sessions, batch_size=500)
    serials: Counter[tuple[int, int]] = Counter()
    firs: dict[int, FirRegistration] = {}
    for index, case in enumerate(cases):
        if case.fir is None:
            continue
        on, sections = case.fir
        station = case.complaint.station
        serials[(station.pk, on.year)] += planner.rng.randint(2, 9)
        serial = 1000 + serials[(station.pk, on.year)]
        firs[index] = FirRegistration(
            complaint=case.complaint,
            station=station,
            fir_number=f"{serial:04d}/{on.year}",
            cctns_number=f"1441{station.pk:04d}{on.year}{serial:05d}",
            registered_on=on,
            bns_sections=sections,
            recorded_by=actor(case),
        )
    FirRegistration.objects.bulk_create(firs.values(), batch_size=500)
    Arrest.objects.bulk_create(
        [
            Arrest(
                complaint=case.complaint,
                fir=firs[index],
                accused_role=role,
                arrested_on=when,
                section=section,
                arrested_by=actor(case),
                recorded_by=actor(case),
            )
            for index, case in enumerate(cases)
            for role, when, section in case.arrests
        ],
        batch_size=500,
    )
    referrals, follow_ups = [], []
    today = timezone.localdate()
    shown_due = False  # demo_shakti (Varanasi Cantt) gets one referral whose follow-up is due
    for case in cases:
        if case.referral is None:
            continue
        kind, on, follow_up, result, followed = case.referral
        if (
            not shown_due
            and case.complaint.station.code == "VNS-CANTT"
            and result == FollowUpOutcome.PENDING
        ):
            follow_up = min(follow_up, max(on, today - timedelta(days=2)))
            shown_due = True
        # Support still being arranged, or a victim not reached, is followed up again.
        next_on = (
            None
            if followed is None or result in FINAL_FOLLOW_UP_OUTCOMES
            else followed + timedelta(days=7)
        )
        referral = Referral(
            complaint=case.complaint,
            kind=kind,
            agency="One Stop Centre, Varanasi" if kind == "one_stop_centre" else "",
            referred_on=on,
            follow_up_on=next_on or follow_up,
            follow_up_outcome=result,
            followed_up_on=followed,
            recorded_by=actor(case),
        )
        referrals.append(referral)
        if followed is not None:
            follow_ups.append(
                ReferralFollowUp(
                    referral=referral,
                    outcome=result,
                    followed_up_on=followed,
                    next_follow_up_on=next_on,
                    recorded_by=actor(case),
                )
            )
    Referral.objects.bulk_create(referrals, batch_size=500)
    ReferralFollowUp.objects.bulk_create(follow_ups, batch_size=500)
    closures = [
        ComplaintClosure(
            complaint=case.complaint,
            summary=case.closure[0],
            feedback=case.closure[1],
            feedback_remarks=case.closure[2],
            closed_by=actor(case),
        )
        for case in cases
        if case.closure is not None
    ]
    ComplaintClosure.objects.bulk_create(closures, batch_size=500)
    events = []
    for case in cases:
        for kind, from_status, to_status, note, _when in case.events:
            event = ComplaintEvent(
                complaint=case.complaint,
                kind=kind,
                actor=None if kind == "escalated" else actor(case),
                from_status=from_status,
                to_status=to_status,
                note=note[:500],
            )
            events.append(event)
    ComplaintEvent.objects.bulk_create(events, batch_size=1000)
    _restamp_events(cases, events)  # auto_now_add stamped them now; put the real moments back
    return len(complaints)


def _restamp_events(cases: list[Case], events: list[ComplaintEvent]) -> None:
    moments = [when for case in cases for *_, when in case.events]
    for event, when in zip(events, moments, strict=True):
        event.created_at = when
    ComplaintEvent.objects.bulk_update(events, ["created_at"], batch_size=1000)


def seed(*, stdout: Any, fallback: Any) -> None:
    """seed_demo hook (from complaints.demo.seed): the Varanasi complaints, idempotent."""
    if Complaint.objects.filter(client_token=demo_token("complaint", "0")).exists():
        stdout.write("  Mission Shakti complaints: demo data already in place")
        return
    stations = {s.code: s for s in Station.objects.filter(district__code="VNS", is_active=True)}
    if not stations or fallback is None:
        return
    planner = Planner(stations, _officers(stations), fallback)
    planner.build()
    with transaction.atomic():
        created = write(planner)
        analyze(Complaint, VictimIdentity, ComplaintEvent, CounsellingSession)
    stdout.write(
        f"  Mission Shakti complaints: {created} in Varanasi, {SETTLED} settled by counselling "
        "(reconciled / family reunited)"
    )
