"""Broadcast pages and API: the cyber cell works, strangers get 404, queries stay flat."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from broadcasts import lifecycle
from broadcasts.models import Broadcast
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broadcast(world, awareness) -> Broadcast:  # type: ignore[no-untyped-def]
    CitizenFactory.create_batch(3, station=world.station)
    return lifecycle.create_broadcast(
        district=world.district,
        title="OTP fraud",
        template=awareness,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
    )


class TestPages:
    def test_cyber_cell_composes_a_broadcast_and_sees_the_preview(
        self, world, login, awareness
    ) -> None:
        CitizenFactory.create_batch(4, station=world.station)
        client = login(world.user(Role.CYBER_CELL))
        assert client.get(reverse("broadcasts:create")).status_code == 200
        response = client.post(
            reverse("broadcasts:create"),
            {
                "district": world.district.pk,
                "title": "Video-call extortion",
                "topic": "cyber_fraud",
                "template": awareness.pk,
                "parameter_1": "Varanasi",
            },
        )
        broadcast = Broadcast.objects.get(title="Video-call extortion")
        assert response["Location"] == reverse("broadcasts:detail", args=[broadcast.pk])
        page = client.get(response["Location"])
        assert page.context["preview"].recipients == 4
        assert "Varanasi" in page.context["sample_text"]

    def test_missing_template_value_is_a_clear_form_error(self, world, login, awareness) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("broadcasts:create"),
            {
                "district": world.district.pk,
                "title": "x",
                "topic": "other",
                "template": awareness.pk,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not Broadcast.objects.exists()

    def test_another_districts_cyber_cell_gets_404_everywhere(
        self, world, login, broadcast
    ) -> None:
        client = login(world.strangers[Role.CYBER_CELL])
        for name in ("broadcasts:detail", "broadcasts:progress"):
            assert client.get(reverse(name, args=[broadcast.pk])).status_code == 404
        response = client.post(reverse("broadcasts:action", args=[broadcast.pk, "submit"]))
        assert response.status_code == 404
        broadcast.refresh_from_db()
        assert broadcast.status == Broadcast.Status.DRAFT

    def test_station_ic_sees_a_broadcast_reaching_the_station_but_cannot_act(
        self, world, login, broadcast
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        page = client.get(reverse("broadcasts:detail", args=[broadcast.pk]))
        assert page.status_code == 200
        assert page.context["may_act"] is False
        client.post(reverse("broadcasts:action", args=[broadcast.pk, "submit"]))
        broadcast.refresh_from_db()
        assert broadcast.status == Broadcast.Status.DRAFT
        assert client.get(reverse("broadcasts:create")).status_code == 404

    def test_maker_checker_through_the_pages(
        self, world, login, broadcast, checker, settings
    ) -> None:
        settings.BROADCAST_APPROVAL_THRESHOLD = 1
        maker = login(world.user(Role.CYBER_CELL))
        maker.post(reverse("broadcasts:action", args=[broadcast.pk, "submit"]))
        maker.post(reverse("broadcasts:action", args=[broadcast.pk, "approve"]))
        broadcast.refresh_from_db()
        assert broadcast.status == Broadcast.Status.AWAITING_APPROVAL
        login(checker).post(reverse("broadcasts:action", args=[broadcast.pk, "approve"]))
        broadcast.refresh_from_db()
        assert broadcast.status == Broadcast.Status.SCHEDULED

    def test_list_query_count_is_flat(
        self, world, login, awareness, django_assert_max_num_queries
    ) -> None:
        CitizenFactory(station=world.station)
        for n in range(15):
            lifecycle.create_broadcast(
                district=world.district,
                title=f"B{n}",
                template=awareness,
                parameters=["V"],
                by=world.user(Role.CYBER_CELL),
            )
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("broadcasts:list")).status_code == 200

    def test_detail_query_budget(
        self, world, login, broadcast, django_assert_max_num_queries
    ) -> None:
        client = login(world.user(Role.CYBER_CELL))
        with django_assert_max_num_queries(20):
            client.get(reverse("broadcasts:detail", args=[broadcast.pk]))

    def test_sandbox_phone_is_for_broadcasters_only(self, world, login) -> None:
        assert (
            login(world.user(Role.CYBER_CELL)).get(reverse("broadcasts:sandbox_phone")).status_code
            == 200
        )
        assert (
            login(world.user(Role.STATION_IC)).get(reverse("broadcasts:sandbox_phone")).status_code
            == 404
        )


class TestApi:
    def test_create_submit_and_read_back(self, world, login, awareness) -> None:
        CitizenFactory.create_batch(2, station=world.station)
        client = login(world.user(Role.CYBER_CELL))
        created = client.post(
            reverse("api:broadcasts-broadcast-create"),
            {
                "district": world.district.code,
                "title": "API",
                "template": awareness.pk,
                "parameters": ["Varanasi"],
                "stations": [world.station.code],
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        submitted = client.post(
            reverse("api:broadcasts-broadcast-action", args=[pk, "submit"]),
            {},
            content_type="application/json",
        )
        assert submitted.json()["status"] == "scheduled"
        detail = client.get(reverse("api:broadcasts-broadcast-detail", args=[pk])).json()
        assert detail["recipient_count"] == 2

    def test_stranger_gets_404_and_cannot_create_in_our_district(
        self, world, login, broadcast, awareness
    ) -> None:
        client = login(world.strangers[Role.CYBER_CELL])
        assert (
            client.get(reverse("api:broadcasts-broadcast-detail", args=[broadcast.pk])).status_code
            == 404
        )
        assert (
            client.post(
                reverse("api:broadcasts-broadcast-action", args=[broadcast.pk, "cancel"]),
                {},
                content_type="application/json",
            ).status_code
            == 404
        )
        response = client.post(
            reverse("api:broadcasts-broadcast-create"),
            {
                "district": world.district.code,
                "title": "x",
                "template": awareness.pk,
                "parameters": ["V"],
            },
            content_type="application/json",
        )
        assert response.status_code == 404
        assert broadcast.pk not in [
            b["id"] for b in client.get(reverse("api:broadcasts-broadcast-list")).json()["results"]
        ]

    def test_maker_cannot_approve_own_broadcast_via_api(
        self, world, login, broadcast, settings
    ) -> None:
        settings.BROADCAST_APPROVAL_THRESHOLD = 1
        client = login(world.user(Role.CYBER_CELL))
        client.post(
            reverse("api:broadcasts-broadcast-action", args=[broadcast.pk, "submit"]),
            {},
            content_type="application/json",
        )
        response = client.post(
            reverse("api:broadcasts-broadcast-action", args=[broadcast.pk, "approve"]),
            {},
            content_type="application/json",
        )
        assert response.status_code == 403

    def test_list_query_count_is_flat(
        self, world, login, awareness, django_assert_max_num_queries
    ) -> None:
        CitizenFactory(station=world.station)
        for n in range(20):
            lifecycle.create_broadcast(
                district=world.district,
                title=f"B{n}",
                template=awareness,
                parameters=["V"],
                by=world.user(Role.CYBER_CELL),
            )
        client = login(world.user(Role.CYBER_CELL))
        with django_assert_max_num_queries(8):
            assert client.get(reverse("api:broadcasts-broadcast-list")).json()["count"] == 20
