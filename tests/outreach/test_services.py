"""Outreach writes: NGO activities within the NGO's districts, verification, drives and photos."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Role
from outreach import selectors, services
from outreach.models import AwarenessDrive, DrivePhoto, NgoActivity
from tests.factories.fieldwork import HotspotFactory, image_bytes, upload
from tests.factories.outreach import CampaignFactory, NgoActivityFactory, NgoFactory

pytestmark = pytest.mark.django_db


def log(world, *, by=None, ngo=None, district=None, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("kind", "pocso_awareness")
    kwargs.setdefault("held_on", timezone.localdate())
    kwargs.setdefault("persons_reached", 60)
    return services.record_ngo_activity(
        ngo=ngo or world.ngo_a,
        district=district or world.district,
        by=by or world.coord_a,
        **kwargs,
    )


def drive(world, **kwargs):  # type: ignore[no-untyped-def]
    values = {
        "station": world.station,
        "held_on": timezone.localdate(),
        "place": "Govt. Girls Inter College",
        "audience": "girl_students",
        "people_reached": 120,
        "topics": ["helplines", "cyber_safety"],
        "by": world.user(Role.SHAKTI_INCHARGE),
    }
    values.update(kwargs)
    return services.record_awareness_drive(**values)


class TestNgoActivities:
    def test_a_coordinator_logs_for_their_ngo_in_its_districts(self, ngos) -> None:
        activity = log(ngos, district=ngos.sibling_district, station=ngos.neighbour_station)
        assert (activity.ngo, activity.recorded_by) == (ngos.ngo_a, ngos.coord_a)
        assert AuditEvent.objects.filter(action="outreach.ngo_activity.recorded").count() == 1

    def test_a_district_outside_the_ngos_districts_is_refused(self, ngos) -> None:
        with pytest.raises(ValidationError) as exc:
            log(ngos, ngo=ngos.ngo_b, by=ngos.coord_b, district=ngos.sibling_district)
        assert exc.value.message_dict["district"] == [str(services.DISTRICT_OUTSIDE_NGO)]
        assert not NgoActivity.objects.exists()

    def test_a_station_outside_the_district_is_refused(self, ngos) -> None:
        with pytest.raises(ValidationError, match="not in the district"):
            log(ngos, station=ngos.neighbour_station)

    def test_a_coordinator_cannot_log_for_another_ngo(self, ngos) -> None:
        with pytest.raises(PermissionDenied):
            log(ngos, ngo=ngos.ngo_b, by=ngos.coord_a)

    def test_police_cannot_log_ngo_activities(self, ngos) -> None:
        with pytest.raises(PermissionDenied):
            log(ngos, by=ngos.user(Role.DISTRICT_HEAD))

    def test_a_lapsed_membership_ends_the_right_to_log(self, ngos) -> None:
        ngos.coord_a.ngo_memberships.update(is_active=False)
        with pytest.raises(PermissionDenied):
            log(ngos)

    def test_nobody_reached_or_rescued_is_refused(self, ngos) -> None:
        with pytest.raises(ValidationError):
            log(ngos, persons_reached=0)

    def test_a_campaign_of_another_state_is_refused(self, ngos) -> None:
        campaign = CampaignFactory(state=ngos.other_state)
        with pytest.raises(ValidationError, match="does not run in this state"):
            log(ngos, campaign=campaign)

    def test_the_same_form_twice_logs_once(self, ngos) -> None:
        token = uuid.uuid4()
        assert log(ngos, client_token=token).pk == log(ngos, client_token=token).pk
        assert NgoActivity.objects.count() == 1


class TestVerification:
    def test_police_of_the_district_verify_and_the_ngo_can_no_longer_edit(self, ngos) -> None:
        activity = log(ngos)
        services.verify_ngo_activity(activity=activity, by=ngos.user(Role.DISTRICT_HEAD), note="ok")
        activity.refresh_from_db()
        assert activity.verified_by == ngos.user(Role.DISTRICT_HEAD)
        with pytest.raises(ValidationError, match="verified"):
            services.update_ngo_activity(
                activity=activity,
                by=ngos.coord_a,
                kind="jj_act",
                district=ngos.district,
                held_on=timezone.localdate(),
                persons_reached=5,
            )
        activity.refresh_from_db()
        assert activity.kind == "pocso_awareness"

    def test_the_ngo_may_correct_an_unverified_entry(self, ngos) -> None:
        activity = log(ngos)
        services.update_ngo_activity(
            activity=activity,
            by=ngos.coord_a,
            kind="jj_act",
            district=ngos.sibling_district,
            held_on=timezone.localdate(),
            persons_reached=5,
        )
        activity.refresh_from_db()
        assert (activity.kind, activity.district) == ("jj_act", ngos.sibling_district)

    def test_another_ngo_may_not_correct_it(self, ngos) -> None:
        with pytest.raises(PermissionDenied):
            services.update_ngo_activity(
                activity=log(ngos),
                by=ngos.coord_b,
                kind="jj_act",
                district=ngos.district,
                held_on=timezone.localdate(),
                persons_reached=5,
            )

    def test_a_station_officer_verifies_only_entries_at_their_station(self, ngos) -> None:
        at_station = log(ngos, station=ngos.station)
        district_only = log(ngos)
        officer = ngos.user(Role.STATION_IC)
        services.verify_ngo_activity(activity=at_station, by=officer)
        with pytest.raises(PermissionDenied):
            services.verify_ngo_activity(activity=district_only, by=officer)

    @pytest.mark.parametrize("role", [Role.DISTRICT_HEAD, Role.STATE_HQ, Role.STATION_IC])
    def test_police_of_another_state_may_not_verify(self, ngos, role) -> None:
        with pytest.raises(PermissionDenied):
            services.verify_ngo_activity(
                activity=log(ngos, station=ngos.station), by=ngos.strangers[role]
            )

    def test_an_ngo_may_not_verify_its_own_entry(self, ngos) -> None:
        with pytest.raises(PermissionDenied):
            services.verify_ngo_activity(activity=log(ngos), by=ngos.coord_a)

    def test_verifying_twice_keeps_the_first_verification(self, ngos) -> None:
        activity = log(ngos)
        services.verify_ngo_activity(activity=activity, by=ngos.user(Role.DISTRICT_HEAD))
        services.verify_ngo_activity(activity=activity, by=ngos.user(Role.STATE_HQ))
        activity.refresh_from_db()
        assert activity.verified_by == ngos.user(Role.DISTRICT_HEAD)
        assert AuditEvent.objects.filter(action="outreach.ngo_activity.verified").count() == 1


class TestScoping:
    def test_a_coordinator_sees_only_their_own_ngos_records(self, ngos) -> None:
        ours = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        NgoActivityFactory(ngo=ngos.ngo_b, district=ngos.district)
        assert list(selectors.ngo_activities_for(ngos.coord_a)) == [ours]
        assert list(selectors.ngos_visible_to(ngos.coord_a)) == [ngos.ngo_a]

    def test_police_see_activities_in_their_jurisdiction(self, ngos) -> None:
        here = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        at_station = NgoActivityFactory(
            ngo=ngos.ngo_a, district=ngos.sibling_district, station=ngos.station
        )
        NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.sibling_district)
        assert set(selectors.ngo_activities_for(ngos.user(Role.DISTRICT_HEAD))) == {
            here,
            at_station,
        }
        assert list(selectors.ngo_activities_for(ngos.user(Role.STATION_IC))) == [at_station]
        assert selectors.ngo_activities_for(ngos.user(Role.STATE_HQ)).count() == 3
        assert not selectors.ngo_activities_for(ngos.strangers[Role.STATE_HQ]).exists()

    def test_state_hq_sees_every_ngo_of_the_state(self, ngos) -> None:
        NgoFactory(districts=[ngos.other_district])
        assert set(selectors.ngos_visible_to(ngos.user(Role.STATE_HQ))) == {ngos.ngo_a, ngos.ngo_b}

    def test_an_ngo_posting_without_membership_sees_nothing(self, ngos) -> None:
        user = ngos.user(Role.NGO_COORDINATOR)  # posted, but bound to no NGO
        assert not selectors.ngos_for(user).exists()
        assert not selectors.ngo_activities_for(user).exists()

    def test_campaign_progress_counts_against_district_targets(self, ngos) -> None:
        from tests.factories.outreach import AwarenessDriveFactory, CampaignTargetFactory

        campaign = CampaignFactory(state=ngos.state)
        for metric, value in [
            ("activities", 4),
            ("persons_reached", 1000),
            ("drives", 2),
            ("persons_rescued", 10),
        ]:
            CampaignTargetFactory(
                campaign=campaign, district=ngos.district, metric=metric, target_value=value
            )
        first = log(ngos, campaign=campaign, persons_reached=100)
        log(ngos, campaign=campaign, persons_reached=0, persons_rescued=3, kind="rescue_operation")
        log(ngos, campaign=campaign, district=ngos.sibling_district)  # another district
        services.verify_ngo_activity(activity=first, by=ngos.user(Role.DISTRICT_HEAD))
        AwarenessDriveFactory(station=ngos.station, campaign=campaign, people_reached=250)
        progress = {
            t.metric: (t.actual, t.verified)
            for t in selectors.campaign_progress(user=ngos.user(Role.STATE_HQ))
        }
        assert progress == {
            "activities": (2, 1),
            "persons_reached": (350, 350),
            "drives": (1, 1),
            "persons_rescued": (3, 0),
        }


class TestDrives:
    def test_a_drive_with_topics_and_photos(self, world) -> None:
        result = drive(
            world, photos=[upload("a.jpg", image_bytes()), upload("b.png", image_bytes("PNG"))]
        )
        assert sorted(result.topics.values_list("topic", flat=True)) == [
            "cyber_safety",
            "helplines",
        ]
        assert result.photos.count() == 2
        assert result.place_key == "govt. girls inter college"

    @pytest.mark.parametrize(
        ("photo", "message"),
        [
            (lambda: upload("doc.pdf", b"%PDF-1.4 fake", "application/pdf"), "not a photo"),
            (lambda: upload("a.gif", image_bytes("GIF"), "image/gif"), "not a photo"),
            (lambda: upload("fake.jpg", b"\xff\xd8\xff not really a jpeg"), "not a photo"),
        ],
    )
    def test_a_bad_photo_saves_nothing(self, world, photo, message) -> None:
        with pytest.raises(ValidationError) as exc:
            drive(world, photos=[upload("ok.jpg", image_bytes()), photo()])
        assert message in str(exc.value.message_dict["photos"])
        assert not AwarenessDrive.objects.exists()
        assert not DrivePhoto.objects.exists()

    def test_a_too_large_photo_saves_nothing(self, world, settings) -> None:
        settings.UPLOAD_MAX_BYTES = 5000
        with pytest.raises(ValidationError, match=r"largest allowed is 4\.9"):
            drive(world, photos=[upload("big.png", image_bytes("PNG", (500, 500)) + b"\0" * 5000)])
        assert not AwarenessDrive.objects.exists()

    def test_too_many_photos_are_refused(self, world, settings) -> None:
        settings.DRIVE_MAX_PHOTOS = 1
        with pytest.raises(ValidationError, match="At most 1 photos"):
            drive(world, photos=[upload("a.jpg", image_bytes()), upload("b.jpg", image_bytes())])

    def test_an_ngo_organiser_must_work_in_the_stations_district(self, ngos) -> None:
        outsider = NgoFactory(districts=[ngos.other_district])
        with pytest.raises(ValidationError, match="does not work in"):
            drive(ngos, organiser_ngo=outsider)
        assert drive(ngos, organiser_ngo=ngos.ngo_a).organiser_label == "NGO A"

    def test_no_topic_is_refused(self, world) -> None:
        with pytest.raises(ValidationError, match="topic"):
            drive(world, topics=[])

    def test_locations_are_distinct_places_per_station(
        self, world, django_assert_num_queries
    ) -> None:
        from accounts import access

        drive(world, place="Kanya Vidyalaya, Lanka")
        drive(world, place="kanya  vidyalaya, LANKA", people_reached=30)  # same place again
        drive(world, place="Anganwadi centre", audience="women", people_reached=25)
        drive(world, place="Boys' school", audience="boys", people_reached=100)
        drive(
            world,
            place="Kanya Vidyalaya, Lanka",
            station=world.sibling_station,
            by=world.user(Role.DISTRICT_HEAD),
        )
        old = timezone.localdate() - timedelta(days=90)
        drive(world, place="Old place", held_on=old)
        user = world.user(Role.DISTRICT_HEAD)
        access.active_postings(user)
        with django_assert_num_queries(1):
            rows = {
                r.code: r
                for r in selectors.drive_totals(
                    user=user, date_from=timezone.localdate() - timedelta(days=30)
                )
            }
        ours = rows["VNS-A"]
        assert (ours.drives, ours.locations) == (4, 3)
        assert (ours.people_reached, ours.women_girls_reached) == (275, 175)
        assert (rows["VNS-B"].locations, rows["VNS-B"].drives) == (1, 1)

    def test_a_hotspot_of_another_station_is_refused(self, world) -> None:
        with pytest.raises(ValidationError, match="another police station"):
            drive(world, hotspot=HotspotFactory(station=world.sibling_station))
