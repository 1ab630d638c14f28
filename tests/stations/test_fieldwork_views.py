"""Field-work pages: hotspots, patrols, CCTV, audits, action items (owner, stranger, budget)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from stations.models import ActionItem, Hotspot, Patrol, ResourceAudit, ResourceItem
from tests.factories.fieldwork import (
    ActionItemFactory,
    HotspotFactory,
    PatrolFactory,
    ResourceAuditFactory,
    image_bytes,
    pdf_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


def _audit_post(**overrides):  # type: ignore[no-untyped-def]
    data = {"audited_on": timezone.localdate().isoformat(), "due_on": "", "notes": ""}
    for item in ResourceItem.values:
        data[f"{item}_status"] = "ok"
        data[f"{item}_count"] = "2"
    data.update(overrides)
    return data


class TestHotspotPages:
    def test_the_list_shows_the_jurisdictions_hotspots(self, world, login) -> None:
        HotspotFactory(station=world.station, name="Ours")
        HotspotFactory(station=world.other_station, name="Theirs")
        page = login(world.user(Role.STATION_IC)).get(reverse("stations:hotspot_list"))
        assert [h.name for h in page.context["page"]] == ["Ours"]

    def test_the_overdue_filter_lists_unpatrolled_hotspots(self, world, login) -> None:
        PatrolFactory(hotspot__station=world.station, hotspot__name="Patrolled")
        HotspotFactory(station=world.station, name="Forgotten")
        page = login(world.user(Role.STATION_IC)).get(
            reverse("stations:hotspot_list"), {"overdue": "on"}
        )
        assert [h.name for h in page.context["page"]] == ["Forgotten"]

    def test_adding_a_hotspot(self, world, login) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("stations:hotspot_create", args=[world.station.pk]),
            {"name": "Coaching lane", "kind": "coaching"},
        )
        hotspot = Hotspot.objects.get()
        assert response["Location"] == reverse("stations:hotspot_detail", args=[hotspot.pk])

    def test_a_duplicate_name_shows_an_error(self, world, login) -> None:
        HotspotFactory(station=world.station, name="Coaching lane")
        response = login(world.user(Role.STATION_IC)).post(
            reverse("stations:hotspot_create", args=[world.station.pk]),
            {"name": "COACHING LANE", "kind": "coaching"},
        )
        assert "already has a hotspot" in response.content.decode()
        assert Hotspot.objects.count() == 1

    def test_a_cyber_cell_officer_may_look_but_not_add(self, world, login) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("stations:hotspot_create", args=[world.station.pk]),
            {"name": "x", "kind": "market"},
        )
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "name", ["stations:hotspot_detail", "stations:patrol_create", "stations:cctv_update"]
    )
    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, world, login, name, role) -> None:
        hotspot = HotspotFactory(station=world.station)
        assert login(world.strangers[role]).get(reverse(name, args=[hotspot.pk])).status_code == 404

    def test_logging_a_patrol_twice_with_one_form_logs_once(self, world, login) -> None:
        hotspot = HotspotFactory(station=world.station)
        client = login(world.user(Role.STATION_OFFICER))
        data = {
            "patrolled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "team": "SI Rekha, HC Mohan",
            "observations": "Quiet",
            "token": "abc",
        }
        for _ in range(2):
            response = client.post(reverse("stations:patrol_create", args=[hotspot.pk]), data)
            assert response.status_code == 302
        assert Patrol.objects.count() == 1

    def test_recording_cctv(self, world, login) -> None:
        hotspot = HotspotFactory(station=world.station)
        login(world.user(Role.STATION_IC)).post(
            reverse("stations:cctv_update", args=[hotspot.pk]),
            {"status": "installed", "cameras": "5", "checked_on": timezone.localdate().isoformat()},
        )
        hotspot.refresh_from_db()
        assert hotspot.cctv.cameras == 5

    def test_query_budgets(self, world, login, django_assert_max_num_queries) -> None:
        hotspots = [HotspotFactory(station=world.station) for _ in range(25)]
        for hotspot in hotspots[:10]:
            PatrolFactory.create_batch(3, hotspot=hotspot)
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(10):
            assert client.get(reverse("stations:hotspot_list")).status_code == 200
        with django_assert_max_num_queries(10):
            client.get(reverse("stations:hotspot_list"), {"overdue": "on"})
        with django_assert_max_num_queries(10):
            client.get(reverse("stations:hotspot_detail", args=[hotspots[0].pk]))


class TestAuditPages:
    def test_an_audit_with_deficits_raises_action_items(self, world, login) -> None:
        client = login(world.user(Role.STATION_IC))
        page = client.get(reverse("stations:audit_create", args=[world.station.pk]))
        assert page.status_code == 200
        response = client.post(
            reverse("stations:audit_create", args=[world.station.pk]),
            _audit_post(
                owner=world.user(Role.STATION_IC).pk,
                computers_status="deficit",
                computers_notes="Two computers dead",
            ),
        )
        audit = ResourceAudit.objects.get()
        assert response["Location"] == reverse("stations:audit_detail", args=[audit.pk])
        item = ActionItem.objects.get()
        assert (item.item, item.description) == ("computers", "Two computers dead")

    def test_an_owner_from_elsewhere_is_not_offered(self, world, login) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("stations:audit_create", args=[world.station.pk]),
            _audit_post(owner=world.strangers[Role.STATION_IC].pk, rooms_status="deficit"),
        )
        assert "owner" in response.context["form"].errors
        assert not ResourceAudit.objects.exists()

    def test_the_overview_lists_each_station_with_open_items(self, world, login) -> None:
        ActionItemFactory(raised_in__station=world.station)
        page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("stations:resource_overview"))
        rows = {r.code: r for r in page.context["rows"]}
        assert (rows["VNS-A"].open_items, page.context["open_count"]) == (1, 1)

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404_on_audits_and_items(self, world, login, role) -> None:
        item = ActionItemFactory(raised_in__station=world.station)
        client = login(world.strangers[role])
        assert (
            client.get(reverse("stations:audit_detail", args=[item.raised_in_id])).status_code
            == 404
        )
        assert client.get(reverse("stations:action_item_detail", args=[item.pk])).status_code == 404
        assert (
            client.get(reverse("stations:audit_create", args=[world.station.pk])).status_code == 404
        )

    def test_closing_without_a_note_keeps_the_item_open(self, world, login) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        response = login(item.owner).post(
            reverse("stations:action_item_detail", args=[item.pk]), {"note": ""}
        )
        assert response.status_code == 200
        assert response.context["close_form"].errors["note"]
        item.refresh_from_db()
        assert item.status == "open"

    def test_closing_with_a_photo(self, world, login) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        client = login(item.owner)
        response = client.post(
            reverse("stations:action_item_detail", args=[item.pk]),
            {
                "note": "New computer installed",
                "evidence": upload("pc.png", image_bytes("PNG"), "image/png"),
            },
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.status == "closed"
        file = client.get(reverse("stations:action_item_evidence", args=[item.pk]))
        assert (file.status_code, file["Content-Type"]) == (200, "image/png")
        assert b"".join(file.streaming_content).startswith(b"\x89PNG")

    def test_the_evidence_is_served_as_a_sandboxed_download(self, world, login) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        client = login(item.owner)
        client.post(
            reverse("stations:action_item_detail", args=[item.pk]),
            {"note": "Bill paid", "evidence": upload("bill.pdf", pdf_bytes(), "application/pdf")},
        )
        file = client.get(reverse("stations:action_item_evidence", args=[item.pk]))
        assert file.status_code == 200
        assert file["Content-Type"] == "application/pdf"
        assert file["Content-Disposition"] == f'attachment; filename="evidence-{item.pk}.pdf"'
        assert file["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert file["X-Content-Type-Options"] == "nosniff"
        assert file["Cache-Control"] == "private, no-store"

    def test_a_pdf_with_javascript_is_refused_and_the_item_stays_open(self, world, login) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        response = login(item.owner).post(
            reverse("stations:action_item_detail", args=[item.pk]),
            {
                "note": "Bill paid",
                "evidence": upload("bill.pdf", pdf_bytes(active="open_action_js")),
            },
        )
        assert response.status_code == 200
        assert "Print it to a new PDF" in response.content.decode()
        item.refresh_from_db()
        assert item.status == "open" and not item.closure_file

    def test_a_wrong_file_type_is_refused_with_a_message(self, world, login) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        response = login(item.owner).post(
            reverse("stations:action_item_detail", args=[item.pk]),
            {
                "note": "done",
                "evidence": upload("x.exe", b"MZ\x90\x00binary", "application/octet-stream"),
            },
        )
        assert "Upload a photo (JPEG, PNG or WebP) or a PDF document." in response.content.decode()
        item.refresh_from_db()
        assert item.status == "open"

    def test_the_evidence_file_is_404_for_a_stranger(self, world, login) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        login(item.owner).post(
            reverse("stations:action_item_detail", args=[item.pk]),
            {"note": "ok", "evidence": upload("pc.png", image_bytes("PNG"), "image/png")},
        )
        response = login(world.strangers[Role.STATION_IC]).get(
            reverse("stations:action_item_evidence", args=[item.pk])
        )
        assert response.status_code == 404

    def test_query_budgets(self, world, login, django_assert_max_num_queries) -> None:
        for _ in range(20):
            ActionItemFactory(
                raised_in=ResourceAuditFactory(station=world.station),
                item="rooms",
                status="closed",
                closed_at=timezone.now(),
                closure_note="x",
                closed_by=world.user(Role.STATION_IC),
            )
        ActionItemFactory(raised_in__station=world.station)
        client = login(world.user(Role.DISTRICT_HEAD))
        for url, params in [
            (reverse("stations:resource_overview"), {}),
            (reverse("stations:action_item_list"), {"status": "closed"}),
            (reverse("stations:action_item_list"), {}),
        ]:
            with django_assert_max_num_queries(10):
                assert client.get(url, params).status_code == 200


class TestEveryPage:
    """Each remaining page: the owner gets it within a query budget; a stranger gets 404."""

    @pytest.fixture
    def rows(self, world):  # type: ignore[no-untyped-def]
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        hotspot = HotspotFactory(station=world.station)
        for _ in range(20):
            PatrolFactory(hotspot=hotspot)
        return {
            "hotspot": hotspot.pk,
            "item": item.pk,
            "audit": item.raised_in_id,
            "station": world.station.pk,
        }

    PAGES = [
        ("stations:hotspot_create", "station"),
        ("stations:patrol_create", "hotspot"),
        ("stations:cctv_update", "hotspot"),
        ("stations:audit_create", "station"),
        ("stations:audit_detail", "audit"),
        ("stations:action_item_detail", "item"),
        ("stations:action_item_reassign", "item"),
    ]

    @pytest.mark.parametrize(("name", "kind"), PAGES)
    def test_the_owner_gets_the_page_within_budget(
        self, world, login, rows, name, kind, django_assert_max_num_queries
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, args=[rows[kind]])).status_code == 200

    @pytest.mark.parametrize(("name", "kind"), PAGES)
    @pytest.mark.parametrize("role", [Role.STATION_IC, Role.DISTRICT_HEAD, Role.NGO_COORDINATOR])
    def test_a_stranger_gets_404(self, world, login, rows, name, kind, role) -> None:
        client = login(world.strangers[role])
        assert client.get(reverse(name, args=[rows[kind]])).status_code == 404

    def test_retiring_a_hotspot_and_a_strangers_404(self, world, login, rows) -> None:
        url = reverse("stations:hotspot_set_active", args=[rows["hotspot"]])
        assert login(world.strangers[Role.STATION_IC]).post(url, {"active": "0"}).status_code == 404
        assert login(world.user(Role.STATION_IC)).post(url, {"active": "0"}).status_code == 302
        assert not Hotspot.objects.get(pk=rows["hotspot"]).is_active

    def test_reassigning_from_the_page(self, world, login, rows) -> None:
        due = (timezone.localdate() + timedelta(days=40)).isoformat()
        response = login(world.user(Role.STATION_IC)).post(
            reverse("stations:action_item_reassign", args=[rows["item"]]),
            {"owner": world.user(Role.DISTRICT_HEAD).pk, "due_on": due},
        )
        assert response.status_code == 302
        assert ActionItem.objects.get(pk=rows["item"]).owner == world.user(Role.DISTRICT_HEAD)

    def test_the_overview_is_scoped(self, world, login, rows) -> None:
        page = login(world.strangers[Role.DISTRICT_HEAD]).get(reverse("stations:resource_overview"))
        assert [r.code for r in page.context["rows"]] == ["NDA-A"]
        assert page.context["open_count"] == 0
