"""Groups API: scoped lists and details, nominations create/approve/reject, idempotency keys."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from accounts.models import Role
from groups import services
from groups.models import Nomination
from tests.factories.groups import ExclusionEntryFactory, GroupFactory
from tests.groups.conftest import next_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(group, nominate):  # type: ignore[no-untyped-def]
    return nominate(group, name="Payel Saha")


@pytest.fixture
def member(group, nominate, ic, templates):  # type: ignore[no-untyped-def]
    return services.approve_nomination(nomination=nominate(group), by=ic).membership


def _body(phone: str | None = None, **extra: object) -> dict[str, object]:
    return {
        "source": "officer",
        "nominee_name": "তনুশ্রী দে",
        "nominee_phone": phone or next_phone(),
        "nominee_language": "bn",
        "nominee_consent": True,
        **extra,
    }


class TestGroups:
    def test_list_shows_seats_left_and_pending_counts(self, world, login, group, pending) -> None:
        response = login(world.user(Role.STATION_IC)).get(reverse("api:groups-group-list"))
        [row] = response.json()["results"]
        assert row["seats_left"] == 5 and row["pending_count"] == 1
        assert row["invite_link"] == group.invite_link
        assert row["abilities"]["decide"] is True

    def test_the_invite_link_is_hidden_from_non_admins(self, world, login, group) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:groups-group-detail", args=[group.pk])
        )
        assert response.status_code == 200 and response.json()["invite_link"] is None

    def test_list_query_count_is_flat(self, world, login, django_assert_max_num_queries) -> None:
        for _ in range(40):
            GroupFactory(station=world.station)
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(10):
            response = client.get(reverse("api:groups-group-list"), {"limit": 100})
        assert response.json()["count"] == 40

    def test_anonymous_callers_are_refused(self, client, group) -> None:
        assert client.get(reverse("api:groups-group-list")).status_code == 403


class TestStrangers:
    @pytest.mark.parametrize("role", Role.values)
    def test_every_endpoint_is_404_for_a_user_of_another_state(
        self, world, login, role, group, pending, member
    ) -> None:
        client = login(world.strangers[role])
        gets = [
            reverse("api:groups-group-detail", args=[group.pk]),
            reverse("api:groups-nomination-list", args=[group.pk]),
            reverse("api:groups-membership-list", args=[group.pk]),
            reverse("api:groups-nomination-detail", args=[pending.pk]),
            reverse("api:groups-membership-detail", args=[member.pk]),
        ]
        posts = [
            (reverse("api:groups-nomination-create", args=[group.pk]), _body()),
            (reverse("api:groups-nomination-approve", args=[pending.pk]), {}),
            (reverse("api:groups-nomination-reject", args=[pending.pk]), {"reason": "x"}),
        ]
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url, body in posts:
            assert client.post(url, body, content_type="application/json").status_code == 404, url
        assert client.get(reverse("api:groups-group-list")).json()["count"] == 0
        assert Nomination.objects.count() == 2


class TestNominations:
    def test_an_officer_nominates_and_gets_the_screening_result(self, world, login, group) -> None:
        ExclusionEntryFactory(district=world.district, names=["Tanushree Dey"])
        response = login(world.user(Role.STATION_OFFICER)).post(
            reverse("api:groups-nomination-create", args=[group.pk]),
            _body("+91 98765-43210"),
            content_type="application/json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "screened" and body["nominee_phone"] == "+919876543210"
        assert body["is_blocked"] is True and body["screening"][0]["by"] == "name"

    def test_an_invalid_phone_is_a_400_with_the_reason(self, world, login, group) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("api:groups-nomination-create", args=[group.pk]),
            _body("12345"),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "valid phone number" in response.json()["nominee_phone"][0]

    def test_a_duplicate_is_a_409(self, world, login, group) -> None:
        client = login(world.user(Role.STATION_IC))
        url = reverse("api:groups-nomination-create", args=[group.pk])
        body = _body("9876543210")
        assert client.post(url, body, content_type="application/json").status_code == 201
        second = client.post(url, body, content_type="application/json")
        assert second.status_code == 409 and second.json()["code"] == "duplicate"

    def test_an_idempotency_key_replays_the_first_response(self, world, login, group) -> None:
        client = login(world.user(Role.STATION_IC))
        url = reverse("api:groups-nomination-create", args=[group.pk])
        key = str(uuid.uuid4())
        body = _body()
        first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
        assert Nomination.objects.count() == 1
        other = client.post(url, _body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert other.status_code == 422

    def test_idempotency_keys_are_per_user(self, world, login, group) -> None:
        key = str(uuid.uuid4())
        url = reverse("api:groups-nomination-create", args=[group.pk])
        for role in (Role.STATION_IC, Role.STATION_OFFICER):
            response = login(world.user(role)).post(
                url, _body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
            )
            assert response.status_code == 201
        assert Nomination.objects.count() == 2

    def test_approve_takes_a_seat_and_reports_the_invite(
        self, world, login, group, pending, templates
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        key = str(uuid.uuid4())
        url = reverse("api:groups-nomination-approve", args=[pending.pk])
        response = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        replay = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == replay.status_code == 200
        assert response.json()["outcome"] == "approved" and response.json()["membership"]
        assert replay.json() == response.json()
        group.refresh_from_db()
        assert group.seats_taken == 1

    def test_a_blocked_approval_is_a_409(self, world, login, group, nominate) -> None:
        phone = next_phone()
        ExclusionEntryFactory(district=world.district, phones=[phone])
        blocked = nominate(group, phone=phone)
        response = login(world.user(Role.STATION_IC)).post(
            reverse("api:groups-nomination-approve", args=[blocked.pk]),
            {},
            content_type="application/json",
        )
        assert response.status_code == 409 and response.json()["outcome"] == "blocked"

    def test_reject_needs_a_reason_and_an_authorised_officer(self, world, login, pending) -> None:
        url = reverse("api:groups-nomination-reject", args=[pending.pk])
        head = login(world.user(Role.DISTRICT_HEAD))
        assert head.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
        ic = login(world.user(Role.STATION_IC))
        assert ic.post(url, {"reason": ""}, content_type="application/json").status_code == 400
        done = ic.post(url, {"reason": "Outside area"}, content_type="application/json")
        assert done.status_code == 200 and done.json()["status"] == "rejected"

    def test_nomination_list_query_count_is_flat(
        self, world, login, group, nominate, django_assert_max_num_queries
    ) -> None:
        for i in range(30):
            nominate(group, name=f"N {i}")
        client = login(world.user(Role.STATION_IC))
        with django_assert_max_num_queries(10):
            response = client.get(reverse("api:groups-nomination-list", args=[group.pk]))
        assert response.json()["count"] == 30


class TestMemberships:
    def test_list_and_detail(self, world, login, group, member) -> None:
        client = login(world.user(Role.STATION_IC))
        rows = client.get(reverse("api:groups-membership-list", args=[group.pk])).json()
        assert rows["count"] == 1 and rows["results"][0]["phone"] == member.citizen.phone
        assert rows["results"][0]["invite_status"] == "pending"
        detail = client.get(reverse("api:groups-membership-detail", args=[member.pk]))
        assert detail.json()["strikes"] == 0

    def test_phones_are_masked_for_non_admins(self, world, login, group, member) -> None:
        rows = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("api:groups-membership-list", args=[group.pk])
        )
        assert rows.json()["results"][0]["phone"] == member.citizen.masked_phone

    def test_list_query_count_is_flat(
        self, world, login, nominate, ic, templates, django_assert_max_num_queries
    ) -> None:
        group = GroupFactory(station=world.station, capacity=50, admins=[ic])
        for _ in range(30):
            services.approve_nomination(nomination=nominate(group), by=ic)
        client = login(ic)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("api:groups-membership-list", args=[group.pk]))
        assert response.json()["count"] == 30

    def test_the_schema_documents_the_endpoints(self, world, login) -> None:
        response = login(world.user(Role.STATE_HQ)).get(reverse("api-schema"))
        assert b"/api/v1/groups/nominations/{id}/approve/" in response.content
