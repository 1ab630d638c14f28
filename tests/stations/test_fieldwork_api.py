"""Field-work API: scoped lists, 404 for strangers, create and close, flat query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from stations.models import ActionItem, Patrol, ResourceItem
from tests.factories.fieldwork import (
    ActionItemFactory,
    HotspotFactory,
    PatrolFactory,
    ResourceAuditFactory,
    image_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


def test_hotspot_list_is_scoped_with_last_patrol(world, login) -> None:
    patrol = PatrolFactory(hotspot__station=world.station)
    HotspotFactory(station=world.other_station)
    body = login(world.user(Role.STATION_IC)).get(reverse("api:stations-hotspot-list")).json()
    assert [row["id"] for row in body["results"]] == [patrol.hotspot_id]
    assert body["results"][0]["last_patrolled_at"] is not None


def test_hotspot_create_and_a_repeat_is_400(world, login) -> None:
    client = login(world.user(Role.STATION_IC))
    payload = {"station": world.station.pk, "name": "Girls' college", "kind": "college"}
    first = client.post(
        reverse("api:stations-hotspot-create"), payload, content_type="application/json"
    )
    again = client.post(
        reverse("api:stations-hotspot-create"), payload, content_type="application/json"
    )
    assert (first.status_code, again.status_code) == (201, 400)
    assert "name" in again.json()


def test_unpatrolled_lists_overdue_hotspots(world, login) -> None:
    PatrolFactory(hotspot__station=world.station, patrolled_at=timezone.now())
    never = HotspotFactory(station=world.station)
    body = (
        login(world.user(Role.STATION_IC))
        .get(reverse("api:stations-hotspot-unpatrolled"), {"days": 3})
        .json()
    )
    assert [row["id"] for row in body["results"]] == [never.pk]


@pytest.mark.parametrize("days", ["0", "3651", "100000000000000000000"])
def test_unpatrolled_refuses_days_out_of_range_with_a_message(world, login, days) -> None:
    response = login(world.user(Role.STATION_IC)).get(
        reverse("api:stations-hotspot-unpatrolled"), {"days": days}
    )
    assert response.status_code == 400
    assert response.json()["days"] == ["Give a number of days from 1 to 3650."]


def test_patrol_create_is_idempotent_with_a_key(world, login) -> None:
    hotspot = HotspotFactory(station=world.station)
    client = login(world.user(Role.STATION_OFFICER))
    url = reverse("api:stations-patrol-create", args=[hotspot.pk])
    payload = {"patrolled_at": timezone.now().isoformat(), "team": "SI Rekha"}
    first = client.post(url, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p1")
    second = client.post(url, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert Patrol.objects.count() == 1


def test_cctv_set(world, login) -> None:
    hotspot = HotspotFactory(station=world.station)
    response = login(world.user(Role.STATION_IC)).post(
        reverse("api:stations-cctv-set", args=[hotspot.pk]),
        {"status": "pending", "cameras": 2},
        content_type="application/json",
    )
    assert response.json()["status"] == "pending"


def test_cctv_summary_per_station(world, login) -> None:
    from tests.factories.fieldwork import CctvCoverageFactory

    CctvCoverageFactory(hotspot__station=world.station, cameras=6)
    CctvCoverageFactory(hotspot__station=world.other_station)
    rows = (
        login(world.user(Role.DISTRICT_HEAD))
        .get(reverse("api:stations-cctv-summary-list"))
        .json()["results"]
    )
    assert {r["code"]: (r["cctv_installed"], r["cameras_working"]) for r in rows} == {
        "VNS-A": (1, 6),
        "VNS-B": (0, 0),
    }


def test_audit_create_raises_action_items(world, login) -> None:
    checks = [
        {"item": item, "status": "deficit" if item == "sim_cards" else "ok"}
        for item in ResourceItem.values
    ]
    response = login(world.user(Role.STATION_IC)).post(
        reverse("api:stations-resource-audit-create"),
        {
            "station": world.station.pk,
            "audited_on": timezone.localdate().isoformat(),
            "owner": world.user(Role.STATION_IC).pk,
            "checks": checks,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert ActionItem.objects.get().item == "sim_cards"
    assert len(response.json()["checks"]) == 10


def test_latest_audits_and_station_status(world, login) -> None:
    ResourceAuditFactory(station=world.station, audited_on=timezone.localdate().replace(day=1))
    latest = ResourceAuditFactory(station=world.station, audited_on=timezone.localdate())
    client = login(world.user(Role.DISTRICT_HEAD))
    body = client.get(reverse("api:stations-resource-audit-list"), {"latest": "1"}).json()
    assert [row["id"] for row in body["results"]] == [latest.pk]
    status = client.get(reverse("api:stations-resource-status-list")).json()["results"]
    assert {row["code"]: row["latest_audit_id"] for row in status} == {
        "VNS-A": latest.pk,
        "VNS-B": None,
    }


def test_action_item_close_needs_a_note_and_takes_a_file(world, login) -> None:
    item = ActionItemFactory(raised_in__station=world.station, owner=world.user(Role.STATION_IC))
    client = login(item.owner)
    url = reverse("api:stations-action-item-close", args=[item.pk])
    assert client.post(url, {}).status_code == 400
    bad = client.post(url, {"note": "done", "evidence": upload("a.gif", image_bytes("GIF"))})
    assert bad.status_code == 400 and "evidence" in bad.json()
    ok = client.post(url, {"note": "done", "evidence": upload("a.webp", image_bytes("WEBP"))})
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["has_file"]) == ("closed", True)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("api:stations-hotspot-detail", "hotspot"),
        ("api:stations-patrol-list", "hotspot"),
        ("api:stations-patrol-create", "hotspot"),
        ("api:stations-cctv-set", "hotspot"),
        ("api:stations-resource-audit-detail", "audit"),
        ("api:stations-action-item-detail", "item"),
        ("api:stations-action-item-close", "item"),
    ],
)
@pytest.mark.parametrize(
    "role", [Role.STATION_IC, Role.DISTRICT_HEAD, Role.STATE_HQ, Role.NGO_COORDINATOR]
)
def test_strangers_get_404(world, login, name, kind, role) -> None:
    item = ActionItemFactory(raised_in__station=world.station)
    pk = {
        "hotspot": HotspotFactory(station=world.station).pk,
        "audit": item.raised_in_id,
        "item": item.pk,
    }[kind]
    client = login(world.strangers[role])
    method = client.post if name.endswith(("create", "set", "close")) else client.get
    assert method(reverse(name, args=[pk])).status_code == 404


def test_creating_at_a_stranger_station_is_404(world, login) -> None:
    response = login(world.strangers[Role.STATION_IC]).post(
        reverse("api:stations-hotspot-create"),
        {"station": world.station.pk, "name": "x", "kind": "market"},
        content_type="application/json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "api:stations-hotspot-list",
        "api:stations-hotspot-unpatrolled",
        "api:stations-resource-audit-list",
        "api:stations-resource-status-list",
        "api:stations-action-item-list",
        "api:stations-cctv-summary-list",
    ],
)
def test_list_query_counts_are_flat(world, login, django_assert_max_num_queries, name) -> None:
    closer = world.user(Role.STATION_IC)
    for _ in range(30):
        PatrolFactory(hotspot__station=world.station)
        ActionItemFactory(
            raised_in=ResourceAuditFactory(station=world.station),
            item="rooms",
            status="closed",
            closed_at=timezone.now(),
            closure_note="x",
            closed_by=closer,
        )
    client = login(world.user(Role.STATE_HQ))
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name), {"limit": 100, "status": "all"}).status_code == 200
