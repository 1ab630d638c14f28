"""The access matrix: every route, every role, own / neighbour / foreign object.

The rows come from the URL resolver (HTML pages and the API alike), so a route added without a
row in ROUTES fails `test_every_route_has_a_row`. For each route the matrix states which roles
may use it on an object of their own station ("own"); for an object of another district of the
same state ("neighbour") only state HQ may; for an object of another state ("foreign") nobody
may. Denied means 403, 404 or a redirect to the login page; anything else on a foreign object
is a leak. List pages must not show a foreign object's marker text either.

Run with THANA_ACCESS_MATRIX_RECORD=1 to print the observed table (to review a new route).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role, User
from broadcasts import demo as broadcasts_demo
from broadcasts import lifecycle
from broadcasts.models import MessageTemplate, SandboxMessage
from complaints.models import UnroutedMessage
from groups import services as group_services
from groups.models import Membership, NominationSource
from outreach.models import DrivePhoto
from people.models import CitizenList, ImportJob
from reports.models import ReportExport
from stations.models import Station
from tests.factories import PostingFactory, UserFactory
from tests.factories.complaints import RomeoActionFactory
from tests.factories.complaints_intake import make_complaint
from tests.factories.fieldwork import (
    ActionItemFactory,
    HotspotFactory,
    ResourceAuditFactory,
    image_bytes,
)
from tests.factories.groups import ExclusionEntryFactory, GroupFactory
from tests.factories.outreach import AwarenessDriveFactory, NgoActivityFactory, NgoFactory
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db

CODES = {
    "S": Role.STATE_HQ,
    "D": Role.DISTRICT_HEAD,
    "C": Role.CYBER_CELL,
    "I": Role.STATION_IC,
    "O": Role.STATION_OFFICER,
    "M": Role.SHAKTI_INCHARGE,
    "N": Role.NGO_COORDINATOR,
}
ALL = "".join(CODES)
RECORD = os.environ.get("THANA_ACCESS_MATRIX_RECORD") == "1"


@dataclass(frozen=True)
class Row:
    """How one route is checked.

    kind: the object the route's `pk` names (None: a page without an object);
    own: the role codes allowed on their own station's object (or on the page);
    method: GET, or POST for routes that only change things;
    extra: further URL kwargs (e.g. an export format or an action slug).
    """

    kind: str | None
    own: str
    method: str = "GET"
    extra: dict[str, Any] = field(default_factory=dict)


PUBLIC = "public"  # reachable without logging in, by design; checked for "no 5xx" only

# Routes everybody may reach without a login, by design.
PUBLIC_ROUTES = {
    "healthz",
    "login",
    "logout",
    "set_language",
    "complaints:status_lookup",
    "complaints:public_complaint",
    "groups:apply",
    "groups:apply_done",
    "broadcasts:whatsapp_webhook",
}

ROUTES: dict[str, Row] = {
    "notifications:badge": Row(None, ALL),
    "notifications:list": Row(None, ALL),
    "notifications:panel": Row(None, ALL),
    "notifications:read_all": Row(None, ALL, method="POST"),
    "notifications:open": Row("notification", "I", method="POST"),  # the recipient's only
    "api-schema": Row(None, ALL),  # the API's map: every signed-in user, nobody else
    "api:complaints-arrest-create": Row("complaint", "IOM", method="POST"),
    "api:complaints-case-file": Row("complaint", "SDCIOM"),
    "api:complaints-close": Row("complaint", "IOM", method="POST"),
    "api:complaints-fir": Row("complaint", "IOM", method="POST"),
    "api:complaints-fir-correct": Row("complaint", "IOM", method="POST"),
    "api:complaints-referral-create": Row("complaint", "IOM", method="POST"),
    "api:complaints-referral-follow-up": Row("referral", "IOM", method="POST"),
    "api:complaints-sos-alert-list": Row(None, "SDCIOMN"),
    "api:complaints-unrouted-list": Row(None, "SDCIOMN"),
    "api:complaints-unrouted-route": Row("unrouted", "DM", method="POST"),
    "api:reports-review": Row(None, "SDCIOM"),
    "audit:export": Row(None, "SD"),
    "audit:identity_access": Row(None, "SD"),
    "audit:list": Row(None, "SD"),
    "complaints:complaint_arrest": Row("complaint", "IOM", method="POST"),
    "complaints:complaint_close": Row("complaint", "IOM", method="POST"),
    "complaints:complaint_fir": Row("complaint", "IOM", method="POST"),
    "complaints:complaint_reply": Row("complaint", "IOM", method="POST"),
    "complaints:complaint_fir_correct": Row("complaint", "IOM", method="POST"),
    "complaints:complaint_photo": Row("complaint", "IM", method="POST"),
    "complaints:complaint_referral": Row("complaint", "IOM", method="POST"),
    "complaints:referral_follow_up": Row("referral", "IOM", method="POST"),
    "complaints:referrals_due": Row(None, "SDCIOMN"),
    "complaints:unrouted_queue": Row(None, "DM"),
    "complaints:unrouted_route": Row("unrouted", "DM", method="POST"),
    "dashboard:state": Row(None, "S"),
    "dashboard:station": Row(None, "IOM"),
    "dashboard:station_returns": Row("station", "SDCIOM"),
    "people:list_detail": Row("citizen_list", "SDC"),
    "people:list_index": Row(None, "SDC"),
    "reports:export_download": Row("report_export", ""),
    "reports:export_status": Row("report_export", "D"),
    "reports:review": Row(None, "SDCIOM"),
    "reports:review_export": Row(None, "SDCIOM", extra={"fmt": "csv"}),
    "two_factor_backup_codes": Row(None, ""),
    "two_factor_setup": Row(None, "SDCIOMN"),
    "two_factor_verify": Row(None, "SDCIOMN"),
    "two_factor_resume": Row(None, "SDCIOMN"),
    "api:broadcasts-broadcast-action": Row(
        "broadcast", "DC", extra={"action": "cancel"}, method="POST"
    ),
    "api:broadcasts-broadcast-create": Row(None, "SDCIOMN", method="POST"),
    "api:broadcasts-broadcast-detail": Row("broadcast", "SDCIOM"),
    "api:broadcasts-broadcast-list": Row(None, "SDCIOMN"),
    "api:broadcasts-template-list": Row(None, "SDCIOMN"),
    "api:complaints-complaint-create": Row(None, "SDCIOMN", method="POST"),
    "api:complaints-complaint-detail": Row("complaint", "SDCIOM"),
    "api:complaints-complaint-list": Row(None, "SDCIOMN"),
    "api:complaints-enforcement-totals-list": Row(None, "SDCIOMN"),
    "api:complaints-romeo-action-create": Row(None, "SDCIOMN", method="POST"),
    "api:complaints-romeo-action-detail": Row("romeo_action", "SDCIOM"),
    "api:complaints-romeo-action-list": Row(None, "SDCIOMN"),
    "api:groups-group-detail": Row("group", "SDCIOM"),
    "api:groups-group-list": Row(None, "SDCIOMN"),
    "api:groups-membership-detail": Row("membership", "SDCIOM"),
    "api:groups-membership-list": Row("group", "SDCIOM"),
    "api:groups-nomination-approve": Row("nomination", "I", method="POST"),
    "api:groups-nomination-create": Row("group", "SDCIOM", method="POST"),
    "api:groups-nomination-detail": Row("nomination", "SDCIOM"),
    "api:groups-nomination-list": Row("group", "SDCIOM"),
    "api:groups-nomination-reject": Row("nomination", "SDCIOM", method="POST"),
    "api:me": Row(None, "SDCIOMN"),
    "api:outreach-activity-create": Row(None, "SDCIOMN", method="POST"),
    "api:outreach-activity-detail": Row("activity", "SDC"),
    "api:outreach-activity-list": Row(None, "SDCIOMN"),
    "api:outreach-activity-update": Row("activity", "SDC", method="POST"),
    "api:outreach-activity-verify": Row("activity", "SDC", method="POST"),
    "api:outreach-campaign-list": Row(None, "SDCIOMN"),
    "api:outreach-campaign-progress": Row(None, "SDCIOMN"),
    "api:outreach-drive-create": Row(None, "SDCIOMN", method="POST"),
    "api:outreach-drive-detail": Row("drive", "SDCIOM"),
    "api:outreach-drive-list": Row(None, "SDCIOMN"),
    "api:outreach-drive-totals": Row(None, "SDCIOMN"),
    "api:outreach-ngo-create": Row(None, "SDCIOMN", method="POST"),
    "api:outreach-ngo-detail": Row("ngo", "SDCIOM"),
    "api:outreach-ngo-list": Row(None, "SDCIOMN"),
    "api:people-citizen-detail": Row("citizen", "SDCIOM"),
    "api:people-citizen-list": Row(None, "SDCIOM"),
    "api:people-import-create": Row(None, "SDCIOMN", method="POST"),
    "api:people-import-detail": Row("import_job", "SDC"),
    "api:station-detail": Row("station", "SDCIOM"),
    "api:station-list": Row(None, "SDCIOMN"),
    "api:stations-action-item-close": Row("action_item", "SDCIOM", method="POST"),
    "api:stations-action-item-detail": Row("action_item", "SDCIOM"),
    "api:stations-action-item-list": Row(None, "SDCIOMN"),
    "api:stations-cctv-set": Row("hotspot", "SDCIOM", method="POST"),
    "api:stations-cctv-summary-list": Row(None, "SDCIOMN"),
    "api:stations-hotspot-create": Row(None, "SDCIOMN", method="POST"),
    "api:stations-hotspot-detail": Row("hotspot", "SDCIOM"),
    "api:stations-hotspot-list": Row(None, "SDCIOMN"),
    "api:stations-hotspot-unpatrolled": Row(None, "SDCIOMN"),
    "api:stations-patrol-create": Row("hotspot", "SDCIOM", method="POST"),
    "api:stations-patrol-list": Row("hotspot", "SDCIOM"),
    "api:stations-resource-audit-create": Row(None, "SDCIOMN", method="POST"),
    "api:stations-resource-audit-detail": Row("audit", "SDCIOM"),
    "api:stations-resource-audit-list": Row(None, "SDCIOMN"),
    "api:stations-resource-status-list": Row(None, "SDCIOMN"),
    "broadcasts:action": Row("broadcast", "SDCIOM", extra={"action": "cancel"}, method="POST"),
    "broadcasts:calendar": Row(None, "DC"),
    "broadcasts:create": Row(None, "DC"),
    "broadcasts:compose_template": Row(None, "DC"),
    "broadcasts:compose_preview": Row(None, "DC"),
    "broadcasts:detail": Row("broadcast", "SDCIOM"),
    "broadcasts:list": Row(None, "SDCIOMN"),
    "broadcasts:progress": Row("broadcast", "SDCIOM"),
    "broadcasts:sandbox_phone": Row(None, "DC"),
    "broadcasts:template_sync": Row(None, "DC", method="POST"),
    "broadcasts:templates": Row(None, "DC"),
    "complaints:complaint_assign": Row("complaint", "SDCIOM", method="POST"),
    "complaints:complaint_counselling": Row("complaint", "IOM", method="POST"),
    "complaints:complaint_create": Row(None, "IOM"),
    "complaints:complaint_detail": Row("complaint", "SDCIOM"),
    "complaints:complaint_identity": Row("complaint", "IM", method="POST"),
    "complaints:complaint_queue": Row(None, "SDCIOMN"),
    "complaints:complaint_status": Row("complaint", "SDCIOM", method="POST"),
    "complaints:romeo_action_create": Row(None, "SDCIOMN"),
    "complaints:romeo_action_detail": Row("romeo_action", "SDCIOM"),
    "complaints:romeo_person_row": Row(None, "SDCIOMN"),
    "complaints:romeo_register": Row(None, "SDCIOMN"),
    "groups:conduct_log": Row("group", "SDCIOM"),
    "groups:group_create": Row(None, "SDI"),
    "groups:group_detail": Row("group", "SDCIOM"),
    "groups:group_edit": Row("group", "I"),
    "groups:group_list": Row(None, "SDCIOMN"),
    "groups:incident_create": Row("membership", "SDCIOM", method="POST"),
    "groups:membership_detail": Row("membership", "SDCIOM"),
    "groups:membership_invite": Row("membership", "I", method="POST"),
    "groups:membership_left": Row("membership", "IOM", method="POST"),
    "groups:membership_remove": Row("membership", "SDCIOM", method="POST"),
    "groups:membership_revet": Row("membership", "SDCIOM", method="POST"),
    "groups:nomination_approve": Row("nomination", "I", method="POST"),
    "groups:nomination_create": Row("group", "DIOM"),
    "groups:nomination_detail": Row("nomination", "SDCIOM"),
    "groups:nomination_override": Row("nomination", "SDCIOM", method="POST"),
    "groups:nomination_reject": Row("nomination", "SDCIOM", method="POST"),
    "groups:nominators": Row(None, "SDCIOMN"),
    "groups:register_create": Row(None, "DI"),
    "groups:register_detail": Row("register_entry", "DIO"),
    "groups:register_edit": Row("register_entry", "DI"),
    "groups:register_list": Row(None, "DIO"),
    "groups:register_withdraw": Row("register_entry", "DIO", method="POST"),
    "groups:roster": Row("group", "SDCIOM"),
    "groups:roster_export": Row("group", "I", extra={"fmt": "csv"}),
    "groups:vetting_queue": Row("group", "SDCIOM"),
    "home": Row(None, "SDCIOMN"),
    "outreach:activity_create": Row(None, ""),
    "outreach:activity_detail": Row("activity", "SDC"),
    "outreach:activity_edit": Row("activity", ""),
    "outreach:activity_list": Row(None, "SDCIOMN"),
    "outreach:activity_verify": Row("activity", "SDC", method="POST"),
    "outreach:campaign_list": Row(None, "SDCIOMN"),
    "outreach:drive_create": Row(None, "SDCIOMN"),
    "outreach:drive_detail": Row("drive", "SDCIOM"),
    "outreach:drive_list": Row(None, "SDCIOMN"),
    "outreach:drive_photo": Row("drive_photo", "SDCIOM"),
    "outreach:ngo_create": Row(None, "S"),
    "outreach:ngo_detail": Row("ngo", "SDCIOM"),
    "outreach:ngo_list": Row(None, "SDCIOMN"),
    "people:citizen_detail": Row("citizen", "SDCIOM"),
    "people:citizen_erase": Row("citizen", "DC"),
    "people:citizen_list": Row(None, "SDCIOM"),
    "people:citizen_opt_out": Row("citizen", "DCIOM", method="POST"),
    "people:citizen_phone": Row("citizen", "SDCIOM", method="POST"),
    "people:import_detail": Row("import_job", "SDC"),
    "people:import_list": Row(None, "SDC"),
    "people:import_rejected_csv": Row("import_job", "SDC"),
    "people:import_status": Row("import_job", "SDC"),
    "people:import_template": Row(None, "SDC"),
    "stations:action_item_detail": Row("action_item", "SDCIOM"),
    "stations:action_item_evidence": Row("action_item", ""),
    "stations:action_item_list": Row(None, "SDCIOMN"),
    "stations:action_item_reassign": Row("action_item", "SDCIOM"),
    "stations:audit_create": Row("station", "SDCIOM"),
    "stations:audit_detail": Row("audit", "SDCIOM"),
    "stations:cctv_update": Row("hotspot", "SDCIOM"),
    "stations:district_detail": Row("district", "SDC"),
    "stations:hotspot_create": Row("station", "SDCIOM"),
    "stations:hotspot_detail": Row("hotspot", "SDCIOM"),
    "stations:hotspot_list": Row(None, "SDCIOMN"),
    "stations:hotspot_set_active": Row("hotspot", "SDIOM", method="POST"),
    "stations:patrol_create": Row("hotspot", "SDCIOM"),
    "stations:resource_overview": Row(None, "SDCIOMN"),
    "stations:station_detail": Row("station", "SDCIOM"),
    "stations:station_list": Row(None, "SDCIOMN"),
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def all_routes() -> dict[str, URLPattern]:
    """Every named route of the project but the admin site (checked separately)."""
    return {
        name: pattern
        for name, pattern in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:")
    }


def test_every_route_has_a_row() -> None:
    missing = sorted(set(all_routes()) - set(ROUTES) - PUBLIC_ROUTES)
    stale = sorted((set(ROUTES) | PUBLIC_ROUTES) - set(all_routes()))
    assert missing == [], f"routes without a row in the access matrix: {missing}"
    assert stale == [], f"rows for routes that no longer exist: {stale}"


# --- the objects each route is checked against -------------------------------------------------


@dataclass
class Place:
    """A station, with a user of each role posted to it (or to its district/state)."""

    station: Station
    users: dict[str, User]


def _user(role: str, place_station: Station, name: str) -> User:
    user = UserFactory(username=name)
    unit: dict[str, Any] = {"state": None, "district": None, "station": None}
    if role == Role.STATE_HQ:
        unit["state"] = place_station.district.state
    elif role in {Role.DISTRICT_HEAD, Role.CYBER_CELL, Role.NGO_COORDINATOR}:
        unit["district"] = place_station.district
    else:
        unit["station"] = place_station
    PostingFactory(user=user, role=role, **unit)
    return user


Builder = Callable[[Place, MessageTemplate], tuple[models.Model, str]]


def _nomination(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    group = GroupFactory(station=place.station, admins=[place.users[Role.STATION_IC]])
    marker = f"Nominee {place.station.code}"
    nomination = group_services.submit_nomination(
        group=group,
        source=NominationSource.OFFICER,
        nominee_name=marker,
        nominee_phone=f"+9170{place.station.pk:08d}",
        nominee_consent=True,
        by=place.users[Role.STATION_IC],
    )
    return nomination, marker


def _membership(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    nomination, marker = _nomination(place, template)
    group_services.approve_nomination(nomination=nomination, by=place.users[Role.STATION_IC])
    return Membership.objects.get(group=nomination.group), marker  # type: ignore[attr-defined]


def _broadcast(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    marker = f"Broadcast {place.station.code}"
    CitizenFactory(station=place.station)
    broadcast = lifecycle.create_broadcast(
        district=place.station.district,
        title=marker,
        template=template,
        parameters=["Varanasi"],
        by=place.users[Role.CYBER_CELL],
    )
    return broadcast, marker


def _import_job(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    marker = f"list-{place.station.code}.csv"
    job = ImportJob.objects.create(
        district=place.station.district,
        uploaded_by=place.users[Role.CYBER_CELL],
        original_name=marker,
        file_format="csv",
    )
    return job, marker


def _drive_photo(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    from django.core.files.base import ContentFile

    drive = AwarenessDriveFactory(station=place.station, place=f"Drive {place.station.code}")
    photo = DrivePhoto(drive=drive, uploaded_by=place.users[Role.STATION_OFFICER])
    photo.image.save("p.jpg", ContentFile(image_bytes()), save=True)
    return photo, f"Drive {place.station.code}"


def _activity(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    ngo = NgoFactory(name=f"NGO {place.station.code}", districts=[place.station.district])
    return NgoActivityFactory(ngo=ngo, district=place.station.district), f"NGO {place.station.code}"


def _referral(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    from complaints import casework

    complaint = make_complaint(station=place.station, name=f"Victim {place.station.code}")
    referral = casework.refer(
        complaint=complaint,
        by=place.users[Role.STATION_IC],
        kind="legal_aid",
        referred_on=timezone.localdate(),
        follow_up_on=timezone.localdate() + timedelta(days=7),
    )
    return referral, complaint.tracking_number


def _unrouted(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    marker = f"Unrouted plea {place.station.code}"
    message = UnroutedMessage.objects.create(
        district=place.station.district,
        inbound_wamid=f"wamid.matrix.{place.station.code}",
        from_phone=f"+9171{place.station.pk:08d}",
        text=marker,
        received_at=timezone.now(),
    )
    return message, marker


def _report_export(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    export = ReportExport.objects.create(
        requested_by=place.users[Role.DISTRICT_HEAD],
        params={"district": place.station.district_id},
        file_format="csv",
    )
    return export, ""


def _notification(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    from accounts import notifications

    marker = f"Notice {place.station.code}"
    [notice] = notifications.notify(
        users=[place.users[Role.STATION_IC]], kind="matrix.notice", title=marker
    )
    return notice, marker


def _citizen(place: Place, template: MessageTemplate) -> tuple[models.Model, str]:
    """A citizen, and what the sandbox phone 'sent' them (its page must not show a foreign one)."""
    marker = f"Citizen {place.station.code}"
    citizen = CitizenFactory(station=place.station, name=marker)
    SandboxMessage.objects.create(
        to=citizen.phone, wamid=f"wamid.matrix.sandbox.{citizen.pk}", body=f"Dear {marker}"
    )
    return citizen, marker


BUILDERS: dict[str, Builder] = {
    "notification": _notification,
    "referral": _referral,
    "unrouted": _unrouted,
    "report_export": _report_export,
    "citizen_list": lambda p, t: (
        CitizenList.objects.create(
            district=p.station.district,
            name=f"List {p.station.code}",
            created_by=p.users[Role.CYBER_CELL],
        ),
        f"List {p.station.code}",
    ),
    "station": lambda p, t: (p.station, p.station.name),
    "district": lambda p, t: (p.station.district, p.station.district.name),
    "hotspot": lambda p, t: (
        HotspotFactory(station=p.station, name=f"Hotspot {p.station.code}"),
        f"Hotspot {p.station.code}",
    ),
    "audit": lambda p, t: (ResourceAuditFactory(station=p.station), ""),
    "action_item": lambda p, t: (
        ActionItemFactory(
            raised_in=ResourceAuditFactory(station=p.station),
            description=f"Deficit {p.station.code}",
            owner=p.users[Role.STATION_IC],
        ),
        f"Deficit {p.station.code}",
    ),
    "citizen": _citizen,
    "import_job": _import_job,
    "group": lambda p, t: (
        GroupFactory(station=p.station, name=f"Group {p.station.code}"),
        f"Group {p.station.code}",
    ),
    "nomination": _nomination,
    "membership": _membership,
    "register_entry": lambda p, t: (
        ExclusionEntryFactory(
            district=p.station.district, names=[f"Tout {p.station.code}"], note="x"
        ),
        f"Tout {p.station.code}",
    ),
    "broadcast": _broadcast,
    "romeo_action": lambda p, t: (
        RomeoActionFactory(station=p.station, place=f"Gate {p.station.code}"),
        f"Gate {p.station.code}",
    ),
    "complaint": lambda p, t: (
        (c := make_complaint(station=p.station, name=f"Victim {p.station.code}")),
        c.tracking_number,
    ),
    "drive": lambda p, t: (
        AwarenessDriveFactory(station=p.station, place=f"Drive {p.station.code}"),
        f"Drive {p.station.code}",
    ),
    "drive_photo": _drive_photo,
    "ngo": lambda p, t: (
        NgoFactory(name=f"NGO {p.station.code}", districts=[p.station.district]),
        f"NGO {p.station.code}",
    ),
    "activity": _activity,
}


# Records an NGO coordinator never sees, whatever the page.
POLICE_ONLY = {
    "referral",
    "unrouted",
    "citizen_list",
    "complaint",
    "citizen",
    "romeo_action",
    "nomination",
    "membership",
    "register_entry",
    "import_job",
    "hotspot",
    "action_item",
}

# --- running one request and naming its outcome ------------------------------------------------

ALLOWED, DENIED, PROBLEM = "allowed", "denied", "problem"


def outcome(response: Any) -> str:
    """allowed / denied / problem (a 5xx, or a 400 that gave away that the object exists)."""
    status = response.status_code
    if status >= 500:
        return PROBLEM
    if status in (403, 404):
        return DENIED
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        return DENIED if "/login/" in location else ALLOWED
    if status == 405:
        return DENIED
    return ALLOWED


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def page_leaks(
    name: str,
    code: str,
    body: str,
    objects: dict[tuple[str, str], tuple[models.Model, str]],
    places: dict[str, Place],
) -> list[str]:
    """What a page shows that it must not: a victim's name, a foreign record, police records
    to an NGO coordinator."""
    found = [
        f"{name} as {code} shows a victim's name"
        for place in places.values()
        if f"Victim {place.station.code}" in body
    ]
    for (kind, where), (_, marker) in objects.items():
        if not marker or marker not in body:
            continue
        if where == "foreign":
            found.append(f"{name} as {code} shows a foreign {kind}: {marker!r}")
        elif code == "N" and kind in POLICE_ONLY:
            found.append(f"{name} shows an NGO coordinator a {where} {kind}: {marker!r}")
    return found


def url_for(name: str, row: Row, obj: models.Model | None) -> str:
    pattern = all_routes()[name]
    kwargs: dict[str, Any] = dict(row.extra)
    converters = pattern.pattern.converters  # type: ignore[attr-defined]
    if obj is not None:
        key = "pk" if "pk" in converters else next(iter(converters))
        if row.kind == "drive_photo":
            kwargs.update(pk=obj.drive_id, photo_pk=obj.pk)  # type: ignore[attr-defined]
        elif row.kind == "referral":
            kwargs.update(pk=obj.complaint_id, referral_pk=obj.pk)  # type: ignore[attr-defined]
        else:
            kwargs[key] = obj.pk
    return reverse(name, kwargs=kwargs)


def request(client: Client, name: str, row: Row, obj: models.Model | None) -> Any:
    url = url_for(name, row, obj)
    if row.method == "POST":
        if name.startswith("api:"):
            return client.post(url, data=json.dumps({}), content_type="application/json")
        return client.post(url, data={})
    return client.get(url)


# --- the matrix itself ------------------------------------------------------------------------


@pytest.fixture
def places(world, login) -> dict[str, Place]:  # type: ignore[no-untyped-def]
    """Own = world.station (the `world` users); neighbour and foreign get their own users."""
    own = Place(world.station, dict(world.users))
    neighbour = Place(
        world.neighbour_station,
        {r: _user(r, world.neighbour_station, f"nb_{r}") for r in CODES.values()},
    )
    foreign = Place(world.other_station, dict(world.strangers))
    return {"own": own, "neighbour": neighbour, "foreign": foreign}


@pytest.fixture
def template(db) -> MessageTemplate:  # type: ignore[no-untyped-def]
    broadcasts_demo.seed_sandbox_templates()
    return MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")


def area(name: str) -> str:
    """The app a route belongs to (API routes by the app prefix of their name)."""
    namespace, _, rest = name.rpartition(":")
    if namespace == "api":
        return "api-" + rest.split("-")[0]
    return namespace or "portal"


AREAS = sorted({area(name) for name in ROUTES})


@pytest.mark.parametrize("section", AREAS)
def test_the_matrix_holds_for_every_route_role_and_object(section, places, template, login) -> None:  # type: ignore[no-untyped-def]
    """One app's routes per run, so parallel workers share the ~2,000 requests."""
    clients = {code: login(places["own"].users[role]) for code, role in CODES.items()}
    routes = {name: p for name, p in all_routes().items() if area(name) == section}
    # Every kind's objects exist in every run: pages must not show any foreign one.
    kinds = {row.kind for row in ROUTES.values() if row.kind}
    objects: dict[tuple[str, str], tuple[models.Model, str]] = {}
    for kind in sorted(kinds):
        for where in ("own", "neighbour", "foreign"):
            objects[(kind, where)] = BUILDERS[kind](places[where], template)

    leaks: list[str] = []
    wrong: list[str] = []
    observed: dict[str, str] = {}
    post_only: set[str] = set()
    checked = 0
    for name in sorted(routes):
        if name in PUBLIC_ROUTES:
            continue
        row = ROUTES[name]
        allowed_here = ""
        for code, client in clients.items():
            own_obj = objects[(row.kind, "own")][0] if row.kind else None
            response = request(client, name, row, own_obj)
            got = outcome(response)
            checked += 1
            if response.status_code == 405:
                post_only.add(name)
            if row.method == "GET":
                leaks += page_leaks(name, code, body_of(response), objects, places)
            if got == PROBLEM:
                leaks.append(f"{name} as {code} on own object: server error")
            if got == ALLOWED:
                allowed_here += code
            if row.kind is None:
                continue
            for where in ("neighbour", "foreign"):
                obj, _ = objects[(row.kind, where)]
                got = outcome(request(client, name, row, obj))
                checked += 1
                may = where == "neighbour" and code == "S" and ("S" in row.own or RECORD)
                if got != DENIED and not may:
                    leaks.append(f"{name} as {code} on a {where} object: {got}")
        observed[name] = allowed_here
        if not RECORD and set(allowed_here) != set(row.own):
            wrong.append(f"{name}: allowed {allowed_here or '-'}, designed {row.own or '-'}")

    if RECORD:
        for name in sorted(observed):
            print(f'    "{name}": {observed[name]!r},')
        print("ANSWERED GET WITH 405:", sorted(post_only))
        print("LEAKS:", *leaks, sep="\n  ")
    print(
        f"\nACCESS MATRIX section={section} routes={len(routes)} roles={len(CODES)} "
        f"checks={checked} "
        f"leaks={len(leaks)} deviations={len(wrong)}"
    )
    assert leaks == []
    assert wrong == []


def test_anonymous_users_reach_only_the_public_routes(places, template) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    objects = {kind: BUILDERS[kind](places["own"], template)[0] for kind in BUILDERS}
    reached = []
    for name, row in sorted(ROUTES.items()):
        obj = objects[row.kind] if row.kind else None
        if outcome(request(client, name, row, obj)) != DENIED:
            reached.append(name)
    assert reached == []


def test_the_admin_site_is_closed_to_every_posted_role(world, login) -> None:  # type: ignore[no-untyped-def]
    admin_pages = [
        name
        for name, _ in _walk(get_resolver().url_patterns)
        if name.startswith("admin:") and (name.endswith("_changelist") or name == "admin:index")
    ]
    assert len(admin_pages) > 20
    opened = []
    for role in CODES.values():
        client = login(world.user(role))
        for name in admin_pages:
            response = client.get(reverse(name))
            if response.status_code == 200:
                opened.append(f"{name} as {role}")
    assert opened == []
