"""The review report page and its API: scope, bad input, query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import StationFactory
from tests.reports.conftest import PERIOD, plant_station_figures

pytestmark = pytest.mark.django_db

CUSTOM = {"period": "custom", "from": PERIOD.start.isoformat(), "to": PERIOD.end.isoformat()}


def test_the_district_head_sees_the_station_table_with_totals(planted, login) -> None:  # type: ignore[no-untyped-def]
    response = login(planted.user("district_head")).get(reverse("reports:review"), CUSTOM)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.totals.values["received"] == 3
    html = response.content.decode()
    assert 'data-testid="review-totals"' in html
    assert planted.station.name in html and planted.other_station.name not in html
    assert 'id="review-chart-data"' in html and "<script>" not in html.replace(
        '<script id="review-chart-data" type="application/json">', ""
    )


def test_the_page_opens_on_this_month_without_parameters(planted, login) -> None:  # type: ignore[no-untyped-def]
    response = login(planted.user("station_ic")).get(reverse("reports:review"))
    assert response.status_code == 200
    assert response.context["report"].period.kind == "this_month"
    assert response.context["report"].station_ids == [planted.station.pk]


def test_a_district_head_of_another_district_gets_404(planted, login) -> None:  # type: ignore[no-untyped-def]
    client = login(planted.strangers["district_head"])
    url = reverse("reports:review")
    assert client.get(url, {**CUSTOM, "district": planted.district.pk}).status_code == 404
    api = reverse("api:reports-review")
    assert client.get(api, {**CUSTOM, "district": planted.district.pk}).status_code == 404
    for fmt in ("xlsx", "csv", "pdf"):
        export = reverse("reports:review_export", args=[fmt])
        assert client.get(export, {**CUSTOM, "district": planted.district.pk}).status_code == 404


def test_a_user_without_jurisdiction_gets_404(planted, login, no_posting_user) -> None:  # type: ignore[no-untyped-def]
    assert login(no_posting_user).get(reverse("reports:review")).status_code == 404
    ngo = planted.user("ngo_coordinator")
    assert login(ngo).get(reverse("reports:review")).status_code == 404
    assert login(ngo).get(reverse("api:reports-review")).status_code == 404
    export = reverse("reports:review_export", args=["csv"])
    assert login(ngo).get(export).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "from": "2026-09-30", "to": "2026-09-01"},
        {"period": "custom", "from": "2020-01-01", "to": "2026-09-01"},
        {"period": "custom", "from": "2026-09-01"},
        {"period": "custom", "from": "not-a-date", "to": "2026-09-01"},
        {"period": "fortnight"},
        {"period": "this_month", "stations": "abc"},
    ],
)
def test_bad_period_or_scope_input_gives_a_form_error_not_a_500(planted, login, params) -> None:  # type: ignore[no-untyped-def]
    response = login(planted.user("district_head")).get(reverse("reports:review"), params)
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()
    api = login(planted.user("district_head")).get(reverse("api:reports-review"), params)
    assert api.status_code == 400


def test_a_foreign_station_id_is_refused_without_naming_it(planted, login) -> None:  # type: ignore[no-untyped-def]
    params = {**CUSTOM, "stations": f"{planted.station.pk},{planted.other_station.pk}"}
    client = login(planted.user("district_head"))
    response = client.get(reverse("reports:review"), params)
    assert response.status_code == 400
    assert planted.other_station.name not in response.content.decode()
    api = client.get(reverse("api:reports-review"), params)
    assert api.status_code == 400
    assert planted.other_station.name not in api.content.decode()


def test_the_api_returns_the_pages_figures(planted, login) -> None:  # type: ignore[no-untyped-def]
    client = login(planted.user("district_head"))
    data = client.get(reverse("api:reports-review"), {**CUSTOM, "stations": planted.station.pk})
    assert data.status_code == 200
    body = data.json()
    assert [row["station_id"] for row in body["rows"]] == [planted.station.pk]
    assert body["totals"]["values"]["received"] == 3
    assert body["totals"]["previous"]["received"] == 1
    assert body["totals"]["change"]["received"] == 2
    assert body["rows"][0]["values"]["counselling_settlements"] == 1


def test_the_api_gives_counts_as_whole_numbers(planted, login) -> None:  # type: ignore[no-untyped-def]
    """255 settlements, not 255.0 (issue 22 item 3): counts are integers in the JSON itself;
    medians and percentages stay decimals; the column's kind says which."""
    client = login(planted.user("district_head"))
    body = client.get(reverse("api:reports-review"), CUSTOM).json()
    kinds = {column["key"]: column["kind"] for column in body["columns"]}
    for part in ("values", "previous", "change"):
        for key, value in body["totals"][part].items():
            if value is None:
                continue
            if kinds[key] == "int":
                assert type(value) is int, (part, key, value)
            else:
                assert isinstance(value, int | float), (part, key, value)
    raw = client.get(reverse("api:reports-review"), CUSTOM).content.decode()
    assert '"received":3,' in raw.replace(" ", "") or '"received":3}' in raw.replace(" ", "")


def test_the_api_is_in_the_openapi_schema(login, planted) -> None:  # type: ignore[no-untyped-def]
    schema = login(planted.user("district_head")).get(reverse("api-schema"), {"format": "json"})
    assert "/api/v1/reports/review/" in schema.content.decode()


@pytest.mark.parametrize("stations", [5, 50])
def test_the_page_query_count_is_flat(
    world, login, stations, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(stations):
        plant_station_figures(StationFactory(district=world.district), world.user("station_ic"))
    client = login(world.user("district_head"))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("reports:review"), CUSTOM)
    assert len(response.context["report"].rows) == stations + 2
    with django_assert_max_num_queries(30):
        assert client.get(reverse("api:reports-review"), CUSTOM).status_code == 200


def test_the_nav_offers_the_report_to_police_roles(planted, login) -> None:  # type: ignore[no-untyped-def]
    for role in ("district_head", "state_hq", "station_ic"):
        page = login(planted.user(role)).get(reverse("reports:review"))
        assert reverse("reports:review") in [item["url"] for item in page.context["nav_items"]]
