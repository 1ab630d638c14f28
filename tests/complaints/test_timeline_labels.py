"""Timeline entries store codes and are put into words in the reader's language when shown."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from complaints import casework
from complaints.models import ComplaintEvent
from tests.factories.complaints_casework import complaint_under_enquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic(world):  # type: ignore[no-untyped-def]
    return world.user(Role.STATION_IC)


@pytest.fixture
def enquiry(world, ic):  # type: ignore[no-untyped-def]
    return complaint_under_enquiry(station=world.station, ic=ic)


def _timeline_in_hindi(login, user, complaint) -> str:  # type: ignore[no-untyped-def]
    user.preferred_language = "hi"
    user.save(update_fields=["preferred_language"])
    page = login(user).get(reverse("complaints:complaint_detail", args=[complaint.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('data-testid="timeline"') :]


def test_a_referral_written_in_english_reads_in_hindi(world, login, ic, enquiry) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    with translation.override("en"):
        referral = casework.refer(
            complaint=enquiry, by=ic, kind="legal_aid", referred_on=today, follow_up_on=today
        )
        casework.follow_up_referral(
            referral=referral, by=ic, outcome="supported", followed_up_on=today
        )
    event = ComplaintEvent.objects.get(complaint=enquiry, kind="referral")
    assert event.note_params == {"referral_kind": "legal_aid"}
    timeline = _timeline_in_hindi(login, world.user(Role.STATION_OFFICER), enquiry)
    assert "विधिक सहायता (DLSA)" in timeline
    assert "Legal aid (DLSA)" not in timeline
    assert "विधिक सहायता (DLSA): सहायता मिली" in timeline  # the follow-up's kind and outcome


def test_an_old_entry_with_an_english_label_is_translated_at_display(world, login, enquiry) -> None:  # type: ignore[no-untyped-def]
    ComplaintEvent.objects.create(complaint=enquiry, kind="counselling", note="Reconciled")
    ComplaintEvent.objects.create(complaint=enquiry, kind="status", note="Spoke to both families")
    timeline = _timeline_in_hindi(login, world.user(Role.STATION_OFFICER), enquiry)
    assert "सुलह हो गई" in timeline and "Reconciled" not in timeline
    assert "Spoke to both families" in timeline  # free text stays as written


def test_unknown_codes_fall_back_to_the_stored_words(enquiry) -> None:  # type: ignore[no-untyped-def]
    event = ComplaintEvent.objects.create(
        complaint=enquiry, kind="referral", note="Old words", note_params={"referral_kind": "x"}
    )
    assert event.display_note == "Old words"
