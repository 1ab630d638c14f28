# ruff: noqa: F811 - the shared fixtures are imported by name and used as parameters
"""Complaint pages and API: scoping, identity behind a reason, invalid input, query budgets."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from complaints.models import Complaint, IdentityAccessLog, VictimIdentity
from tests.complaints.intake_fixtures import assigned_officer, complaint  # noqa: F401
from tests.factories.complaints_intake import PLANTED_NAME, PLANTED_PHONE, make_complaint

pytestmark = pytest.mark.django_db
PLANTED = PLANTED_NAME.encode()


def _urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("complaints:complaint_detail", args=[pk])),
        ("post", reverse("complaints:complaint_identity", args=[pk])),
        ("post", reverse("complaints:complaint_status", args=[pk])),
        ("post", reverse("complaints:complaint_assign", args=[pk])),
        ("get", reverse("api:complaints-complaint-detail", args=[pk])),
    ]


class TestScoping:
    @pytest.mark.parametrize("role", list(Role.values))
    def test_a_user_of_another_area_gets_404_on_every_complaint_url(
        self, world, login, complaint, role
    ) -> None:
        client = login(world.strangers[role])
        for method, url in _urls(complaint.pk):
            data = {"reason": "x", "status": "withdrawn", "officer": "1"}
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            assert response.status_code == 404, (role, url)
        assert IdentityAccessLog.objects.count() == 0

    def test_an_officer_of_a_sibling_station_gets_404(self, world, login, complaint) -> None:
        elsewhere = make_complaint(station=world.sibling_station)
        client = login(world.user(Role.STATION_OFFICER))
        assert (
            client.get(reverse("complaints:complaint_detail", args=[elsewhere.pk])).status_code
            == 404
        )
        assert (
            client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).status_code
            == 200
        )

    def test_a_missing_complaint_is_a_404_like_a_foreign_one(self, world, login) -> None:
        client = login(world.user(Role.STATION_IC))
        for method, url in _urls(999999):
            assert getattr(client, method)(url).status_code == 404

    def test_the_queue_and_the_api_list_show_only_the_users_area(
        self, world, login, complaint
    ) -> None:
        foreign = make_complaint(station=world.other_station)
        for user, sees in [
            (world.user(Role.STATION_OFFICER), True),
            (world.user(Role.DISTRICT_HEAD), True),
            (world.user(Role.STATE_HQ), True),
            (world.user(Role.NGO_COORDINATOR), False),
            (world.strangers[Role.STATION_IC], False),
        ]:
            client = login(user)
            page = client.get(reverse("complaints:complaint_queue")).content.decode()
            api = client.get(reverse("api:complaints-complaint-list")).json()
            numbers = [row["tracking_number"] for row in api["results"]]
            assert (complaint.tracking_number in page) is sees, user
            assert (complaint.tracking_number in numbers) is sees, user
            assert (foreign.tracking_number in page) is (user == world.strangers[Role.STATION_IC])

    def test_anonymous_users_are_sent_to_log_in(self, client, complaint) -> None:
        response = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
        assert response.status_code == 302
        assert client.get(reverse("api:complaints-complaint-list")).status_code in {401, 403}


class TestPlantedNameNeverLeaks:
    def test_no_list_search_api_audit_history_or_log_output_carries_the_name(
        self, world, login, complaint, assigned_officer, caplog
    ) -> None:
        caplog.set_level(logging.DEBUG)
        users = [*world.users.values(), *world.strangers.values(), assigned_officer]
        for user in users:
            client = login(user)
            for url, params in [
                (reverse("complaints:complaint_queue"), {}),
                (reverse("complaints:complaint_queue"), {"q": complaint.tracking_number}),
                (reverse("complaints:complaint_queue"), {"all": "1"}),
                (reverse("api:complaints-complaint-list"), {}),
                (reverse("api:complaints-complaint-detail", args=[complaint.pk]), {}),
                (reverse("complaints:complaint_detail", args=[complaint.pk]), {}),
            ]:
                response = client.get(url, params)
                assert PLANTED not in response.content, (user.username, url, params)
                assert PLANTED_PHONE.encode() not in response.content
        # Searching by the name finds nothing (identity is not searchable); the page only
        # echoes the searcher's own words back in the search box.
        ic = login(world.user(Role.STATION_IC))
        found = ic.get(reverse("api:complaints-complaint-list"), {"q": PLANTED_NAME}).json()
        assert found["count"] == 0
        page = ic.get(reverse("complaints:complaint_queue"), {"q": PLANTED_NAME}).content
        assert b'data-testid="complaint-row"' not in page
        assert complaint.tracking_number.encode() not in page
        assert (
            complaint.tracking_number.encode()
            in ic.get(
                reverse("complaints:complaint_queue"), {"q": complaint.tracking_number[-5:]}
            ).content
        )
        for event in AuditEvent.objects.all():
            assert PLANTED_NAME not in f"{event.target_repr} {event.data}"
        history = Complaint.history.all()  # type: ignore[attr-defined]
        assert history.exists()
        assert all(PLANTED_NAME not in str(row.__dict__) for row in history)
        assert PLANTED_NAME not in caplog.text
        assert PLANTED_NAME not in str(complaint) + repr(complaint)


class TestIdentityPanel:
    @pytest.mark.parametrize("role", [Role.STATION_IC, Role.SHAKTI_INCHARGE])
    def test_a_permitted_role_sees_it_after_giving_a_reason(
        self, world, login, complaint, role
    ) -> None:
        client = login(world.user(role))
        detail = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
        assert b'data-testid="reveal-form"' in detail.content
        assert PLANTED not in detail.content
        url = reverse("complaints:complaint_identity", args=[complaint.pk])
        shown = client.post(url, {"reason": "Counselling call"})
        assert shown.status_code == 200
        assert PLANTED in shown.content
        assert shown["Cache-Control"].startswith("no-store") or "no-store" in shown["Cache-Control"]
        log = IdentityAccessLog.objects.get()
        assert (log.user, log.reason, log.ip_address) == (
            world.user(role),
            "Counselling call",
            "127.0.0.1",
        )
        # Next plain view: hidden again.
        again = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
        assert PLANTED not in again.content

    def test_the_assigned_officer_sees_it_with_a_reason(
        self, login, complaint, assigned_officer
    ) -> None:
        client = login(assigned_officer)
        url = reverse("complaints:complaint_identity", args=[complaint.pk])
        assert PLANTED in client.post(url, {"reason": "Visit"}).content
        assert IdentityAccessLog.objects.filter(user=assigned_officer).count() == 1

    def test_without_a_reason_it_stays_hidden_with_an_error(self, world, login, complaint) -> None:
        client = login(world.user(Role.STATION_IC))
        url = reverse("complaints:complaint_identity", args=[complaint.pk])
        response = client.post(url, {"reason": "  "})
        assert response.status_code == 400
        assert PLANTED not in response.content
        assert b'data-testid="error-reason"' in response.content
        assert IdentityAccessLog.objects.count() == 0

    @pytest.mark.parametrize(
        "role", [Role.STATION_OFFICER, Role.DISTRICT_HEAD, Role.STATE_HQ, Role.CYBER_CELL]
    )
    def test_other_roles_see_no_form_and_are_refused(self, world, login, complaint, role) -> None:
        client = login(world.user(role))
        detail = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
        assert b'data-testid="reveal-form"' not in detail.content
        url = reverse("complaints:complaint_identity", args=[complaint.pk])
        response = client.post(url, {"reason": "curious"})
        assert response.status_code == 403
        assert PLANTED not in response.content
        assert IdentityAccessLog.objects.count() == 0


class TestRegistrationForm:
    URL = "complaints:complaint_create"

    def _data(self, world, **changes):  # type: ignore[no-untyped-def]
        data = {
            "station": world.station.pk,
            "channel": "desk",
            "category": "domestic_violence",
            "priority": "normal",
            "occurred_on": "",
            "description": "Beaten by husband on Sunday night.",
            "victim_name": PLANTED_NAME,
            "victim_phone": "98123 45678",
            "token": "a" * 32,
        }
        data.update(changes)
        return data

    def test_an_officer_registers_a_complaint_and_lands_on_its_detail(self, world, login) -> None:
        client = login(world.user(Role.SHAKTI_INCHARGE))
        assert client.get(reverse(self.URL)).status_code == 200
        response = client.post(reverse(self.URL), self._data(world))
        complaint = Complaint.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("complaints:complaint_detail", args=[complaint.pk])
        assert complaint.created_by == world.user(Role.SHAKTI_INCHARGE)
        assert VictimIdentity.objects.get().name == PLANTED_NAME
        assert PLANTED not in client.get(response["Location"]).content

    def test_a_double_submit_creates_one_complaint(self, world, login) -> None:
        client = login(world.user(Role.STATION_OFFICER))
        first = client.post(reverse(self.URL), self._data(world))
        second = client.post(reverse(self.URL), self._data(world))
        assert Complaint.objects.count() == 1
        assert first["Location"] == second["Location"]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"description": "   "}, "description"),
            ({"occurred_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "occurred_on"),
            ({"category": "alien_abduction"}, "category"),
            ({"station": "999999"}, "station"),
        ],
    )
    def test_invalid_input_gets_clear_errors_and_saves_nothing(
        self, world, login, changes, field
    ) -> None:
        client = login(world.user(Role.STATION_OFFICER))
        response = client.post(reverse(self.URL), self._data(world, **changes))
        assert response.status_code == 200
        assert f'data-testid="error-{field}"'.encode() in response.content
        assert Complaint.objects.count() == 0
        assert VictimIdentity.objects.count() == 0

    def test_a_station_of_another_area_cannot_be_chosen(self, world, login) -> None:
        client = login(world.user(Role.STATION_OFFICER))
        response = client.post(reverse(self.URL), self._data(world, station=world.other_station.pk))
        assert b'data-testid="error-station"' in response.content
        assert Complaint.objects.count() == 0

    @pytest.mark.parametrize("role", [Role.DISTRICT_HEAD, Role.NGO_COORDINATOR])
    def test_users_without_a_station_posting_cannot_register(self, world, login, role) -> None:
        assert login(world.user(role)).get(reverse(self.URL)).status_code == 404


class TestQuickActions:
    def test_the_ic_assigns_and_moves_the_status(self, world, login, complaint) -> None:
        client = login(world.user(Role.STATION_IC))
        officer = world.user(Role.STATION_OFFICER)
        client.post(
            reverse("complaints:complaint_assign", args=[complaint.pk]), {"officer": officer.pk}
        )
        client.post(
            reverse("complaints:complaint_status", args=[complaint.pk]),
            {"status": "under_enquiry", "note": "Visited"},
        )
        complaint.refresh_from_db()
        assert (complaint.assigned_to, complaint.status) == (officer, "under_enquiry")
        page = client.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
        assert b"Visited" in page.content

    def test_an_illegal_move_shows_an_error_and_changes_nothing(
        self, world, login, complaint
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        response = client.post(
            reverse("complaints:complaint_status", args=[complaint.pk]), {"status": "closed"}
        )
        assert response.status_code == 400
        complaint.refresh_from_db()
        assert complaint.status == "received"

    def test_district_staff_see_but_cannot_move_it(self, world, login, complaint) -> None:
        client = login(world.user(Role.DISTRICT_HEAD))
        response = client.post(
            reverse("complaints:complaint_status", args=[complaint.pk]), {"status": "withdrawn"}
        )
        assert response.status_code == 403
        complaint.refresh_from_db()
        assert complaint.status == "received"


class TestQueueOrder:
    def test_sos_first_then_overdue_then_due_today(self, world, login) -> None:
        import time_machine

        with time_machine.travel(dt.date.today() - dt.timedelta(days=30), tick=False):
            overdue = make_complaint(station=world.station)
        later = make_complaint(station=world.station, category="other")
        today = make_complaint(station=world.station)
        Complaint.objects.filter(pk=today.pk).update(due_on=dt.date.today())
        sos = make_complaint(station=world.station, is_sos=False)
        Complaint.objects.filter(pk=sos.pk).update(
            is_sos=True, due_on=dt.date.today() + dt.timedelta(days=3)
        )
        client = login(world.user(Role.STATION_OFFICER))
        page = client.get(reverse("complaints:complaint_queue")).content.decode()
        positions = [page.index(c.tracking_number) for c in (sos, overdue, today, later)]
        assert positions == sorted(positions)
        api = client.get(reverse("api:complaints-complaint-list")).json()["results"]
        assert [r["tracking_number"] for r in api] == [
            c.tracking_number for c in (sos, overdue, today, later)
        ]


class TestQueryBudgets:
    def test_the_queue_page_and_api_list_stay_within_budget_with_many_rows(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        officer = world.user(Role.STATION_OFFICER)
        for n in range(30):
            make_complaint(station=world.station, by=officer, description=f"Complaint {n}")
        client = login(officer)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("complaints:complaint_queue")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("api:complaints-complaint-list")).status_code == 200

    def test_the_detail_page_stays_within_budget_with_a_long_timeline(
        self, world, login, complaint, django_assert_max_num_queries
    ) -> None:
        from complaints import services

        ic = world.user(Role.STATION_IC)
        for n in range(20):
            services.reveal_identity(complaint=complaint, by=ic, reason=f"call {n}")
        client = login(ic)
        with django_assert_max_num_queries(14):
            assert (
                client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).status_code
                == 200
            )


class TestApiCreate:
    URL = "api:complaints-complaint-create"

    def test_it_registers_and_never_returns_the_identity(self, world, login) -> None:
        client = login(world.user(Role.STATION_OFFICER))
        response = client.post(
            reverse(self.URL),
            {
                "station": world.station.pk,
                "channel": "phone",
                "category": "cyber_fraud",
                "description": "OTP fraud of Rs 20,000",
                "victim_name": PLANTED_NAME,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert PLANTED not in response.content
        assert response.json()["tracking_number"].startswith("VNS-A-")
        assert VictimIdentity.objects.get().name == PLANTED_NAME

    @pytest.mark.parametrize(
        "changes",
        [
            {"description": " "},
            {"category": "unknown"},
            {"occurred_on": "2999-01-01"},
        ],
    )
    def test_invalid_input_is_a_400_and_saves_nothing(self, world, login, changes) -> None:
        client = login(world.user(Role.STATION_OFFICER))
        data = {
            "station": world.station.pk,
            "channel": "desk",
            "category": "stalking",
            "description": "Followed",
        }
        data.update(changes)
        response = client.post(reverse(self.URL), data, content_type="application/json")
        assert response.status_code == 400
        assert Complaint.objects.count() == 0

    def test_a_stranger_cannot_register_at_our_station(self, world, login) -> None:
        client = login(world.strangers[Role.STATION_IC])
        data = {
            "station": world.station.pk,
            "channel": "desk",
            "category": "stalking",
            "description": "x",
        }
        response = client.post(reverse(self.URL), data, content_type="application/json")
        assert response.status_code == 400
        assert Complaint.objects.count() == 0


class TestPublicStatusLookup:
    URL = "complaints:status_lookup"

    def test_the_right_number_and_phone_show_the_status_only(self, client, complaint) -> None:
        response = client.post(
            reverse(self.URL),
            {"tracking_number": complaint.tracking_number.lower(), "phone": "098123 45678"},
        )
        assert b'data-testid="lookup-result"' in response.content
        assert b"Received" in response.content
        assert PLANTED not in response.content
        assert complaint.description.encode() not in response.content

    @pytest.mark.parametrize(
        ("number", "phone"),
        [("right", "+919800000000"), ("VNS-A-2026-99999", PLANTED_PHONE), ("right", "garbage")],
    )
    def test_a_wrong_number_or_phone_gets_the_same_answer(
        self, client, complaint, number, phone
    ) -> None:
        number = complaint.tracking_number if number == "right" else number
        response = client.post(reverse(self.URL), {"tracking_number": number, "phone": phone})
        assert response.status_code == 200
        assert b'data-testid="lookup-not-found"' in response.content
        assert b'data-testid="lookup-result"' not in response.content

    def test_it_is_rate_limited_per_address(self, client, complaint, settings) -> None:
        from django.core.cache import cache

        cache.clear()
        settings.COMPLAINTS_STATUS_LOOKUPS_PER_HOUR = 3
        data = {"tracking_number": complaint.tracking_number, "phone": PLANTED_PHONE}
        codes = [client.post(reverse(self.URL), data).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        cache.clear()
