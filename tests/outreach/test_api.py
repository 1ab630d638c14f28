"""Outreach API: scoped NGO records (404 across NGOs), verification, drives, campaign progress."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from outreach.models import AwarenessDrive, NgoActivity
from outreach.services import DISTRICT_OUTSIDE_NGO
from tests.factories.fieldwork import image_bytes, upload
from tests.factories.outreach import (
    AwarenessDriveFactory,
    CampaignFactory,
    CampaignTargetFactory,
    NgoActivityFactory,
)

pytestmark = pytest.mark.django_db


def _activity(world, **overrides):  # type: ignore[no-untyped-def]
    payload = {
        "kind": "child_marriage",
        "district": world.district.pk,
        "held_on": timezone.localdate().isoformat(),
        "persons_reached": 70,
    }
    payload.update(overrides)
    return payload


class TestActivities:
    def test_a_coordinator_logs_for_their_only_ngo(self, ngos, login) -> None:
        response = login(ngos.coord_a).post(
            reverse("api:outreach-activity-create"),
            _activity(ngos),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="a-1",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["ngo"]["id"] == ngos.ngo_a.pk

    def test_the_same_idempotency_key_logs_once(self, ngos, login) -> None:
        client = login(ngos.coord_a)
        url = reverse("api:outreach-activity-create")
        codes = [
            client.post(
                url, _activity(ngos), content_type="application/json", HTTP_IDEMPOTENCY_KEY="same"
            ).status_code
            for _ in range(2)
        ]
        assert codes == [201, 200]
        assert NgoActivity.objects.count() == 1

    def test_a_district_outside_the_ngo_is_400_with_the_clear_message(self, ngos, login) -> None:
        response = login(ngos.coord_b).post(
            reverse("api:outreach-activity-create"),
            _activity(ngos, district=ngos.sibling_district.pk),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["district"] == [str(DISTRICT_OUTSIDE_NGO)]

    def test_naming_another_ngo_is_400(self, ngos, login) -> None:
        response = login(ngos.coord_a).post(
            reverse("api:outreach-activity-create"),
            _activity(ngos, ngo=ngos.ngo_b.pk),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert not NgoActivity.objects.exists()

    @pytest.mark.parametrize(
        "name",
        [
            "api:outreach-activity-detail",
            "api:outreach-activity-update",
            "api:outreach-activity-verify",
        ],
    )
    def test_ngo_a_gets_404_on_ngo_bs_activity(self, ngos, login, name) -> None:
        theirs = NgoActivityFactory(ngo=ngos.ngo_b, district=ngos.district)
        client = login(ngos.coord_a)
        method = client.get if name.endswith("detail") else client.post
        assert method(reverse(name, args=[theirs.pk])).status_code == 404

    def test_ngo_a_gets_404_on_ngo_b(self, ngos, login) -> None:
        response = login(ngos.coord_a).get(reverse("api:outreach-ngo-detail", args=[ngos.ngo_b.pk]))
        assert response.status_code == 404

    def test_the_list_is_the_ngos_own(self, ngos, login) -> None:
        ours = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        NgoActivityFactory(ngo=ngos.ngo_b, district=ngos.district)
        body = login(ngos.coord_a).get(reverse("api:outreach-activity-list")).json()
        assert [row["id"] for row in body["results"]] == [ours.pk]

    def test_police_verify_and_the_ngo_cannot_update_afterwards(self, ngos, login) -> None:
        activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        verified = login(ngos.user(Role.DISTRICT_HEAD)).post(
            reverse("api:outreach-activity-verify", args=[activity.pk]),
            {"note": "ok"},
            content_type="application/json",
        )
        assert verified.json()["is_verified"] is True
        update = login(ngos.coord_a).post(
            reverse("api:outreach-activity-update", args=[activity.pk]),
            _activity(ngos),
            content_type="application/json",
        )
        assert update.status_code == 400
        assert "verified" in str(update.json())

    def test_the_ngo_cannot_verify_its_own_entry(self, ngos, login) -> None:
        activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        response = login(ngos.coord_a).post(
            reverse("api:outreach-activity-verify", args=[activity.pk])
        )
        assert response.status_code == 403

    def test_police_filter_entries_waiting_for_verification(self, ngos, login) -> None:
        waiting = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        NgoActivityFactory(
            ngo=ngos.ngo_a,
            district=ngos.district,
            verified_by=ngos.user(Role.STATE_HQ),
            verified_at=timezone.now(),
        )
        body = (
            login(ngos.user(Role.DISTRICT_HEAD))
            .get(reverse("api:outreach-activity-list"), {"verified": "0"})
            .json()
        )
        assert [row["id"] for row in body["results"]] == [waiting.pk]

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, ngos, login, role) -> None:
        activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district, station=ngos.station)
        client = login(ngos.strangers[role])
        assert (
            client.get(reverse("api:outreach-activity-detail", args=[activity.pk])).status_code
            == 404
        )
        assert (
            client.post(reverse("api:outreach-activity-verify", args=[activity.pk])).status_code
            == 404
        )


class TestDrives:
    def test_create_with_photos_as_multipart(self, world, login) -> None:
        response = login(world.user(Role.SHAKTI_INCHARGE)).post(
            reverse("api:outreach-drive-create"),
            {
                "station": world.station.pk,
                "held_on": timezone.localdate().isoformat(),
                "place": "Kanya Vidyalaya",
                "audience": "girl_students",
                "people_reached": 90,
                "topics": ["helplines", "pocso"],
                "photos": [upload("a.png", image_bytes("PNG"), "image/png")],
            },
        )
        assert response.status_code == 201, response.json()
        assert (response.json()["photo_count"], response.json()["topics"]) == (
            1,
            ["helplines", "pocso"],
        )

    def test_a_bad_photo_is_400_and_nothing_saved(self, world, login) -> None:
        response = login(world.user(Role.SHAKTI_INCHARGE)).post(
            reverse("api:outreach-drive-create"),
            {
                "station": world.station.pk,
                "held_on": timezone.localdate().isoformat(),
                "place": "x",
                "audience": "women",
                "people_reached": 10,
                "topics": ["helplines"],
                "photos": [upload("a.jpg", b"not an image at all")],
            },
        )
        assert response.status_code == 400
        assert "photos" in response.json()
        assert not AwarenessDrive.objects.exists()

    def test_totals_count_distinct_places(self, world, login) -> None:
        AwarenessDriveFactory(station=world.station, place="School A", people_reached=10)
        AwarenessDriveFactory(station=world.station, place="school a", people_reached=15)
        body = login(world.user(Role.STATION_IC)).get(reverse("api:outreach-drive-totals")).json()
        assert body == [
            {
                "id": world.station.pk,
                "code": "VNS-A",
                "name": world.station.name,
                "drives": 2,
                "locations": 1,
                "people_reached": 25,
                "women_girls_reached": 25,
            }
        ]

    @pytest.mark.parametrize("role", Role.values)
    def test_a_stranger_gets_404_on_a_drive(self, world, login, role) -> None:
        drive = AwarenessDriveFactory(station=world.station)
        response = login(world.strangers[role]).get(
            reverse("api:outreach-drive-detail", args=[drive.pk])
        )
        assert response.status_code == 404

    def test_an_ngo_sees_drives_it_organised(self, ngos, login) -> None:
        organised = AwarenessDriveFactory(station=ngos.station, organiser_ngo=ngos.ngo_a)
        AwarenessDriveFactory(station=ngos.station, organiser_ngo=ngos.ngo_b)
        body = login(ngos.coord_a).get(reverse("api:outreach-drive-list")).json()
        assert [row["id"] for row in body["results"]] == [organised.pk]


class TestRegistryAndCampaigns:
    def test_state_hq_lists_the_states_ngos(self, ngos, login) -> None:
        body = login(ngos.user(Role.STATE_HQ)).get(reverse("api:outreach-ngo-list")).json()
        assert sorted(row["name"] for row in body["results"]) == ["NGO A", "NGO B"]
        assert (
            login(ngos.strangers[Role.STATE_HQ])
            .get(reverse("api:outreach-ngo-list"))
            .json()["count"]
            == 0
        )

    def test_register_an_ngo(self, world, login) -> None:
        payload = {
            "name": "Sakhi",
            "registration_number": "MP/2020/1",
            "districts": [world.district.pk],
        }
        client = login(world.user(Role.STATE_HQ))
        url = reverse("api:outreach-ngo-create")
        assert client.post(url, payload, content_type="application/json").status_code == 201
        assert client.post(url, payload, content_type="application/json").status_code == 400
        foreign = {**payload, "registration_number": "X/1", "districts": [world.other_district.pk]}
        assert client.post(url, foreign, content_type="application/json").status_code == 400

    def test_campaign_progress_per_district(self, ngos, login) -> None:
        campaign = CampaignFactory(state=ngos.state)
        CampaignTargetFactory(
            campaign=campaign, district=ngos.district, metric="drives", target_value=2
        )
        AwarenessDriveFactory(station=ngos.station, campaign=campaign)
        client = login(ngos.user(Role.STATE_HQ))
        body = client.get(reverse("api:outreach-campaign-progress")).json()
        assert [(r["metric"], r["actual"], r["percent"]) for r in body["results"]] == [
            ("drives", 1, 50)
        ]
        assert [
            c["id"] for c in client.get(reverse("api:outreach-campaign-list")).json()["results"]
        ] == [campaign.pk]
        assert (
            login(ngos.strangers[Role.STATE_HQ])
            .get(reverse("api:outreach-campaign-progress"))
            .json()["count"]
            == 0
        )


@pytest.mark.parametrize(
    "name",
    [
        "api:outreach-drive-list",
        "api:outreach-drive-totals",
        "api:outreach-ngo-list",
        "api:outreach-activity-list",
        "api:outreach-campaign-list",
        "api:outreach-campaign-progress",
    ],
)
def test_list_query_counts_are_flat(ngos, login, django_assert_max_num_queries, name) -> None:
    campaign = CampaignFactory(state=ngos.state)
    for index in range(30):
        AwarenessDriveFactory(
            station=ngos.station, campaign=campaign, topics=["pocso", "helplines"]
        )
        NgoActivityFactory(
            ngo=ngos.ngo_a, district=ngos.district, campaign=campaign, station=ngos.station
        )
        CampaignFactory(state=ngos.state, code=f"c-{index}")
    for metric in ("activities", "drives", "persons_reached", "persons_rescued"):
        CampaignTargetFactory(campaign=campaign, district=ngos.district, metric=metric)
    client = login(ngos.user(Role.STATE_HQ))
    # session, user, postings, count, rows, prefetches, and the session save (3 statements)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(name), {"limit": 100}).status_code == 200


def test_recording_a_drive_at_a_stranger_station_is_404(world, login) -> None:
    response = login(world.strangers[Role.SHAKTI_INCHARGE]).post(
        reverse("api:outreach-drive-create"),
        {
            "station": world.station.pk,
            "held_on": timezone.localdate().isoformat(),
            "place": "x",
            "audience": "women",
            "people_reached": 10,
            "topics": ["helplines"],
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not AwarenessDrive.objects.exists()


def test_police_cannot_log_ngo_activities_through_the_api(ngos, login) -> None:
    response = login(ngos.user(Role.DISTRICT_HEAD)).post(
        reverse("api:outreach-activity-create"), _activity(ngos), content_type="application/json"
    )
    assert response.status_code == 400
    assert not NgoActivity.objects.exists()


@pytest.mark.parametrize(
    "name", ["api:outreach-drive-detail", "api:outreach-ngo-detail", "api:outreach-activity-detail"]
)
def test_detail_query_counts_are_flat(ngos, login, django_assert_max_num_queries, name) -> None:
    drive = AwarenessDriveFactory(
        station=ngos.station, topics=["pocso", "helplines", "legal_rights"]
    )
    activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district, station=ngos.station)
    pk = {
        "api:outreach-drive-detail": drive.pk,
        "api:outreach-ngo-detail": ngos.ngo_a.pk,
        "api:outreach-activity-detail": activity.pk,
    }[name]
    client = login(ngos.user(Role.STATE_HQ))
    with django_assert_max_num_queries(10):
        assert client.get(reverse(name, args=[pk])).status_code == 200
