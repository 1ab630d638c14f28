"""Pages of the anti-Romeo register: owner, stranger (404), bad input, double submit, budget."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints.models import RomeoAction, RomeoPerson
from tests.factories.complaints import RomeoActionFactory, RomeoCaseFactory, RomeoPersonFactory

pytestmark = pytest.mark.django_db


def _post_data(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "station": world.station.pk,
        "acted_on": timezone.localdate().isoformat(),
        "squad": "Anti-Romeo squad 2",
        "action_type": "preventive",
        "place": "Bus stand",
        "token": "form-token-1",
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "60",
        "persons-0-name": "Sonu K.",
        "persons-0-bnss_section": "126",
        "persons-1-name": "Monu P.",
        "persons-1-bnss_section": "170",
    }
    data.update(overrides)
    return data


class TestRegister:
    def test_it_shows_totals_and_actions_of_the_jurisdiction(self, world, login) -> None:
        RomeoPersonFactory(action__station=world.station, bnss_section="135")
        RomeoPersonFactory(action__station=world.other_station)
        page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("complaints:romeo_register"))
        assert page.status_code == 200
        assert page.context["summary"].detained_135 == 1
        assert page.context["summary"].detained_total == 1
        assert [r.code for r in page.context["totals"]] == ["VNS-A", "VNS-B"]

    def test_a_stranger_sees_none_of_our_actions(self, world, login) -> None:
        RomeoPersonFactory(action__station=world.station)
        page = login(world.strangers[Role.DISTRICT_HEAD]).get(
            reverse("complaints:romeo_register"), {"station": world.station.pk}
        )
        assert page.context["summary"].detained_total == 0
        assert list(page.context["page"]) == []

    def test_the_period_filter_applies_to_totals_and_list(self, world, login) -> None:
        RomeoPersonFactory(action__station=world.station, action__acted_on=timezone.localdate())
        old = timezone.localdate().replace(year=2020)
        RomeoPersonFactory(action__station=world.station, action__acted_on=old)
        page = login(world.user(Role.STATION_IC)).get(
            reverse("complaints:romeo_register"), {"date_from": "2025-01-01"}
        )
        assert page.context["summary"].detained_total == 1
        assert len(page.context["page"]) == 1

    def test_query_budget_with_many_actions(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        for _ in range(40):
            RomeoPersonFactory(action__station=world.station)
        RomeoCaseFactory(action__station=world.station)
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(14):
            assert client.get(reverse("complaints:romeo_register")).status_code == 200


class TestRecordAction:
    def test_the_form_records_an_action_with_its_persons(self, world, login) -> None:
        client = login(world.user(Role.SHAKTI_INCHARGE))
        assert client.get(reverse("complaints:romeo_action_create")).status_code == 200
        response = client.post(reverse("complaints:romeo_action_create"), _post_data(world))
        action = RomeoAction.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("complaints:romeo_action_detail", args=[action.pk])
        assert sorted(action.persons.values_list("bnss_section", flat=True)) == ["126", "170"]

    def test_a_double_submit_records_once(self, world, login) -> None:
        client = login(world.user(Role.SHAKTI_INCHARGE))
        client.post(reverse("complaints:romeo_action_create"), _post_data(world))
        client.post(reverse("complaints:romeo_action_create"), _post_data(world))
        assert RomeoAction.objects.count() == 1
        assert RomeoPerson.objects.count() == 2

    def test_a_missing_section_is_shown_and_nothing_saved(self, world, login) -> None:
        client = login(world.user(Role.SHAKTI_INCHARGE))
        response = client.post(
            reverse("complaints:romeo_action_create"),
            _post_data(world, **{"persons-1-bnss_section": ""}),
        )
        assert response.status_code == 200
        assert "126, 135 or 170" in response.content.decode()
        assert not RomeoAction.objects.exists()

    def test_a_case_registered_without_fir_number_is_refused(self, world, login) -> None:
        response = login(world.user(Role.SHAKTI_INCHARGE)).post(
            reverse("complaints:romeo_action_create"),
            _post_data(
                world,
                action_type="case_registered",
                **{"persons-0-bnss_section": "", "persons-1-bnss_section": ""},
            ),
        )
        assert response.context["form"].errors["fir_number"]
        assert not RomeoAction.objects.exists()

    def test_a_stranger_cannot_choose_our_station(self, world, login) -> None:
        response = login(world.strangers[Role.STATION_IC]).post(
            reverse("complaints:romeo_action_create"), _post_data(world)
        )
        assert response.status_code == 200
        assert "station" in response.context["form"].errors
        assert not RomeoAction.objects.exists()

    def test_the_person_row_fragment_adds_a_row_and_counts_it(self, world, login) -> None:
        response = login(world.user(Role.SHAKTI_INCHARGE)).get(
            reverse("complaints:romeo_person_row"),
            {"persons-TOTAL_FORMS": "3"},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert 'name="persons-3-name"' in body
        assert 'hx-swap-oob="true"' in body and 'value="4"' in body


class TestActionDetail:
    def test_the_owner_sees_the_action(self, world, login) -> None:
        person = RomeoPersonFactory(action__station=world.station, name="Golu S.")
        page = login(world.user(Role.STATION_OFFICER)).get(
            reverse("complaints:romeo_action_detail", args=[person.action_id])
        )
        assert page.status_code == 200
        assert "Golu S." in page.content.decode()

    @pytest.mark.parametrize("role", Role.values)
    def test_a_user_of_another_unit_gets_404(self, world, login, role) -> None:
        action = RomeoActionFactory(station=world.station)
        page = login(world.strangers[role]).get(
            reverse("complaints:romeo_action_detail", args=[action.pk])
        )
        assert page.status_code == 404

    def test_a_colleague_at_a_sibling_station_gets_404(self, world, login) -> None:
        action = RomeoActionFactory(station=world.sibling_station)
        page = login(world.user(Role.STATION_IC)).get(
            reverse("complaints:romeo_action_detail", args=[action.pk])
        )
        assert page.status_code == 404

    def test_query_budget_with_many_persons(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        case = RomeoCaseFactory(action__station=world.station)
        for _ in range(30):
            RomeoPersonFactory(action=case.action, outcome="arrested", case=case, bnss_section="")
        client = login(world.user(Role.STATION_IC))
        with django_assert_max_num_queries(8):
            client.get(reverse("complaints:romeo_action_detail", args=[case.action_id]))
