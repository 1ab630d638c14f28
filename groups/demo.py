"""Demo community groups for `manage.py seed_demo` (idempotent: safe to run again).

- Nabadwip PS (Nadia): "Not Alone", the women's safety group of the field report: capacity
  250, about 50 members, a few nominations waiting for vetting, and a tout on Nadia's
  exclusion register whom one nominee matches by her name written in Bengali.
- Hathras Kotwali: a traders' and digital volunteers' group with two conduct incidents
  ("good morning" spam, an ID-card demand). Its IC login, demo_ic_hathras, is created here
  because the jurisdiction seed has no station login in Hathras.

Every row goes through groups.services, so the demo has real screening results, citizens,
memberships, invites (sandbox) and audit rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import Role, User
from accounts.services import create_posting
from groups import services
from groups.models import (
    CommunityGroup,
    ExclusionCategory,
    GroupKind,
    IncidentKind,
    Membership,
    Nomination,
    NominationSource,
)
from groups.texts import DEFAULT_RULES
from stations.models import Station

_NS = uuid.UUID("6f1d7a52-53a4-4c36-9d0e-5b1e0e3c2a11")

# Fifty women of Nabadwip (invented names, Bengali script), with demo mobile numbers.
_BN_FIRST = [
    "সুমিতা", "রুমা", "পায়েল", "মৌমিতা", "অনিতা", "তনুশ্রী", "চৈতালি", "রিয়া", "শম্পা", "মিতালী",
    "সোমা", "দীপা", "পূজা", "রাখি", "সঙ্গীতা", "বর্ণালী", "মধুমিতা", "শ্রাবন্তী", "প্রিয়াঙ্কা",
    "সুচিত্রা", "নাসরিন", "রুকসানা", "ফারহানা", "সাবিনা", "জয়ন্তী",
]  # fmt: skip
_BN_LAST = ["দাস", "ঘোষ", "সাহা", "মণ্ডল", "বিশ্বাস", "পাল", "সরকার", "দে", "রায়", "চক্রবর্তী"]
_BN_LOCALITIES = ["পোড়ামাতলা", "রাধাবাজার", "তেঘরিপাড়া", "প্রাচীন মায়াপুর", "বড়ালঘাট"]
NABADWIP_MEMBERS = [
    (f"{_BN_FIRST[i % 25]} {_BN_LAST[(i * 3 + i // 25) % 10]}", f"+9174320{i:05d}")
    for i in range(50)
]
NABADWIP_VOLUNTEER = ("মিঠু সাহা", "+917432090001", "civic_volunteer", "")
NABADWIP_PARTY_REP = ("গোপাল মণ্ডল", "+917432090002", "party_representative", "Ward 7 committee")
# The tout: on Nadia's register under a Latin name; a nominee below writes it in Bengali.
NADIA_TOUT_NAMES = ["Rekha Haldar", "Rekha Didi"]
NADIA_TOUT_PHONES = ["+917432099999"]
NADIA_TOUT_NOTE = (
    "Takes money from women to 'get complaints registered' at Nabadwip PS; warned twice in "
    "the station lobby (GD entries 1142 and 1310 of 2025)."
)
NABADWIP_PENDING = [
    # (name, phone, source, nominator, locality)
    ("শ্রেয়া বসু", "+917432080001", "civic_volunteer", NABADWIP_VOLUNTEER, "রাধাবাজার"),
    ("রেখা হালদার", "+917432080002", "party_representative", NABADWIP_PARTY_REP, "বড়ালঘাট"),
    ("তানিয়া খাতুন", "+917432080003", "self_application", None, "তেঘরিপাড়া"),
    ("পূজা দেবনাথ", "+917432080004", "officer", None, "পোড়ামাতলা"),
]
NABADWIP_REJECTED = ("কাকলি সেন", "+917432080005", "Lives in Krishnanagar, outside the area.")

HATHRAS_IC = {
    "username": "demo_ic_hathras",
    "first_name": "सुरेंद्र",
    "last_name": "यादव",
    "rank": "Inspector (SHO), Kotwali Hathras",
}
HATHRAS_MEMBERS = [
    ("राजेश अग्रवाल", "+917500100001", "किला गेट"),
    ("सुनील वार्ष्णेय", "+917500100002", "बागला मार्केट"),
    ("मुकेश वार्ष्णेय", "+917500100003", "नयागंज"),
    ("अनिल गुप्ता", "+917500100004", "घंटाघर"),
    ("पवन माहेश्वरी", "+917500100005", "सर्राफा बाज़ार"),
    ("दीपक शर्मा", "+917500100006", "तमकुआं"),
    ("फ़ैज़ान क़ुरैशी", "+917500100007", "नयागंज"),
    ("संजय जैन", "+917500100008", "बागला मार्केट"),
    ("रीना सिंह", "+917500100009", "आगरा रोड"),
    ("विकास बंसल", "+917500100010", "किला गेट"),
    ("अमित कुमार", "+917500100011", "रेलवे रोड"),
    ("नीलम वर्मा", "+917500100012", "घंटाघर"),
]
HATHRAS_INCIDENTS = [
    (
        "+917500100003",
        IncidentKind.GREETING_SPAM,
        "Posted 'सुप्रभात' images every morning for a week despite the admins' request.",
    ),
    (
        "+917500100011",
        IncidentKind.ID_CARD,
        "Asked in the group for a 'police volunteer' ID card to show at the mandi.",
    ),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _group(station: Station, name: str, by: User, **fields: Any) -> CommunityGroup:
    existing = CommunityGroup.objects.filter(station=station, name=name).first()
    if existing is not None:
        return existing
    return services.create_group(unit=station, by=by, name=name, **fields)


def _seat(group: CommunityGroup, name: str, phone: str, by: User, **fields: Any) -> None:
    """Nominate and approve one member unless the person is already known to the group."""
    if Nomination.objects.filter(group=group, nominee_phone=phone).exists():
        return
    fields.setdefault("source", NominationSource.OFFICER)
    nomination = services.submit_nomination(
        group=group, nominee_name=name, nominee_phone=phone, nominee_consent=True, by=by, **fields
    )
    services.approve_nomination(nomination=nomination, by=by)


def _nominator(details: tuple[str, str, str, str] | None) -> services.NominatorDetails | None:
    if details is None:
        return None
    name, phone, kind, organisation = details
    return services.NominatorDetails(kind=kind, name=name, phone=phone, organisation=organisation)


def _rules(language: str) -> str:
    with translation.override(language):
        return str(DEFAULT_RULES)


def seed_nabadwip(ic: User, officer: User | None) -> CommunityGroup:
    station = Station.objects.get(code="NDA-NABADWIP")
    group = _group(
        station,
        "Not Alone",
        ic,
        kind=GroupKind.WOMEN_SAFETY,
        rules_text=_rules("bn"),
        purpose="নবদ্বীপ থানা এলাকার মহিলাদের জন্য: ইভটিজিং, ছিনতাই বা হয়রানির মুহূর্তে সরাসরি থানার সাহায্য।",
        capacity=250,
        invite_link="https://chat.whatsapp.com/DemoNotAloneNabadwip",
        accepts_applications=True,
        admins=[officer] if officer else [],
    )
    services.save_exclusion_entry(
        district=station.district,
        by=ic,
        category=ExclusionCategory.TOUT,
        names=NADIA_TOUT_NAMES,
        phones=NADIA_TOUT_PHONES,
        note=NADIA_TOUT_NOTE,
        request_token=uuid.uuid5(_NS, "nadia-tout"),
    )
    volunteer = _nominator(NABADWIP_VOLUNTEER)
    for index, (name, phone) in enumerate(NABADWIP_MEMBERS):
        by_volunteer = index % 3 == 0
        _seat(
            group,
            name,
            phone,
            ic,
            source="civic_volunteer" if by_volunteer else "officer",
            nominator_details=volunteer if by_volunteer else None,
            nominee_language="bn",
            nominee_locality=_BN_LOCALITIES[index % len(_BN_LOCALITIES)],
        )
    for name, phone, source, nominator, locality in NABADWIP_PENDING:
        if Nomination.objects.filter(group=group, nominee_phone=phone).exists():
            continue
        services.submit_nomination(
            group=group,
            source=source,
            nominee_name=name,
            nominee_phone=phone,
            nominee_consent=True,
            nominee_language="bn",
            nominee_locality=locality,
            nominator_details=_nominator(nominator),
            by=None if source == "self_application" else ic,
        )
    name, phone, reason = NABADWIP_REJECTED
    if not Nomination.objects.filter(group=group, nominee_phone=phone).exists():
        rejected = services.submit_nomination(
            group=group,
            source="party_representative",
            nominee_name=name,
            nominee_phone=phone,
            nominee_consent=True,
            nominee_language="bn",
            nominator_details=_nominator(NABADWIP_PARTY_REP),
            by=ic,
        )
        services.reject_nomination(nomination=rejected, by=ic, reason=reason)
    return group


def _hathras_ic(station: Station) -> User:
    user = _user(HATHRAS_IC["username"])
    if user is None:
        user = User(
            username=HATHRAS_IC["username"],
            first_name=HATHRAS_IC["first_name"],
            last_name=HATHRAS_IC["last_name"],
            rank=HATHRAS_IC["rank"],
            preferred_language="hi",
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    if not user.postings.filter(role=Role.STATION_IC, station=station).exists():
        create_posting(user=user, role=Role.STATION_IC, unit=station, by=None)
    return user


def seed_hathras() -> CommunityGroup:
    station = Station.objects.get(code="HTS-KOTWALI")
    ic = _hathras_ic(station)
    group = _group(
        station,
        "कोतवाली व्यापारी एवं डिजिटल वॉलंटियर",
        ic,
        kind=GroupKind.TRADERS,
        rules_text=_rules("hi"),
        purpose="घटना की सूचना तुरंत थाने तक, और आपात स्थिति में सही जानकारी सब तक।",
        capacity=256,
        invite_link="https://chat.whatsapp.com/DemoKotwaliHathras",
    )
    for name, phone, locality in HATHRAS_MEMBERS:
        _seat(group, name, phone, ic, nominee_language="hi", nominee_locality=locality)
    for phone, kind, description in HATHRAS_INCIDENTS:
        membership = Membership.objects.filter(
            group=group, citizen__phone=phone, status="active"
        ).first()
        if membership is None:
            continue
        services.log_incident(
            membership=membership,
            by=ic,
            kind=kind,
            occurred_on=timezone.localdate(),
            description=description,
            request_token=uuid.uuid5(_NS, f"incident-{phone}-{kind}"),
        )
    return group


def seed(*, stdout: Any) -> None:
    """seed_demo hook: the Nabadwip and Hathras groups (skipped without the demo logins)."""
    ic = _user("demo_ic")
    if ic is None:
        stdout.write("  community groups: skipped (no demo_ic login)")
        return
    before = Nomination.objects.count()
    nabadwip = seed_nabadwip(ic, _user("demo_officer"))
    hathras = seed_hathras()
    nabadwip.refresh_from_db()
    hathras.refresh_from_db()
    stdout.write(
        f"  community groups: {nabadwip.name} ({nabadwip.seats_taken} members), "
        f"{hathras.name} ({hathras.seats_taken} members); "
        f"{Nomination.objects.count() - before} nominations created"
    )
