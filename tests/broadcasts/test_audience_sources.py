"""Named broadcast audiences: uploaded lists (and the registry community groups plug into)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from broadcasts import audience, audience_sources, lifecycle, sending
from broadcasts.models import Broadcast, Delivery, SandboxMessage
from people import services as people_services
from people.models import CitizenList, CitizenListMember, OptOutSource
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


def _list(district, by, citizens, name="College students"):  # type: ignore[no-untyped-def]
    citizen_list = CitizenList.objects.create(district=district, name=name, created_by=by)
    CitizenListMember.objects.bulk_create(
        [CitizenListMember(citizen_list=citizen_list, citizen=c) for c in citizens]
    )
    return citizen_list


def _draft(world, template, **kwargs):  # type: ignore[no-untyped-def]
    return lifecycle.create_broadcast(
        district=world.district,
        title="Cyber fraud: OTP",
        template=template,
        parameters=["Varanasi"],
        by=world.user(Role.CYBER_CELL),
        **kwargs,
    )


@pytest.fixture
def roster(world):  # type: ignore[no-untyped-def]
    """A list of five with one opted out and one without consent; two citizens not on it."""
    on_list = CitizenFactory.create_batch(3, station=world.station)
    opted = CitizenFactory(station=world.sibling_station)
    people_services.opt_out_citizen(citizen=opted, source=OptOutSource.KEYWORD)
    no_consent = CitizenFactory(station=world.station, consent_source="", consent_at=None)
    CitizenFactory.create_batch(2, station=world.station)  # same district, not on the list
    members = [*on_list, opted, no_consent]
    citizen_list = _list(world.district, world.user(Role.CYBER_CELL), members)
    return citizen_list, on_list


class TestListAudience:
    def test_a_broadcast_to_a_list_reaches_exactly_its_consenting_members(
        self, world, awareness, roster
    ) -> None:
        citizen_list, reachable = roster
        broadcast = _draft(world, awareness, sources={"list": [citizen_list.pk]})
        assert broadcast.audience_sources == {"list": [citizen_list.pk]}
        shown = audience.preview(broadcast)
        assert (shown.audience, shown.suppressed, shown.recipients) == (5, 2, 3)
        assert [(s.audience, s.recipients) for s in shown.per_source] == [(5, 3)]
        assert "College students" in shown.per_source[0].choice

        broadcast = lifecycle.submit_broadcast(broadcast=broadcast, by=world.user(Role.CYBER_CELL))
        lifecycle.start_broadcast(broadcast_id=broadcast.pk)
        assert set(
            Delivery.objects.filter(broadcast=broadcast).values_list("citizen", flat=True)
        ) == {c.pk for c in reachable}
        sending.run_sender(broadcast_id=broadcast.pk, time_budget=10)
        assert sorted(SandboxMessage.objects.values_list("to", flat=True)) == sorted(
            c.phone for c in reachable
        )

    def test_fan_out_to_a_list_is_one_statement(
        self, world, awareness, roster, django_assert_max_num_queries
    ) -> None:
        citizen_list, reachable = roster
        broadcast = _draft(world, awareness, sources={"list": [citizen_list.pk]})
        with django_assert_max_num_queries(4):  # access scope + the INSERT ... SELECT + count
            assert audience.fan_out(broadcast) == len(reachable)
        assert audience.fan_out(broadcast) == len(reachable)  # idempotent

    def test_filters_still_narrow_a_list(self, world, awareness, roster) -> None:
        citizen_list, _reachable = roster
        broadcast = _draft(
            world, awareness, sources={"list": [citizen_list.pk]}, stations=[world.sibling_station]
        )
        assert audience.preview(broadcast).recipients == 0  # only the opted-out member is there

    def test_two_lists_overlapping_reach_each_person_once(self, world, awareness, roster) -> None:
        first, reachable = roster
        second = _list(
            world.district,
            world.user(Role.CYBER_CELL),
            [reachable[0], CitizenFactory(station=world.station)],
            name="Traders",
        )
        broadcast = _draft(world, awareness, sources={"list": [first.pk, second.pk]})
        assert audience.preview(broadcast).recipients == 4
        assert audience.fan_out(broadcast) == 4

    def test_a_list_of_another_district_cannot_be_used(self, world, awareness) -> None:
        theirs = _list(
            world.other_district,
            world.strangers[Role.CYBER_CELL],
            [CitizenFactory(station=world.other_station)],
        )
        with pytest.raises(ValidationError):
            _draft(world, awareness, sources={"list": [theirs.pk]})
        assert not Broadcast.objects.exists()

    def test_unknown_source_or_id_is_refused(self, world, awareness, roster) -> None:
        with pytest.raises(ValidationError):
            _draft(world, awareness, sources={"no_such_source": [1]})
        with pytest.raises(ValidationError):
            _draft(world, awareness, sources={"list": [999999]})

    def test_a_lost_posting_empties_the_audience_rather_than_widening_it(
        self, world, awareness, roster
    ) -> None:
        citizen_list, _reachable = roster
        broadcast = _draft(world, awareness, sources={"list": [citizen_list.pk]})
        broadcast.audience_sources = {"no_longer_registered": [1]}
        assert audience.preview(broadcast).recipients == 0
        assert audience.fan_out(broadcast) == 0

    def test_a_daily_series_run_keeps_the_list(self, world, awareness, checker, roster) -> None:
        import datetime as dt

        citizen_list, reachable = roster
        series = _draft(
            world,
            awareness,
            sources={"list": [citizen_list.pk]},
            recurrence="daily",
            send_time=dt.time(10, 0),
        )
        lifecycle.submit_broadcast(broadcast=series, by=world.user(Role.CYBER_CELL))
        run = lifecycle.launch_series_run(series_id=series.pk)
        assert run is not None and run.audience_sources == {"list": [citizen_list.pk]}
        assert audience.preview(run).recipients == len(reachable)


class TestRegistry:
    def test_lists_are_offered_only_to_their_district(self, world, roster) -> None:
        citizen_list, _ = roster
        source = audience_sources.get("list")
        assert source is not None
        ours = [c.id for c in source.choices(world.user(Role.CYBER_CELL))]
        assert ours == [citizen_list.pk]
        assert source.choices(world.strangers[Role.CYBER_CELL]) == []
        assert source.choices(world.user(Role.STATION_IC)) == []
        foreign = source.citizen_ids(world.strangers[Role.CYBER_CELL], citizen_list.pk)
        assert list(foreign) == []

    def test_group_source_is_registered_by_the_groups_app(self) -> None:
        assert audience_sources.get("community_group") is not None


class TestForm:
    def test_the_form_offers_our_lists_and_creates_a_list_broadcast(
        self, world, awareness, roster, login
    ) -> None:
        citizen_list, _ = roster
        client = login(world.user(Role.CYBER_CELL))
        page = client.get(reverse("broadcasts:create"))
        assert page.status_code == 200
        assert "College students" in page.content.decode()
        response = client.post(
            reverse("broadcasts:create"),
            {
                "district": world.district.pk,
                "title": "To the students",
                "topic": "cyber_fraud",
                "template": awareness.pk,
                "parameter_1": "Varanasi",
                "source_list": [citizen_list.pk],
            },
        )
        assert response.status_code == 302
        broadcast = Broadcast.objects.get()
        assert broadcast.audience_sources == {"list": [citizen_list.pk]}
        detail = client.get(response["Location"])
        assert 'data-testid="preview-sources"' in detail.content.decode()

    def test_a_foreign_list_is_a_form_error_and_nothing_is_saved(
        self, world, awareness, login
    ) -> None:
        theirs = _list(
            world.other_district,
            world.strangers[Role.CYBER_CELL],
            [CitizenFactory(station=world.other_station)],
            name="Their secret list",
        )
        client = login(world.user(Role.CYBER_CELL))
        assert "Their secret list" not in client.get(reverse("broadcasts:create")).content.decode()
        response = client.post(
            reverse("broadcasts:create"),
            {
                "district": world.district.pk,
                "title": "Sneaky",
                "topic": "cyber_fraud",
                "template": awareness.pk,
                "parameter_1": "Varanasi",
                "source_list": [theirs.pk],
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not Broadcast.objects.exists()

    def test_the_api_accepts_a_list_audience_and_refuses_a_foreign_one(
        self, world, awareness, roster, login
    ) -> None:
        citizen_list, _reachable = roster
        client = login(world.user(Role.CYBER_CELL))
        body = {
            "district": world.district.code,
            "title": "API list broadcast",
            "template": awareness.pk,
            "parameters": ["Varanasi"],
            "audience": {"list": [citizen_list.pk]},
        }
        created = client.post(
            reverse("api:broadcasts-broadcast-create"), body, content_type="application/json"
        )
        assert created.status_code == 201, created.content
        assert created.json()["audience_sources"] == {"list": [citizen_list.pk]}
        theirs = login(world.strangers[Role.CYBER_CELL])
        body["district"] = world.other_district.code
        refused = theirs.post(
            reverse("api:broadcasts-broadcast-create"), body, content_type="application/json"
        )
        assert refused.status_code == 400
