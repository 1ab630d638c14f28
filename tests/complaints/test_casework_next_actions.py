"""The complaint page says what can be done next and why an action is not available yet."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints import casework, services
from complaints.models import Complaint, ComplaintStatus
from tests.factories import PostingFactory, UserFactory
from tests.factories.complaints_casework import complaint_under_enquiry, fir_values
from tests.factories.complaints_intake import make_complaint

pytestmark = pytest.mark.django_db

ASSIGN_FIRST = "Assign the complaint first."
AWAIT_ENQUIRY = "Available once the complaint is under enquiry"


@pytest.fixture
def ic(world):  # type: ignore[no-untyped-def]
    return world.user(Role.STATION_IC)


@pytest.fixture
def received(world, ic) -> Complaint:  # type: ignore[no-untyped-def]
    return make_complaint(station=world.station, by=ic)


@pytest.fixture
def assigned(world, ic, received) -> Complaint:  # type: ignore[no-untyped-def]
    officer = UserFactory()
    PostingFactory(user=officer, role=Role.STATION_OFFICER, station=world.station)
    return services.assign_complaint(complaint=received, officer=officer, by=ic)


def _page(login, user, complaint) -> str:  # type: ignore[no-untyped-def]
    response = login(user).get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _testid(name: str) -> str:
    return f'data-testid="{name}"'


class TestTheDetailPage:
    def test_a_new_complaint_shows_counselling_and_fir_disabled_with_the_reason(
        self, login, ic, received
    ) -> None:
        html = _page(login, ic, received)
        assert _testid("log-counselling-unavailable") in html
        assert _testid("register-fir-unavailable") in html
        assert _testid("close-complaint-unavailable") in html
        assert _testid("counselling-form") not in html and _testid("fir-form") not in html
        assert html.count(ASSIGN_FIRST) >= 2
        assert _testid("next-step") in html

    def test_an_assigned_complaint_may_be_counselled_and_the_fir_waits_for_the_enquiry(
        self, login, ic, assigned
    ) -> None:
        html = _page(login, ic, assigned)
        assert _testid("counselling-form") in html
        assert _testid("log-counselling-unavailable") not in html
        assert _testid("register-fir-unavailable") in html and AWAIT_ENQUIRY in html
        assert ASSIGN_FIRST not in html

    def test_under_enquiry_everything_is_offered_and_an_arrest_waits_for_the_fir(
        self, world, login, ic
    ) -> None:
        html = _page(login, ic, complaint_under_enquiry(station=world.station, ic=ic))
        for testid in ("counselling-form", "fir-form", "referral-form", "closure-form"):
            assert _testid(testid) in html
        assert _testid("record-arrest-unavailable") in html and "Record the FIR first." in html
        assert _testid("next-step") not in html
        for testid in ("log-counselling", "register-fir", "close-complaint"):
            assert _testid(f"{testid}-unavailable") not in html

    def test_a_withdrawn_complaint_offers_nothing_and_explains_nothing(
        self, login, ic, received
    ) -> None:
        services.change_status(complaint=received, status="withdrawn", by=ic, note="")
        html = _page(login, ic, received)
        assert "-unavailable" not in html

    def test_who_may_not_act_sees_no_disabled_actions(self, world, login, received) -> None:
        html = _page(login, world.user(Role.DISTRICT_HEAD), received)
        assert "-unavailable" not in html and ASSIGN_FIRST not in html


class TestTheRuleAndItsReason:
    @pytest.mark.parametrize(
        ("status", "available", "reason"),
        [
            (ComplaintStatus.RECEIVED, set(), {"counselling", "fir", "arrest", "closure"}),
            (ComplaintStatus.ASSIGNED, {"counselling", "referral"}, {"fir", "arrest", "closure"}),
            (
                ComplaintStatus.UNDER_ENQUIRY,
                {"counselling", "fir", "referral", "closure"},
                {"arrest"},
            ),
            (ComplaintStatus.ACTION_TAKEN, {"fir", "referral", "closure"}, {"arrest"}),
            (ComplaintStatus.CLOSED, set(), set()),
            (ComplaintStatus.WITHDRAWN, set(), set()),
        ],
    )
    def test_each_status_offers_its_actions_and_explains_the_ones_to_come(
        self, status: str, available: set[str], reason: set[str]
    ) -> None:
        actions = casework.next_actions(Complaint(status=status), has_fir=False)
        referral_open = status not in {ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN}
        expected = available | ({"referral"} if referral_open else set())
        assert {key for key, a in actions.items() if a.available} == expected
        assert {key for key, a in actions.items() if a.reason} == reason

    def test_a_recorded_fir_is_not_offered_again_and_arrests_follow_it(self) -> None:
        actions = casework.next_actions(Complaint(status=ComplaintStatus.CLOSED), has_fir=True)
        assert not actions["fir"].shown
        assert actions["arrest"].available

    def test_the_refusals_give_the_reason_the_page_shows(self, world, ic, received) -> None:
        with pytest.raises(ValidationError, match=ASSIGN_FIRST):
            services.log_counselling(
                complaint=received,
                by=ic,
                held_on=timezone.localdate(),
                parties="complainant, husband",
                outcome="reconciled",
            )
        with pytest.raises(ValidationError, match=ASSIGN_FIRST):
            casework.register_fir(complaint=received, by=ic, **fir_values())

    def test_an_assigned_complaint_refuses_the_fir_until_the_enquiry(self, ic, assigned) -> None:
        with pytest.raises(ValidationError, match=AWAIT_ENQUIRY):
            casework.register_fir(complaint=assigned, by=ic, **fir_values())
