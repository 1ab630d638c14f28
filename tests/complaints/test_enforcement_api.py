"""Anti-Romeo register API: scoped lists, 404 for strangers, idempotent create, flat budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints.models import RomeoAction
from tests.factories.complaints import RomeoActionFactory, RomeoCaseFactory, RomeoPersonFactory

pytestmark = pytest.mark.django_db


def _payload(world, **overrides):  # type: ignore[no-untyped-def]
    payload = {
        "station": world.station.pk,
        "acted_on": timezone.localdate().isoformat(),
        "squad": "Squad 1",
        "action_type": "case_registered",
        "place": "College gate",
        "case": {"fir_number": "44/2026", "bns_sections": "78"},
        "persons": [{"name": "A"}, {"name": "B"}],
    }
    payload.update(overrides)
    return payload


def test_list_returns_only_the_callers_actions(world, login) -> None:
    ours = RomeoActionFactory(station=world.station)
    RomeoActionFactory(station=world.other_station)
    body = (
        login(world.user(Role.STATION_IC)).get(reverse("api:complaints-romeo-action-list")).json()
    )
    assert [row["id"] for row in body["results"]] == [ours.pk]


def test_create_records_a_case_with_its_accused(world, login) -> None:
    client = login(world.user(Role.SHAKTI_INCHARGE))
    response = client.post(
        reverse("api:complaints-romeo-action-create"),
        _payload(world),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"]["fir_number"] == "0044/2026"
    assert [p["case"] for p in body["persons"]] == ["0044/2026", "0044/2026"]


def test_create_with_the_same_idempotency_key_records_once(world, login) -> None:
    client = login(world.user(Role.SHAKTI_INCHARGE))
    url = reverse("api:complaints-romeo-action-create")
    first = client.post(
        url, _payload(world), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = client.post(
        url, _payload(world), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert RomeoAction.objects.count() == 1


def test_create_refuses_a_duplicate_fir_with_a_field_error(world, login) -> None:
    client = login(world.user(Role.SHAKTI_INCHARGE))
    url = reverse("api:complaints-romeo-action-create")
    client.post(url, _payload(world), content_type="application/json")
    response = client.post(url, _payload(world), content_type="application/json")
    assert response.status_code == 400
    assert "fir_number" in response.json()


def test_create_for_a_stranger_station_is_404(world, login) -> None:
    response = login(world.strangers[Role.STATION_IC]).post(
        reverse("api:complaints-romeo-action-create"),
        _payload(world),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not RomeoAction.objects.exists()


def test_arrest_in_an_earlier_fir_by_case_id(world, login) -> None:
    case = RomeoCaseFactory(
        action__station=world.station, action__acted_on=timezone.localdate().replace(day=1)
    )
    response = login(world.user(Role.STATION_IC)).post(
        reverse("api:complaints-romeo-action-create"),
        _payload(world, action_type="accused_arrested", case=None, case_id=case.pk),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert case.accused.count() == 2


@pytest.mark.parametrize("role", Role.values)
def test_detail_is_404_for_strangers(world, login, role) -> None:
    action = RomeoActionFactory(station=world.station)
    response = login(world.strangers[role]).get(
        reverse("api:complaints-romeo-action-detail", args=[action.pk])
    )
    assert response.status_code == 404


def test_totals_count_per_station(world, login) -> None:
    RomeoPersonFactory(action__station=world.station, bnss_section="170")
    RomeoPersonFactory(action__station=world.station, bnss_section="170")
    case = RomeoCaseFactory(action__station=world.station)
    RomeoPersonFactory(action=case.action, outcome="arrested", case=case, bnss_section="")
    body = (
        login(world.user(Role.DISTRICT_HEAD))
        .get(reverse("api:complaints-enforcement-totals-list"))
        .json()
    )
    ours = next(row for row in body if row["code"] == "VNS-A")
    assert (ours["cases_registered"], ours["accused_arrested"], ours["detained_170"]) == (1, 1, 2)


def test_totals_for_a_stranger_station_is_404(world, login) -> None:
    response = login(world.strangers[Role.DISTRICT_HEAD]).get(
        reverse("api:complaints-enforcement-totals-list"), {"station": world.station.pk}
    )
    assert response.status_code == 404


def test_a_malformed_date_is_400(world, login) -> None:
    response = login(world.user(Role.DISTRICT_HEAD)).get(
        reverse("api:complaints-enforcement-totals-list"), {"date_from": "last week"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "name", ["api:complaints-romeo-action-list", "api:complaints-enforcement-totals-list"]
)
def test_list_query_count_is_flat(world, login, django_assert_max_num_queries, name) -> None:
    for _ in range(40):
        RomeoPersonFactory(action__station=world.station)
    for _ in range(5):
        RomeoCaseFactory(action__station=world.sibling_station)
    client = login(world.user(Role.STATE_HQ))
    with django_assert_max_num_queries(8):
        assert client.get(reverse(name), {"limit": 100}).status_code == 200


def test_detail_query_count_is_flat(world, login, django_assert_max_num_queries) -> None:
    action = RomeoActionFactory(station=world.station)
    for _ in range(30):
        RomeoPersonFactory(action=action)
    client = login(world.user(Role.STATION_IC))
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("api:complaints-romeo-action-detail", args=[action.pk])).status_code
            == 200
        )
