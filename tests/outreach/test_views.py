"""Outreach pages: the NGO quick log and its scoping, verification, drives with photos."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from outreach.models import AwarenessDrive, DrivePhoto, NgoActivity
from outreach.services import DISTRICT_OUTSIDE_NGO
from tests.factories.fieldwork import image_bytes, upload
from tests.factories.outreach import (
    AwarenessDriveFactory,
    CampaignFactory,
    CampaignTargetFactory,
    NgoActivityFactory,
    NgoFactory,
)

pytestmark = pytest.mark.django_db


def _activity_post(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "ngo": world.ngo_a.pk,
        "kind": "good_touch_bad_touch",
        "held_on": timezone.localdate().isoformat(),
        "district": world.district.pk,
        "station": "",
        "campaign": "",
        "place": "Primary school",
        "persons_reached": "80",
        "persons_rescued": "0",
        "description": "",
        "token": "t-1",
    }
    data.update(overrides)
    return data


def _drive_post(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "station": world.station.pk,
        "held_on": timezone.localdate().isoformat(),
        "place": "Govt. Girls Inter College",
        "audience": "girl_students",
        "people_reached": "150",
        "topics": ["helplines", "self_defence"],
        "token": "d-1",
    }
    data.update(overrides)
    return data


class TestNgoQuickLog:
    def test_a_coordinator_logs_an_activity(self, ngos, login) -> None:
        client = login(ngos.coord_a)
        page = client.get(reverse("outreach:activity_create"))
        assert page.status_code == 200
        districts = list(page.context["form"].fields["district"].queryset)
        assert districts == sorted([ngos.district, ngos.sibling_district], key=lambda d: d.name)
        response = client.post(reverse("outreach:activity_create"), _activity_post(ngos))
        activity = NgoActivity.objects.get()
        assert response["Location"] == reverse("outreach:activity_detail", args=[activity.pk])
        assert activity.ngo == ngos.ngo_a

    def test_a_district_outside_the_ngos_districts_gets_a_clear_error(self, ngos, login) -> None:
        response = login(ngos.coord_b).post(
            reverse("outreach:activity_create"),
            _activity_post(ngos, ngo=ngos.ngo_b.pk, district=ngos.sibling_district.pk),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["district"] == [str(DISTRICT_OUTSIDE_NGO)]
        assert str(DISTRICT_OUTSIDE_NGO) in response.content.decode()
        assert not NgoActivity.objects.exists()

    def test_a_coordinator_cannot_log_for_another_ngo(self, ngos, login) -> None:
        response = login(ngos.coord_a).post(
            reverse("outreach:activity_create"), _activity_post(ngos, ngo=ngos.ngo_b.pk)
        )
        assert "ngo" in response.context["form"].errors
        assert not NgoActivity.objects.exists()

    def test_a_double_submit_logs_once(self, ngos, login) -> None:
        client = login(ngos.coord_a)
        for _ in range(2):
            client.post(reverse("outreach:activity_create"), _activity_post(ngos))
        assert NgoActivity.objects.count() == 1

    def test_police_cannot_open_the_ngo_quick_log(self, ngos, login) -> None:
        response = login(ngos.user(Role.STATION_IC)).get(reverse("outreach:activity_create"))
        assert response.status_code == 403


class TestNgoRecordsAreTheirOwn:
    @pytest.mark.parametrize(
        "name", ["outreach:activity_detail", "outreach:activity_edit", "outreach:activity_verify"]
    )
    def test_ngo_a_gets_404_on_ngo_bs_activity(self, ngos, login, name) -> None:
        theirs = NgoActivityFactory(ngo=ngos.ngo_b, district=ngos.district)
        client = login(ngos.coord_a)
        method = client.post if name.endswith("verify") else client.get
        assert method(reverse(name, args=[theirs.pk])).status_code == 404

    def test_ngo_a_gets_404_on_ngo_b(self, ngos, login) -> None:
        client = login(ngos.coord_a)
        assert client.get(reverse("outreach:ngo_detail", args=[ngos.ngo_b.pk])).status_code == 404
        assert client.get(reverse("outreach:ngo_detail", args=[ngos.ngo_a.pk])).status_code == 200

    def test_the_activity_list_holds_only_their_ngos_records(self, ngos, login) -> None:
        ours = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        NgoActivityFactory(ngo=ngos.ngo_b, district=ngos.district)
        page = login(ngos.coord_a).get(reverse("outreach:activity_list"))
        assert list(page.context["page"]) == [ours]

    def test_a_verified_entry_cannot_be_edited(self, ngos, login) -> None:
        activity = NgoActivityFactory(
            ngo=ngos.ngo_a,
            district=ngos.district,
            verified_by=ngos.user(Role.DISTRICT_HEAD),
            verified_at=timezone.now(),
        )
        client = login(ngos.coord_a)
        assert client.get(reverse("outreach:activity_edit", args=[activity.pk])).status_code == 403
        response = client.post(
            reverse("outreach:activity_edit", args=[activity.pk]), _activity_post(ngos)
        )
        assert response.status_code == 403
        activity.refresh_from_db()
        assert activity.kind == "pocso_awareness"

    def test_an_unverified_entry_can_be_corrected(self, ngos, login) -> None:
        activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        response = login(ngos.coord_a).post(
            reverse("outreach:activity_edit", args=[activity.pk]),
            _activity_post(ngos, persons_reached="99"),
        )
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.persons_reached == 99


class TestVerification:
    def test_the_district_head_verifies_from_the_detail_page(self, ngos, login) -> None:
        activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district)
        client = login(ngos.user(Role.DISTRICT_HEAD))
        page = client.get(reverse("outreach:activity_detail", args=[activity.pk]))
        assert page.context["may_verify"] is True
        client.post(reverse("outreach:activity_verify", args=[activity.pk]), {"note": "seen"})
        activity.refresh_from_db()
        assert activity.verification_note == "seen"

    def test_a_station_officer_cannot_verify_a_district_level_entry(self, ngos, login) -> None:
        activity = NgoActivityFactory(
            ngo=ngos.ngo_a, district=ngos.district, station=ngos.sibling_station
        )
        response = login(ngos.user(Role.STATION_IC)).post(
            reverse("outreach:activity_verify", args=[activity.pk])
        )
        assert response.status_code == 404  # not in their jurisdiction at all

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404(self, ngos, login, role) -> None:
        activity = NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district, station=ngos.station)
        client = login(ngos.strangers[role])
        assert (
            client.get(reverse("outreach:activity_detail", args=[activity.pk])).status_code == 404
        )
        assert client.get(reverse("outreach:ngo_detail", args=[ngos.ngo_a.pk])).status_code == 404


class TestDrives:
    def test_recording_a_drive_with_photos(self, world, login) -> None:
        client = login(world.user(Role.SHAKTI_INCHARGE))
        assert client.get(reverse("outreach:drive_create")).status_code == 200
        response = client.post(
            reverse("outreach:drive_create"),
            _drive_post(
                world,
                photos=[upload("a.jpg", image_bytes()), upload("b.webp", image_bytes("WEBP"))],
            ),
        )
        drive = AwarenessDrive.objects.get()
        assert response["Location"] == reverse("outreach:drive_detail", args=[drive.pk])
        assert drive.photos.count() == 2
        photo = drive.photos.first()
        served = client.get(reverse("outreach:drive_photo", args=[drive.pk, photo.pk]))
        assert served["Content-Type"] in {"image/jpeg", "image/webp"}
        assert served["Cache-Control"] == "private, no-store"
        assert served["Content-Disposition"].startswith('attachment; filename="drive-photo-')
        assert served["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
        assert served["X-Content-Type-Options"] == "nosniff"

    @pytest.mark.parametrize(
        ("name", "data", "content_type"),
        [
            ("notes.pdf", b"%PDF-1.4 a document", "application/pdf"),
            ("virus.jpg", b"MZ\x90\x00 an executable named jpg", "image/jpeg"),
            ("anim.gif", image_bytes("GIF"), "image/gif"),
        ],
    )
    def test_a_wrong_file_type_is_refused_and_nothing_saved(
        self, world, login, name, data, content_type
    ) -> None:
        response = login(world.user(Role.SHAKTI_INCHARGE)).post(
            reverse("outreach:drive_create"),
            _drive_post(world, photos=[upload(name, data, content_type)]),
        )
        assert response.status_code == 200
        assert (
            "This file is not a photo we can use. Upload a JPEG, PNG or WebP image."
            in response.content.decode()
        )
        assert not AwarenessDrive.objects.exists()
        assert not DrivePhoto.objects.exists()

    def test_a_too_large_photo_is_refused_and_nothing_saved(self, world, login, settings) -> None:
        settings.UPLOAD_MAX_BYTES = 10_000
        big = upload("big.png", image_bytes("PNG", (600, 600)) + b"\0" * 20_000, "image/png")
        response = login(world.user(Role.SHAKTI_INCHARGE)).post(
            reverse("outreach:drive_create"), _drive_post(world, photos=[big])
        )
        assert "the largest allowed is 9.8\xa0KB" in response.content.decode()
        assert not AwarenessDrive.objects.exists()

    def test_a_stranger_cannot_record_at_our_station(self, world, login) -> None:
        response = login(world.strangers[Role.SHAKTI_INCHARGE]).post(
            reverse("outreach:drive_create"), _drive_post(world)
        )
        assert "station" in response.context["form"].errors
        assert not AwarenessDrive.objects.exists()

    @pytest.mark.parametrize("role", Role.values)
    def test_strangers_get_404_on_a_drive_and_its_photos(self, world, login, role) -> None:
        client = login(world.user(Role.SHAKTI_INCHARGE))
        client.post(
            reverse("outreach:drive_create"),
            _drive_post(world, photos=[upload("a.jpg", image_bytes())]),
        )
        drive = AwarenessDrive.objects.get()
        stranger = login(world.strangers[role])
        assert stranger.get(reverse("outreach:drive_detail", args=[drive.pk])).status_code == 404
        photo = drive.photos.get()
        assert (
            stranger.get(reverse("outreach:drive_photo", args=[drive.pk, photo.pk])).status_code
            == 404
        )

    def test_the_drive_list_shows_totals_per_station(self, world, login) -> None:
        AwarenessDriveFactory(station=world.station, place="A", people_reached=40)
        AwarenessDriveFactory(station=world.station, place="a ", people_reached=10)
        AwarenessDriveFactory(station=world.other_station, people_reached=999)
        page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("outreach:drive_list"))
        assert page.context["sum"] == {
            "drives": 2,
            "locations": 1,
            "people_reached": 50,
            "women_girls_reached": 50,
        }


class TestBudgetsAndCampaigns:
    def test_the_drive_form_is_within_budget(self, world, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
        from tests.factories.fieldwork import HotspotFactory

        for _ in range(20):
            HotspotFactory(station=world.station)
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("outreach:drive_create")).status_code == 200

    def test_query_budgets(self, ngos, login, django_assert_max_num_queries) -> None:
        campaign = CampaignFactory(state=ngos.state)
        for _ in range(30):
            AwarenessDriveFactory(
                station=ngos.station, campaign=campaign, topics=["pocso", "helplines"]
            )
            NgoActivityFactory(
                ngo=ngos.ngo_a, district=ngos.district, campaign=campaign, station=ngos.station
            )
        for metric in ("activities", "drives", "persons_reached"):
            CampaignTargetFactory(campaign=campaign, district=ngos.district, metric=metric)
        police = login(ngos.user(Role.STATE_HQ))
        for url in (
            reverse("outreach:drive_list"),
            reverse("outreach:activity_list"),
            reverse("outreach:ngo_list"),
            reverse("outreach:campaign_list"),
            reverse("outreach:drive_detail", args=[AwarenessDrive.objects.first().pk]),
            reverse("outreach:ngo_detail", args=[ngos.ngo_a.pk]),
            reverse("outreach:ngo_create"),
            reverse("outreach:activity_detail", args=[NgoActivity.objects.first().pk]),
        ):
            with django_assert_max_num_queries(14):
                assert police.get(url).status_code == 200, url
        ngo = login(ngos.coord_a)
        activity = NgoActivity.objects.first()
        for url in (
            reverse("outreach:activity_list"),
            reverse("outreach:activity_create"),
            reverse("outreach:activity_edit", args=[activity.pk]),
            reverse("outreach:ngo_list"),
        ):
            with django_assert_max_num_queries(14):
                assert ngo.get(url).status_code == 200, url

    def test_state_hq_sees_campaign_progress(self, ngos, login) -> None:
        campaign = CampaignFactory(state=ngos.state, name="Sambal")
        CampaignTargetFactory(campaign=campaign, district=ngos.district, target_value=4)
        NgoActivityFactory(ngo=ngos.ngo_a, district=ngos.district, campaign=campaign)
        page = login(ngos.user(Role.STATE_HQ)).get(reverse("outreach:campaign_list"))
        (row,) = page.context["progress"]
        assert (row.actual, row.percent) == (1, 25)

    def test_state_hq_registers_an_ngo(self, world, login) -> None:
        client = login(world.user(Role.STATE_HQ))
        response = client.post(
            reverse("outreach:ngo_create"),
            {
                "name": "Udaan Foundation",
                "registration_number": "mp/2019/123",
                "districts": [world.district.pk],
            },
        )
        assert response.status_code == 302
        again = client.post(
            reverse("outreach:ngo_create"),
            {
                "name": "Udaan 2",
                "registration_number": "MP/2019/123",
                "districts": [world.district.pk],
            },
        )
        assert again.status_code == 200
        assert again.context["form"].errors["registration_number"]

    def test_a_district_head_may_not_register_ngos(self, world, login) -> None:
        assert (
            login(world.user(Role.DISTRICT_HEAD)).get(reverse("outreach:ngo_create")).status_code
            == 403
        )


def test_ngo_b_is_invisible_in_the_registry_for_ngo_a(ngos, login) -> None:
    NgoFactory(districts=[ngos.district])
    page = login(ngos.coord_a).get(reverse("outreach:ngo_list"))
    assert [n.name for n in page.context["page"]] == ["NGO A"]
