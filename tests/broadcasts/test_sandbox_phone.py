"""The sandbox phone shows a user only the messages to citizens of their own districts, a page
at a time (issue 17 item 10): a Kabirdham cyber cell no longer reads every district's texts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from broadcasts import selectors
from broadcasts.models import SandboxMessage
from tests.factories import UserFactory
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db

URL = reverse("broadcasts:sandbox_phone")


def _message(citizen, body: str) -> SandboxMessage:  # type: ignore[no-untyped-def]
    return SandboxMessage.objects.create(
        to=citizen.phone,
        wamid=f"wamid.sandbox.test.{SandboxMessage.objects.count()}.{citizen.pk}",
        template_name="cyber_fraud_awareness",
        language="hi",
        body=body,
    )


@pytest.fixture
def texts(world):  # type: ignore[no-untyped-def]
    """One message to a citizen of each district: ours, our state's other one, another state's."""
    ours = CitizenFactory(station=world.station, name="Asha Ours")
    sibling = CitizenFactory(station=world.neighbour_station, name="Bela Sibling")
    theirs = CitizenFactory(station=world.other_station, name="Chitra Theirs")
    return {
        "ours": _message(ours, "Hello Asha Ours"),
        "sibling": _message(sibling, "Hello Bela Sibling"),
        "theirs": _message(theirs, "Hello Chitra Theirs"),
        "nobody": SandboxMessage.objects.create(
            to="+919000000001", wamid="wamid.sandbox.nobody", body="Hello stranger"
        ),
    }


def _bodies(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {message.body for message in response.context["page"]}


class TestScope:
    def test_our_cyber_cell_sees_only_our_district(self, world, login, texts) -> None:
        response = login(world.user(Role.CYBER_CELL)).get(URL)
        assert response.status_code == 200
        assert _bodies(response) == {"Hello Asha Ours"}
        content = response.content.decode()
        assert texts["theirs"].to not in content and "Chitra Theirs" not in content
        assert texts["sibling"].to not in content

    def test_a_cyber_cell_of_another_district_sees_none_of_ours(self, world, login, texts) -> None:
        response = login(world.strangers[Role.CYBER_CELL]).get(URL)
        assert response.status_code == 200
        assert _bodies(response) == {"Hello Chitra Theirs"}
        content = response.content.decode()
        assert "Asha Ours" not in content and texts["ours"].to not in content

    def test_the_district_head_sees_their_district(self, world, login, texts) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).get(URL)
        assert _bodies(response) == {"Hello Asha Ours"}

    def test_filtering_by_a_foreign_phone_finds_nothing(self, world, login, texts) -> None:
        response = login(world.user(Role.CYBER_CELL)).get(URL, {"to": texts["theirs"].to})
        assert _bodies(response) == set()

    def test_state_hq_reads_its_state_and_an_admin_everything(self, world, texts) -> None:
        state_hq = world.user(Role.STATE_HQ)
        assert {m.body for m in selectors.sandbox_messages(user=state_hq)} == {
            "Hello Asha Ours",
            "Hello Bela Sibling",
        }
        admin = UserFactory(username="sandbox_admin", is_superuser=True, is_staff=True)
        assert selectors.sandbox_messages(user=admin).count() == 4

    def test_a_message_to_a_whatsapp_user_id_belongs_to_its_citizen(self, world, login) -> None:
        ours = CitizenFactory(station=world.station, whatsapp_user_id="IN.1000000000000001")
        theirs = CitizenFactory(station=world.other_station, whatsapp_user_id="IN.2000000000000002")
        for citizen, body in ((ours, "By id, ours"), (theirs, "By id, theirs")):
            SandboxMessage.objects.create(
                to=citizen.whatsapp_user_id, wamid=f"wamid.byid.{citizen.pk}", body=body
            )
        assert _bodies(login(world.user(Role.CYBER_CELL)).get(URL)) == {"By id, ours"}
        assert _bodies(login(world.strangers[Role.CYBER_CELL]).get(URL)) == {"By id, theirs"}

    def test_station_roles_still_get_no_page(self, world, login, texts) -> None:
        assert login(world.user(Role.STATION_IC)).get(URL).status_code == 404


class TestPaging:
    def test_pages_of_fifty_keep_the_phone_filter(self, world, login) -> None:
        citizen = CitizenFactory(station=world.station)
        other = CitizenFactory(station=world.station)
        for number in range(selectors.SANDBOX_PAGE_SIZE + 5):
            _message(citizen, f"Message {number}")
        _message(other, "For the other phone")
        client = login(world.user(Role.CYBER_CELL))

        first = client.get(URL)
        assert len(first.context["page"]) == selectors.SANDBOX_PAGE_SIZE
        assert first.context["page"].paginator.num_pages == 2
        assert "page=2" in first.content.decode()

        filtered = client.get(URL, {"to": citizen.phone})
        assert filtered.context["page"].paginator.count == selectors.SANDBOX_PAGE_SIZE + 5
        link = f"to=%2B{citizen.phone[1:]}&amp;page=2"
        assert link in filtered.content.decode()

        second = client.get(URL, {"to": citizen.phone, "page": 2})
        assert _bodies(second) == {f"Message {n}" for n in range(5)}  # the oldest five
        assert "For the other phone" not in second.content.decode()

        past_the_end = client.get(URL, {"page": 99})
        assert past_the_end.status_code == 200
        assert past_the_end.context["page"].number == 2
