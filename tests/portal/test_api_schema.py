"""The OpenAPI schema is for signed-in users only (issue 21, item 7).

It lists every endpoint and every input field, the victim-identity fields of complaint
registration included; a stranger on the internet has no use for that map. (The WhatsApp
webhook is a plain Django view, not part of the schema, so Meta needs nothing from it.)
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_gets_no_schema(world) -> None:
    response = Client().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code in {401, 403}
    assert b"victim_name" not in response.content


def test_a_password_only_session_must_verify_its_second_factor_first(
    world, login_without_otp
) -> None:
    response = login_without_otp(world.user(Role.STATION_IC)).get(
        reverse("api-schema"), {"format": "json"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


@pytest.mark.parametrize("role", [Role.STATION_OFFICER, Role.NGO_COORDINATOR])
def test_a_signed_in_user_reads_the_schema(world, login, role) -> None:
    response = login(world.user(role)).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/complaints/" in response.json()["paths"]


def test_the_webhook_is_not_part_of_the_schema(world, login) -> None:
    schema = login(world.user(Role.STATE_HQ)).get(reverse("api-schema"), {"format": "json"})
    assert not [path for path in schema.json()["paths"] if "webhook" in path]
