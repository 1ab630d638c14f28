"""NUL and other control characters never reach a view (issue 21, item 2).

PostgreSQL refuses a NUL in any text value, so before portal.input_cleaning a `?q=%00` typed
into a search box was a server error on every view that searched. The middleware cleans
request.GET and request.POST once for every view, and the API's parsers clean JSON and form
bodies, so no view has to remember it.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import Role
from outreach.models import Ngo
from tests.factories.outreach import NgoFactory

pytestmark = pytest.mark.django_db

CONTROL = "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f"

HTML_SEARCHES = [
    ("complaints:complaint_queue", Role.DISTRICT_HEAD),
    ("stations:station_list", Role.DISTRICT_HEAD),
    ("groups:register_list", Role.DISTRICT_HEAD),
    ("outreach:ngo_list", Role.DISTRICT_HEAD),
]
API_SEARCHES = [
    "api:people-citizen-list",
    "api:complaints-complaint-list",
    "api:station-list",
    "api:outreach-ngo-list",
]


@pytest.mark.parametrize(("url_name", "role"), HTML_SEARCHES)
def test_a_nul_byte_in_a_page_search_is_ignored(world, login, url_name, role) -> None:
    response = login(world.user(role)).get(reverse(url_name), {"q": "\x00"})
    assert response.status_code == 200


@pytest.mark.parametrize("url_name", API_SEARCHES)
def test_a_nul_byte_in_an_api_search_is_ignored(world, login, url_name) -> None:
    response = login(world.user(Role.DISTRICT_HEAD)).get(reverse(url_name), {"q": "a\x00b"})
    assert response.status_code == 200


def test_control_characters_are_removed_from_the_search_but_the_rest_still_matches(
    world, login
) -> None:
    NgoFactory(districts=[world.district], name="Asha Jyoti")
    response = login(world.user(Role.DISTRICT_HEAD)).get(
        reverse("api:outreach-ngo-list"), {"q": f"As{CONTROL}ha\t\n"}
    )
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Asha Jyoti"]


def test_a_posted_form_keeps_its_line_breaks_and_loses_its_nul_bytes(world, login) -> None:
    client = login(world.user(Role.STATE_HQ))
    response = client.post(
        reverse("outreach:ngo_create"),
        {
            "name": "Nari\x00 Shakti",
            "registration_number": "UP/2020/\x000001",
            "districts": [world.district.pk],
            "contact_person": "Meera",
            "phone": "9876543210",
            "address": "Line one\r\nLine\ttwo\x00\x07",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ngo = Ngo.objects.get()
    assert (ngo.name, ngo.registration_number) == ("Nari Shakti", "UP/2020/0001")
    assert ngo.address == "Line one\r\nLine\ttwo"


def test_a_nul_byte_in_a_json_body_is_refused_or_removed_never_a_server_error(world, login) -> None:
    client = login(world.user(Role.STATE_HQ))
    response = client.post(
        reverse("api:outreach-ngo-create"),
        json.dumps(
            {
                "name": "Sakhi\x00 Kendra",
                "registration_number": "UP/2020/0002",
                "districts": [world.district.pk],
                "contact_person": "Rina\u0000",
                "phone": "9876543211",
                "address": "Ward 4\nBlock \ud800B",
                "\x00": "\x00",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ngo = Ngo.objects.get()
    assert (ngo.name, ngo.contact_person) == ("Sakhi Kendra", "Rina")
    assert ngo.address == "Ward 4\nBlock \ufffdB"


def test_a_nul_byte_in_a_multipart_api_body_is_removed(world, login) -> None:
    client = login(world.user(Role.STATE_HQ))
    response = client.post(
        reverse("api:outreach-ngo-create"),
        {
            "name": "Mahila\x00 Mandal",
            "registration_number": "UP/2020/0003",
            "districts": [world.district.pk],
            "contact_person": "Uma",
            "phone": "9876543212",
            "address": "Gali 2",
        },
    )
    assert response.status_code == 201, response.content
    assert Ngo.objects.get().name == "Mahila Mandal"
