"""The public self-application form: no login, rate-limited, and silent about the register."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from groups.models import Nomination, NominationSource
from people.phones import MESSAGES, PhoneProblem
from tests.factories.groups import ExclusionEntryFactory, GroupFactory
from tests.groups.conftest import next_phone

pytestmark = pytest.mark.django_db

CSRF = re.compile(r"[A-Za-z0-9]{64}")  # per-session CSRF tokens differ, nothing else may


def _ip() -> str:
    """A fresh client address per test (the throttle counters live in the shared Redis)."""
    raw = uuid.uuid4().int
    return f"10.{raw % 250}.{(raw >> 8) % 250}.{(raw >> 16) % 250 + 1}"


def _apply(client, group, ip: str, **fields):  # type: ignore[no-untyped-def]
    data = {"name": "সুমনা পাল", "phone": next_phone(), "language": "bn", "consent": "on"}
    data.update(fields)
    return client.post(reverse("groups:apply", args=[group.public_token]), data, REMOTE_ADDR=ip)


def test_the_form_shows_the_rules_and_the_no_id_card_notice(client, group) -> None:
    page = client.get(reverse("groups:apply", args=[group.public_token]))
    html = page.content.decode()
    assert page.status_code == 200 and group.rules in html
    assert "no police ID card" in html


def test_an_application_becomes_a_screened_self_application(client, group) -> None:
    response = _apply(client, group, _ip(), phone="৯৮৭৬৫ ৪৩২১০", locality="Poramatala")
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:apply_done", args=[group.public_token])
    nomination = Nomination.objects.get()
    assert nomination.source == NominationSource.SELF_APPLICATION
    assert nomination.nominee_phone == "+919876543210" and nomination.status == "screened"
    assert nomination.recorded_by is None and nomination.nominee_language == "bn"
    assert AuditEvent.objects.filter(action="groups.nomination.submitted", actor=None).exists()


def test_the_answer_is_the_same_whether_or_not_the_register_matches(world, client, group) -> None:
    tout_phone = next_phone()
    ExclusionEntryFactory(district=world.district, phones=[tout_phone], names=["Sumana Pal"])
    matched = _apply(client, group, _ip(), phone=tout_phone)
    clean = _apply(client, group, _ip(), name="Ritu Sen")
    again = _apply(client, group, _ip(), phone=tout_phone)  # already waiting
    assert matched.status_code == clean.status_code == again.status_code == 302
    assert matched["Location"] == clean["Location"] == again["Location"]
    pages = [CSRF.sub("", client.get(r["Location"]).content.decode()) for r in (matched, clean)]
    assert pages[0] == pages[1]
    assert "register" not in pages[0].lower()
    blocked, open_ = Nomination.objects.order_by("id")
    assert blocked.is_blocked and not open_.is_blocked
    assert Nomination.objects.count() == 2  # the repeat created nothing


def test_an_invalid_phone_gets_a_clear_translated_error(client, group, fake_catalog) -> None:
    with translation.override("en"):
        msgid = str(MESSAGES[PhoneProblem.INVALID])
    fake_catalog("bn", {msgid: "বাংলা: নম্বরটি ঠিক নয়"})
    client.cookies["django_language"] = "bn"
    response = _apply(client, group, _ip(), phone="12345")
    assert response.status_code == 400
    assert "বাংলা: নম্বরটি ঠিক নয়" in response.content.decode()
    assert not Nomination.objects.exists()


def test_consent_is_required(client, group) -> None:
    response = _apply(client, group, _ip(), consent="")
    assert response.status_code == 400 and not Nomination.objects.exists()


def test_too_many_attempts_from_one_address_get_429_translated(
    client, group, settings, fake_catalog
) -> None:
    settings.GROUPS_APPLY_PER_IP_PER_HOUR = 2
    msgid = "Too many applications were sent from here. Please try again later."
    fake_catalog("hi", {msgid: "यहाँ से बहुत आवेदन आए। कृपया बाद में फिर कोशिश करें।"})
    client.cookies["django_language"] = "hi"
    ip = _ip()
    assert _apply(client, group, ip).status_code == 302
    assert _apply(client, group, ip, phone="1").status_code == 400  # invalid ones count too
    limited = _apply(client, group, ip)
    assert limited.status_code == 429
    assert "यहाँ से बहुत आवेदन आए" in limited.content.decode()
    assert Nomination.objects.count() == 1
    assert _apply(client, group, _ip()).status_code == 302  # another address is not affected


def test_too_many_applications_for_one_phone_get_429(client, group, settings) -> None:
    settings.GROUPS_APPLY_PER_PHONE_PER_DAY = 1
    phone = next_phone()
    other = GroupFactory(station=group.station)
    assert _apply(client, group, _ip(), phone=phone).status_code == 302
    assert _apply(client, other, _ip(), phone=phone).status_code == 429
    assert Nomination.objects.count() == 1


@pytest.mark.parametrize("change", [{"accepts_applications": False}, {"is_active": False}])
def test_a_group_that_takes_no_applications_is_404(client, world, change) -> None:
    group = GroupFactory(station=world.station, **change)
    assert client.get(reverse("groups:apply", args=[group.public_token])).status_code == 404
    assert client.get(reverse("groups:apply", args=[uuid.uuid4()])).status_code == 404


def test_query_budget_of_the_public_form_is_flat_in_the_register_size(
    world, client, group, django_assert_max_num_queries
) -> None:
    for i in range(40):
        ExclusionEntryFactory(district=world.district, names=[f"Tout {i}"], phones=[next_phone()])
    with django_assert_max_num_queries(12):
        assert _apply(client, group, _ip()).status_code == 302
