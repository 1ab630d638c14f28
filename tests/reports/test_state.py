"""The State HQ view: districts as rows, campaign progress, and nobody else gets in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints.models import Complaint, PersonOutcome
from stations.models import District, Station, StationReturn
from tests.factories import DistrictFactory, StationFactory
from tests.factories.complaints import RomeoCaseFactory, RomeoPersonFactory
from tests.factories.outreach import AwarenessDriveFactory, CampaignTargetFactory

pytestmark = pytest.mark.django_db
SEPTEMBER = {"period": "custom", "from": "2026-09-01", "to": "2026-09-30"}
IN_SEPTEMBER = date(2026, 9, 10)
_numbers = iter(range(1, 10**6))


def at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def plant(station: Station, *, submit_by=None) -> None:  # type: ignore[no-untyped-def]
    """One pending overdue complaint, a case with an arrest, a detention, a drive in September."""
    number = next(_numbers)
    complaint = Complaint.objects.create(
        tracking_number=f"ST-{station.code}-{number}",
        station=station,
        year=2026,
        sequence=number,
        channel="desk",
        category="stalking",
        description="Followed to the college gate.",
        status="under_enquiry",
        due_on=IN_SEPTEMBER + timedelta(days=2),
    )
    Complaint.objects.filter(pk=complaint.pk).update(created_at=at(IN_SEPTEMBER))
    case = RomeoCaseFactory(action__station=station, action__acted_on=IN_SEPTEMBER)
    RomeoPersonFactory(
        action=case.action, outcome=PersonOutcome.ARRESTED, case=case, bnss_section=""
    )
    RomeoPersonFactory(action__station=station, action__acted_on=IN_SEPTEMBER)
    AwarenessDriveFactory(station=station, held_on=IN_SEPTEMBER, people_reached=75)
    if submit_by is not None:
        StationReturn.objects.create(
            station=station,
            month=date(2026, 9, 1),
            due_on=date(2026, 10, 5),
            submitted_at=at(date(2026, 10, 2)),
            submitted_by=submit_by,
        )


def test_state_hq_sees_its_districts_with_their_figures(world, login) -> None:
    plant(world.station, submit_by=world.user(Role.STATION_IC))
    plant(world.sibling_station)
    plant(world.neighbour_station)
    plant(world.other_station)  # another state: never counted
    page = login(world.user(Role.STATE_HQ)).get(reverse("dashboard:state"), SEPTEMBER)
    assert page.status_code == 200
    overview = page.context["overview"]
    rows = {row.district.code: row.values for row in overview.rows}
    assert set(rows) == {world.district.code, world.sibling_district.code}
    assert rows[world.district.code] == {
        "stations": 2,
        "received": 2,
        "pending": 2,
        "overdue": 2,
        "cases_registered": 2,
        "accused_arrested": 2,
        "detained_total": 2,
        "drives": 2,
        "people_reached": 150,
        "returns_on_time": 1,
    }
    assert rows[world.sibling_district.code]["received"] == 1
    assert overview.totals.values["received"] == 3
    assert overview.totals.values["people_reached"] == 225
    html = page.content.decode()
    assert world.other_district.name not in html


def test_campaign_progress_against_targets(world, login) -> None:
    ours = CampaignTargetFactory(district=world.district, metric="drives", target_value=4)
    CampaignTargetFactory(district=world.other_district, metric="drives", campaign=ours.campaign)
    AwarenessDriveFactory(station=world.station, campaign=ours.campaign)
    page = login(world.user(Role.STATE_HQ)).get(reverse("dashboard:state"))
    (target,) = page.context["overview"].campaigns
    assert (target.district_id, target.actual, target.percent) == (world.district.pk, 1, 25)
    assert 'data-testid="campaign-row"' in page.content.decode()


@pytest.mark.parametrize(
    "role",
    [
        Role.DISTRICT_HEAD,
        Role.CYBER_CELL,
        Role.STATION_IC,
        Role.STATION_OFFICER,
        Role.SHAKTI_INCHARGE,
        Role.NGO_COORDINATOR,
    ],
)
def test_only_state_hq_gets_in(world, login, role) -> None:
    assert login(world.user(role)).get(reverse("dashboard:state")).status_code == 404


def test_a_state_hq_cannot_open_another_state(world, login) -> None:
    client = login(world.user(Role.STATE_HQ))
    assert (
        client.get(reverse("dashboard:state"), {"state": world.other_state.pk}).status_code == 404
    )
    assert client.get(reverse("dashboard:state"), {"state": "x"}).status_code == 404
    theirs = login(world.strangers[Role.STATE_HQ]).get(reverse("dashboard:state"))
    assert {row.district.pk for row in theirs.context["overview"].rows} == {world.other_district.pk}


def test_system_admin_picks_a_state(world, login, admin_user_) -> None:
    page = login(admin_user_).get(reverse("dashboard:state"), {"state": world.other_state.pk})
    assert page.status_code == 200
    assert page.context["overview"].state == world.other_state


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "from": "2026-10-01", "to": "2026-09-01"},
        {"period": "custom", "from": "nonsense"},
        {"period": "custom", "from": "2020-01-01", "to": "2026-01-01"},
    ],
)
def test_a_bad_period_is_explained_not_a_500(world, login, params) -> None:
    page = login(world.user(Role.STATE_HQ)).get(reverse("dashboard:state"), params)
    assert page.status_code == 200
    assert 'data-testid="period-error"' in page.content.decode()


def test_state_hq_home_links_to_the_overview(world, login) -> None:
    html = login(world.user(Role.STATE_HQ)).get(reverse("home")).content.decode()
    assert reverse("dashboard:state") in html


def _add_districts(world, n: int) -> list[District]:  # type: ignore[no-untyped-def]
    made = []
    for i in range(n):
        district = DistrictFactory(state=world.state)
        for j in range(2):
            plant(StationFactory(district=district, code=f"Q{district.pk}-{i}-{j}"))
        made.append(district)
    return made


def _queries(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard:state"), SEPTEMBER).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_the_same_for_3_and_12_districts(
    world, login, django_assert_max_num_queries
) -> None:
    client = login(world.user(Role.STATE_HQ))
    _add_districts(world, 1)  # with the world's two: 3 districts
    three = _queries(client)
    assert len(client.get(reverse("dashboard:state"), SEPTEMBER).context["overview"].rows) == 3
    _add_districts(world, 9)  # 12 districts
    twelve = _queries(client)
    page = client.get(reverse("dashboard:state"), SEPTEMBER)
    assert len(page.context["overview"].rows) == 12
    assert page.context["overview"].totals.values["received"] == 20
    assert twelve == three
    with django_assert_max_num_queries(18):
        client.get(reverse("dashboard:state"), SEPTEMBER)


def test_district_head_home_links_to_the_review_report_not_the_state_view(world, login) -> None:
    html = login(world.user(Role.DISTRICT_HEAD)).get(reverse("home")).content.decode()
    assert reverse("reports:review") in html
    assert reverse("dashboard:state") not in html
