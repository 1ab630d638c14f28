"""The station IC dashboard: what comes first, what a foreign user sees, what it costs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints.models import Complaint
from stations.models import ResourceItem, Station
from tests.factories.fieldwork import ActionItemFactory, HotspotFactory
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
_numbers = count(1)


def complaint(station: Station, *, due_in: int, sos: bool = False, status: str = "received"):  # type: ignore[no-untyped-def]
    """An open complaint row due `due_in` days from today (negative: overdue)."""
    number = next(_numbers)
    return Complaint.objects.create(
        tracking_number=f"DASH-{station.code}-{number}",
        station=station,
        year=2026,
        sequence=number,
        channel="desk",
        category="stalking",
        description="Followed to the college gate.",
        status=status,
        is_sos=sos,
        due_on=timezone.localdate() + timedelta(days=due_in),
    )


def test_sos_comes_first_then_overdue_and_due_this_week_apart(world, login) -> None:
    overdue = complaint(world.station, due_in=-3)
    sos = complaint(world.station, due_in=10, sos=True)
    week = complaint(world.station, due_in=2)
    later = complaint(world.station, due_in=20)
    complaint(world.station, due_in=-5, status="closed")  # closed: never on the dashboard
    page = login(world.user(Role.STATION_IC)).get(reverse("home"))
    assert page.status_code == 200
    board = page.context["board"]
    assert [c.pk for c in board.urgent] == [sos.pk, overdue.pk]
    assert [c.pk for c in board.due_this_week] == [week.pk]
    assert board.complaint_counts == {
        "sos": 1,
        "overdue": 1,
        "due_this_week": 1,
        "open": 4,
    }
    html = page.content.decode()
    assert html.index(sos.tracking_number) < html.index(overdue.tracking_number)
    assert html.index(overdue.tracking_number) < html.index(week.tracking_number)
    assert later.tracking_number not in html
    # The SOS card comes before every other card on the page.
    assert html.index('data-testid="dash-urgent"') < html.index('data-testid="dash-return"')
    assert html.index('data-testid="dash-urgent"') < html.index('data-testid="dash-groups"')


@pytest.mark.parametrize("role", [Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE])
def test_every_station_role_lands_on_the_dashboard(world, login, role) -> None:
    page = login(world.user(role)).get(reverse("home"))
    assert page.templates[0].name == "reports/dashboard_station.html"
    assert login(world.user(role)).get(reverse("dashboard:station")).status_code == 200


@pytest.mark.parametrize("role", [Role.DISTRICT_HEAD, Role.STATE_HQ, Role.NGO_COORDINATOR])
def test_other_roles_get_no_station_dashboard(world, login, role) -> None:
    assert login(world.user(role)).get(reverse("dashboard:station")).status_code == 404
    assert login(world.user(role)).get(reverse("home")).templates[0].name == "portal/home.html"


def test_a_foreign_ic_sees_nothing_of_ours(world, login) -> None:
    ours = complaint(world.station, due_in=-1, sos=True)
    GroupFactory(station=world.station, name="Not Alone Cantt")
    HotspotFactory(station=world.station, name="Girls' Inter College Cantt")
    ActionItemFactory(raised_in__station=world.station, station=world.station)
    theirs = complaint(world.other_station, due_in=-1)
    page = login(world.strangers[Role.STATION_IC]).get(reverse("dashboard:station"))
    html = page.content.decode()
    board = page.context["board"]
    assert [c.pk for c in board.urgent] == [theirs.pk]
    assert ours.tracking_number not in html
    assert "Not Alone Cantt" not in html and "Girls' Inter College Cantt" not in html
    assert board.open_deficits == 0 and board.groups == [] and board.unpatrolled == []
    assert [s.pk for s in board.stations] == [world.other_station.pk]


def test_sibling_station_officers_do_not_see_each_other(world, login) -> None:
    ours = complaint(world.station, due_in=-1)
    sibling = complaint(world.sibling_station, due_in=-1)
    html = login(world.user(Role.STATION_OFFICER)).get(reverse("home")).content.decode()
    assert ours.tracking_number in html
    assert sibling.tracking_number not in html


def test_cards_link_to_where_the_work_is_done(world, login) -> None:
    item = ActionItemFactory(raised_in__station=world.station, station=world.station)
    group = GroupFactory(station=world.station, name="Not Alone Cantt")
    hotspot = HotspotFactory(station=world.station)
    sos = complaint(world.station, due_in=1, sos=True)
    html = login(world.user(Role.STATION_IC)).get(reverse("home")).content.decode()
    for url in (
        reverse("complaints:complaint_detail", args=[sos.pk]),
        reverse("complaints:complaint_queue"),
        reverse("groups:group_detail", args=[group.pk]),
        reverse("stations:hotspot_detail", args=[hotspot.pk]),
        reverse("stations:action_item_detail", args=[item.pk]),
        reverse("dashboard:station_returns", args=[world.station.pk]),
    ):
        assert f'href="{url}"' in html, url


def test_return_card_says_which_month_and_when_it_is_due(world, login) -> None:
    with time_machine.travel(datetime(2026, 11, 3, 11, tzinfo=IST), tick=False):
        page = login(world.user(Role.STATION_IC)).get(reverse("home"))
    html = page.content.decode()
    assert "Return for October 2026 due on 5 Nov 2026" in html
    (due,) = page.context["board"].returns
    assert (due.month, due.due_on, due.status, due.is_open) == (
        date(2026, 10, 1),
        date(2026, 11, 5),
        "not_due",
        True,
    )
    assert 'data-testid="submit-return-link"' in html
    # An officer sees the due date but is not asked to submit.
    with time_machine.travel(datetime(2026, 11, 3, 11, tzinfo=IST), tick=False):
        officer = login(world.user(Role.STATION_OFFICER)).get(reverse("home"))
    assert 'data-testid="submit-return-link"' not in officer.content.decode()


def _queries(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_work(
    world, login, django_assert_max_num_queries
) -> None:
    client = login(world.user(Role.STATION_IC))
    complaint(world.station, due_in=-1, sos=True)
    GroupFactory(station=world.station)
    HotspotFactory(station=world.station)
    small = _queries(client)
    for i in range(25):
        complaint(world.station, due_in=-1 - i, sos=i % 3 == 0)
        complaint(world.station, due_in=i % 7)
        GroupFactory(station=world.station, name=f"Group {i}")
        HotspotFactory(station=world.station)
    for item in ResourceItem.values:
        ActionItemFactory(raised_in__station=world.station, station=world.station, item=item)
    large = _queries(client)
    assert large == small
    with django_assert_max_num_queries(20):
        client.get(reverse("home"))


def test_referral_follow_ups_due_link_to_their_list(world, login) -> None:
    from complaints import casework, casework_selectors
    from tests.factories.complaints_casework import complaint_under_enquiry

    ic = world.user(Role.STATION_IC)
    client = login(ic)
    assert b'data-testid="referrals-due-link"' not in client.get(reverse("home")).content
    today = timezone.localdate()
    for days in (0, 3):
        casework.refer(
            complaint=complaint_under_enquiry(station=world.station, ic=ic),
            by=ic,
            kind="legal_aid",
            referred_on=today,
            follow_up_on=today + timedelta(days=days),
        )
    stranger = world.strangers[Role.STATION_IC]
    casework.refer(
        complaint=complaint_under_enquiry(station=world.other_station, ic=stranger),
        by=stranger,
        kind="shelter",
        referred_on=today,
        follow_up_on=today,
    )
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="referrals-due-link"' in body
    assert "1 referral follow-up due" in body  # the one due today, not next week's or theirs
    # The card is cached; following the referral up shows at once.
    due = casework_selectors.referrals_due(user=ic).get()
    casework.follow_up_referral(referral=due, by=ic, outcome="supported", followed_up_on=today)
    assert b'data-testid="referrals-due-link"' not in client.get(reverse("home")).content
