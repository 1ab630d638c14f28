"""Login page and language switching."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.forms import LoginForm
from accounts.models import Role
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "hi", "bn"])
def test_bad_login_shows_the_error_in_the_visitors_language(world, client, language) -> None:
    client.cookies["django_language"] = language
    page = client.post(reverse("login"), {"username": "our_station_ic", "password": "wrong"})
    assert page.status_code == 200
    with translation.override(language):
        expected = str(LoginForm.error_messages["invalid_login"])
    assert expected in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_good_login_goes_on_to_the_second_factor(world, client) -> None:
    """A password alone is half a login for an officer (tests/accounts/test_two_factor.py)."""
    page = client.post(
        reverse("login"), {"username": "our_station_ic", "password": TEST_PASSWORD}, follow=True
    )
    assert page.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    assert 'data-testid="two-factor-setup-title"' in page.content.decode()


def test_the_user_language_follows_them_to_any_device(world, login) -> None:
    user = world.user(Role.STATION_IC)
    login(user).post(reverse("set_language"), {"language": "bn", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "bn"
    fresh_device = login(user)  # no language cookie
    page = fresh_device.get(reverse("home"))
    assert page["Content-Language"] == "bn"
    assert '<html lang="bn">' in page.content.decode()


def test_unknown_language_is_ignored(world, login) -> None:
    user = world.user(Role.STATION_IC)
    login(user).post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_logout_needs_post_and_ends_the_session(world, login) -> None:
    client = login(world.user(Role.STATION_IC))
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
