"""Hotspots, patrols, CCTV and resource audits: the rules of each write, the reads reports use."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.models import AuditEvent, Role
from stations import selectors, services
from stations.models import ActionItem, Hotspot, Patrol, ResourceAudit, ResourceCheck, ResourceItem
from tests.factories.fieldwork import (
    ActionItemFactory,
    HotspotFactory,
    PatrolFactory,
    image_bytes,
    pdf_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


def checklist(*deficits: str, notes: str = "") -> list[services.CheckInput]:
    return [
        services.CheckInput(
            item=item,
            status="deficit" if item in deficits else "ok",
            count=0 if item in deficits else 2,
            notes=notes if item in deficits else "",
        )
        for item in ResourceItem.values
    ]


def audit(world, *deficits: str, days_ago: int = 1, station=None, owner=None):  # type: ignore[no-untyped-def]
    return services.record_resource_audit(
        station=station or world.station,
        audited_on=timezone.localdate() - timedelta(days=days_ago),
        checks=checklist(*deficits),
        owner=owner or world.user(Role.STATION_IC),
        by=world.user(Role.DISTRICT_HEAD),
    )


class TestHotspots:
    def test_names_are_unique_per_station_whatever_the_case(self, world) -> None:
        by = world.user(Role.STATION_IC)
        services.create_hotspot(
            station=world.station, name="Cantt Bus Stand", kind="bus_stand", by=by
        )
        with pytest.raises(ValidationError, match="already has a hotspot"):
            services.create_hotspot(
                station=world.station, name="cantt  bus stand", kind="bus_stand", by=by
            )
        services.create_hotspot(
            station=world.sibling_station,
            name="Cantt Bus Stand",
            kind="bus_stand",
            by=world.user(Role.DISTRICT_HEAD),
        )
        assert Hotspot.objects.count() == 2

    def test_a_station_officer_of_another_station_may_not_add_one(self, world) -> None:
        with pytest.raises(PermissionDenied):
            services.create_hotspot(
                station=world.sibling_station,
                name="x",
                kind="market",
                by=world.user(Role.STATION_IC),
            )

    def test_not_patrolled_in_n_days_lists_lapsed_and_never_patrolled(self, world) -> None:
        with time_machine.travel("2026-03-20 10:00 +0530", tick=False):
            fresh = HotspotFactory(station=world.station, name="fresh")
            lapsed = HotspotFactory(station=world.station, name="lapsed")
            never = HotspotFactory(station=world.station, name="never")
            HotspotFactory(station=world.station, name="retired", is_active=False)
            PatrolFactory(hotspot=fresh, patrolled_at=timezone.now() - timedelta(days=2))
            PatrolFactory(hotspot=lapsed, patrolled_at=timezone.now() - timedelta(days=9))
            PatrolFactory(hotspot=lapsed, patrolled_at=timezone.now() - timedelta(days=30))
            user = world.user(Role.STATION_IC)
            rows = list(selectors.hotspots_not_patrolled(user=user, days=7))
            assert [h.name for h in rows] == ["never", "lapsed"]
            assert rows[1].last_patrolled_at == timezone.now() - timedelta(days=9)
            assert [h.name for h in selectors.hotspots_not_patrolled(user=user, days=10)] == [
                "never"
            ]
            assert never.pk == rows[0].pk

    def test_not_patrolled_is_scoped_and_one_query(self, world, django_assert_num_queries) -> None:
        HotspotFactory(station=world.station)
        HotspotFactory(station=world.other_station)
        user = world.user(Role.DISTRICT_HEAD)
        access.active_postings(user)
        with django_assert_num_queries(1):
            rows = list(selectors.hotspots_not_patrolled(user=user))
        assert [h.station_id for h in rows] == [world.station.pk]

    def test_a_patrol_twice_with_one_token_is_logged_once(self, world) -> None:
        hotspot = HotspotFactory(station=world.station)
        token = uuid.uuid4()
        for _ in range(2):
            services.record_patrol(
                hotspot=hotspot,
                patrolled_at=timezone.now(),
                team="SI Rekha",
                by=world.user(Role.STATION_OFFICER),
                client_token=token,
            )
        assert Patrol.objects.count() == 1
        assert AuditEvent.objects.filter(action="stations.patrol.recorded").count() == 1

    def test_a_patrol_in_the_future_is_refused(self, world) -> None:
        with pytest.raises(ValidationError, match="future"):
            services.record_patrol(
                hotspot=HotspotFactory(station=world.station),
                patrolled_at=timezone.now() + timedelta(hours=2),
                team="x",
                by=world.user(Role.STATION_OFFICER),
            )

    def test_cctv_installed_needs_cameras_and_is_updated_in_place(self, world) -> None:
        hotspot = HotspotFactory(station=world.station)
        by = world.user(Role.SHAKTI_INCHARGE)
        with pytest.raises(ValidationError, match="at least one camera"):
            services.set_cctv_coverage(hotspot=hotspot, status="installed", cameras=0, by=by)
        services.set_cctv_coverage(hotspot=hotspot, status="pending", cameras=3, by=by)
        services.set_cctv_coverage(hotspot=hotspot, status="installed", cameras=6, by=by)
        hotspot.refresh_from_db()
        assert (hotspot.cctv.status, hotspot.cctv.cameras) == ("installed", 6)

    def test_cctv_summary_counts_institutions_per_station(self, world) -> None:
        by = world.user(Role.STATION_IC)
        school = HotspotFactory(station=world.station, kind="school")
        college = HotspotFactory(station=world.station, kind="college")
        HotspotFactory(station=world.station, kind="coaching")
        HotspotFactory(station=world.station, kind="market")
        services.set_cctv_coverage(hotspot=school, status="installed", cameras=4, by=by)
        services.set_cctv_coverage(hotspot=college, status="pending", cameras=2, by=by)
        row = selectors.cctv_summary(user=by).get()
        assert (row.institutions, row.cctv_installed, row.cctv_pending) == (3, 1, 1)
        assert row.cameras_working == 4


class TestResourceAudits:
    def test_every_deficit_becomes_an_open_action_item(self, world) -> None:
        result = audit(world, "computers", "women_toilets")
        items = ActionItem.objects.filter(raised_in=result)
        assert sorted(items.values_list("item", flat=True)) == ["computers", "women_toilets"]
        assert all(i.status == "open" and i.owner == world.user(Role.STATION_IC) for i in items)
        assert ResourceCheck.objects.filter(audit=result, action_item__isnull=False).count() == 2
        assert items.first().due_on == result.audited_on + timedelta(days=15)

    def test_a_deficit_found_again_joins_the_open_item(self, world) -> None:
        first = audit(world, "vehicles", days_ago=20)
        second = audit(world, "vehicles", "sim_cards", days_ago=2)
        assert ActionItem.objects.filter(item="vehicles").count() == 1
        check = ResourceCheck.objects.get(audit=second, item="vehicles")
        assert check.action_item.raised_in_id == first.pk

    def test_one_audit_per_station_per_day(self, world) -> None:
        audit(world, days_ago=3)
        with pytest.raises(ValidationError, match="already has an audit"):
            audit(world, "rooms", days_ago=3)
        assert ResourceAudit.objects.count() == 1
        assert not ActionItem.objects.exists()

    def test_the_checklist_must_cover_every_resource(self, world) -> None:
        with pytest.raises(ValidationError, match="every resource"):
            services.record_resource_audit(
                station=world.station,
                audited_on=timezone.localdate(),
                checks=checklist()[:-1],
                owner=world.user(Role.STATION_IC),
                by=world.user(Role.STATION_IC),
            )

    def test_the_owner_must_serve_the_station_or_its_district(self, world) -> None:
        with pytest.raises(ValidationError) as exc:
            audit(world, "rooms", owner=world.strangers[Role.STATION_IC])
        assert "owner" in exc.value.message_dict
        assert not ResourceAudit.objects.exists()

    def test_the_latest_audit_per_station_is_one_query(
        self, world, django_assert_num_queries
    ) -> None:
        audit(world, "rooms", days_ago=30)
        latest = audit(world, "rooms", "cctv", days_ago=2)
        sibling = audit(world, station=world.sibling_station, days_ago=5)
        user = world.user(Role.DISTRICT_HEAD)
        access.active_postings(user)
        with django_assert_num_queries(1):
            rows = list(selectors.latest_audits(user=user))
        assert sorted((a.pk, a.deficits) for a in rows) == sorted([(latest.pk, 2), (sibling.pk, 0)])

    def test_station_status_shows_latest_audit_open_and_overdue_items(
        self, world, django_assert_num_queries
    ) -> None:
        audit(world, "rooms", days_ago=40)  # due 25 days ago: overdue
        latest = audit(world, "rooms", "furniture", days_ago=2)
        user = world.user(Role.DISTRICT_HEAD)
        access.active_postings(user)
        with django_assert_num_queries(1):
            rows = {r.code: r for r in selectors.station_resource_status(user=user)}
        ours = rows["VNS-A"]
        assert (ours.latest_audit_id, ours.latest_deficits) == (latest.pk, 2)
        assert (ours.open_items, ours.overdue_items) == (2, 1)
        assert rows["VNS-B"].latest_audit_id is None
        assert selectors.open_deficits_count(user=user) == 2


class TestClosingActionItems:
    def test_an_item_stays_open_until_closed_with_evidence(self, world) -> None:
        item = ActionItem.objects.get(raised_in=audit(world, "registers"))
        with pytest.raises(ValidationError, match="needs evidence"):
            services.close_action_item(item=item, note="   ", by=world.user(Role.STATION_IC))
        item.refresh_from_db()
        assert item.status == "open"
        services.close_action_item(
            item=item,
            note="Registers received from the district store.",
            by=world.user(Role.STATION_IC),
        )
        item.refresh_from_db()
        assert (item.status, item.closed_by) == ("closed", world.user(Role.STATION_IC))

    def test_the_database_refuses_a_closed_item_without_evidence(self, world) -> None:
        item = ActionItemFactory(raised_in__station=world.station)
        with pytest.raises(IntegrityError), transaction.atomic():
            ActionItem.objects.filter(pk=item.pk).update(
                status="closed", closed_at=timezone.now(), closed_by=item.owner, closure_note=""
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            ActionItem.objects.filter(pk=item.pk).update(status="closed", closure_note="done")

    def test_the_database_refuses_two_open_items_for_one_resource(self, world) -> None:
        item = ActionItemFactory(raised_in__station=world.station)
        with pytest.raises(IntegrityError), transaction.atomic():
            ActionItemFactory(raised_in=item.raised_in, station=world.station, item=item.item)

    @pytest.mark.parametrize(
        ("name", "data", "content_type"),
        [
            ("bill.png", image_bytes("PNG"), "image/png"),
            ("bill.pdf", pdf_bytes(), "application/pdf"),
        ],
    )
    def test_closing_keeps_a_photo_or_pdf_as_evidence(
        self, world, name, data, content_type
    ) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        closed = services.close_action_item(
            item=item,
            note="Fixed",
            evidence=upload(name, data, content_type),
            by=world.user(Role.STATION_IC),
        )
        assert closed.closure_file.name.endswith(name.rsplit(".", 1)[1])
        assert name not in closed.closure_file.name  # stored under a random name

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"MZ\x90\x00 this is an executable", "photo (JPEG, PNG or WebP) or a PDF"),
            (b"", "empty"),
        ],
    )
    def test_a_bad_evidence_file_is_refused_and_the_item_stays_open(
        self, world, data, message
    ) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        with pytest.raises(ValidationError) as exc:
            services.close_action_item(
                item=item, note="Fixed", evidence=upload("x.jpg", data), by=item.owner
            )
        assert message in str(exc.value.message_dict["evidence"])
        item.refresh_from_db()
        assert item.status == "open" and not item.closure_file

    def test_an_oversized_evidence_file_is_refused(self, world, settings) -> None:
        settings.UPLOAD_MAX_BYTES = 1000
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        with pytest.raises(ValidationError, match="largest allowed"):
            services.close_action_item(
                item=item,
                note="Fixed",
                evidence=upload("big.png", image_bytes("PNG", (400, 400))),
                by=item.owner,
            )

    def test_closing_twice_is_refused(self, world) -> None:
        item = ActionItemFactory(
            raised_in__station=world.station, owner=world.user(Role.STATION_IC)
        )
        services.close_action_item(item=item, note="Fixed", by=item.owner)
        with pytest.raises(ValidationError, match="already closed"):
            services.close_action_item(item=item, note="Again", by=item.owner)

    def test_a_stranger_may_not_close(self, world) -> None:
        item = ActionItemFactory(raised_in__station=world.station)
        with pytest.raises(PermissionDenied):
            services.close_action_item(item=item, note="x", by=world.strangers[Role.STATION_IC])

    def test_reassigning_changes_owner_and_due_date(self, world) -> None:
        item = ActionItem.objects.get(raised_in=audit(world, "rooms"))
        new_due = timezone.localdate() + timedelta(days=30)
        services.reassign_action_item(
            item=item,
            owner=world.user(Role.DISTRICT_HEAD),
            due_on=new_due,
            by=world.user(Role.STATION_IC),
        )
        item.refresh_from_db()
        assert (item.owner, item.due_on) == (world.user(Role.DISTRICT_HEAD), new_due)
