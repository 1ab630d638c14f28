"""Casework pages and API: quick actions with clear errors, foreign users get 404 on every
new URL and endpoint, and the victim's name appears nowhere in them."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from complaints import casework
from complaints.models import (
    Arrest,
    ComplaintClosure,
    FirRegistration,
    IdentityAccessLog,
    Referral,
)
from tests.factories.complaints_casework import complaint_under_enquiry, fir_values
from tests.factories.complaints_intake import PLANTED_NAME, PLANTED_PHONE

pytestmark = pytest.mark.django_db
PLANTED = PLANTED_NAME.encode()


@pytest.fixture
def ic(world):  # type: ignore[no-untyped-def]
    return world.user(Role.STATION_IC)


@pytest.fixture
def enquiry(world, ic):  # type: ignore[no-untyped-def]
    return complaint_under_enquiry(station=world.station, ic=ic)


@pytest.fixture
def referral(enquiry, ic) -> Referral:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return casework.refer(
        complaint=enquiry, by=ic, kind="medical", referred_on=today, follow_up_on=today
    )


def _new_urls(pk: int, referral_pk: int) -> list[tuple[str, str]]:
    return [
        ("post", reverse("complaints:complaint_fir", args=[pk])),
        ("post", reverse("complaints:complaint_fir_correct", args=[pk])),
        ("post", reverse("complaints:complaint_arrest", args=[pk])),
        ("post", reverse("complaints:complaint_referral", args=[pk])),
        ("post", reverse("complaints:referral_follow_up", args=[pk, referral_pk])),
        ("post", reverse("complaints:complaint_close", args=[pk])),
        ("post", reverse("complaints:complaint_photo", args=[pk])),
        ("get", reverse("api:complaints-case-file", args=[pk])),
        ("post", reverse("api:complaints-fir", args=[pk])),
        ("post", reverse("api:complaints-fir-correct", args=[pk])),
        ("post", reverse("api:complaints-arrest-create", args=[pk])),
        ("post", reverse("api:complaints-referral-create", args=[pk])),
        ("post", reverse("api:complaints-referral-follow-up", args=[pk, referral_pk])),
        ("post", reverse("api:complaints-close", args=[pk])),
    ]


_ANY_INPUT = {
    "summary": "x",
    "feedback": "satisfied",
    "kind": "medical",
    "referred_on": "2026-01-01",
    "follow_up_on": "2026-01-02",
    "outcome": "supported",
    "followed_up_on": "2026-01-02",
    "fir_number": "1/2026",
    "cctns_number": "14410001202600001",
    "registered_on": "2026-01-01",
    "bns_sections": "78",
    "accused_role": "x",
    "arrested_on": "2026-01-01",
    "section": "78",
    "reason": "Typing mistake",
}


class TestScoping:
    @pytest.mark.parametrize("role", list(Role.values))
    def test_a_user_of_another_area_gets_404_on_every_casework_url(
        self, world, login, enquiry, referral, role
    ) -> None:
        client = login(world.strangers[role])
        for method, url in _new_urls(enquiry.pk, referral.pk):
            response = getattr(client, method)(url, _ANY_INPUT if method == "post" else None)
            assert response.status_code == 404, (role, url)
        assert not FirRegistration.objects.exists() and not ComplaintClosure.objects.exists()
        assert Referral.objects.count() == 1

    def test_a_referral_of_another_complaint_is_a_404(self, world, login, ic, referral) -> None:
        other = complaint_under_enquiry(station=world.station, ic=ic)
        client = login(ic)
        url = reverse("complaints:referral_follow_up", args=[other.pk, referral.pk])
        assert client.post(url, _ANY_INPUT).status_code == 404
        api = reverse("api:complaints-referral-follow-up", args=[other.pk, referral.pk])
        assert client.post(api, _ANY_INPUT).status_code == 404

    def test_district_staff_may_read_the_case_file_but_not_act(
        self, world, login, enquiry, referral
    ) -> None:
        client = login(world.user(Role.DISTRICT_HEAD))
        assert client.get(reverse("api:complaints-case-file", args=[enquiry.pk])).status_code == 200
        for method, url in _new_urls(enquiry.pk, referral.pk):
            if method == "post":
                assert client.post(url, _ANY_INPUT).status_code == 403, url
        assert not FirRegistration.objects.exists()


class TestQuickActionPages:
    def test_the_detail_page_offers_the_casework_actions(self, login, ic, enquiry) -> None:
        page = login(ic).get(reverse("complaints:complaint_detail", args=[enquiry.pk]))
        for testid in (b"fir-form", b"referral-form", b"closure-form"):
            assert b'data-testid="' + testid + b'"' in page.content
        assert b'data-testid="arrest-form"' not in page.content  # needs an FIR first

    def test_an_fir_with_bad_values_shows_errors_and_saves_nothing(
        self, login, ic, enquiry
    ) -> None:
        client = login(ic)
        url = reverse("complaints:complaint_fir", args=[enquiry.pk])
        bad = fir_values(fir_number="abc", bns_sections="78, 999")
        response = client.post(url, bad)
        assert response.status_code == 400
        assert b'data-testid="error-fir_number"' in response.content
        assert b'data-testid="error-bns_sections"' in response.content
        assert "999" in response.content.decode()
        # The same through htmx: 200 (so htmx swaps it in) with the same errors.
        htmx = client.post(url, bad, HTTP_HX_REQUEST="true")
        assert htmx.status_code == 200 and b'data-testid="error-fir_number"' in htmx.content
        future = fir_values(registered_on=timezone.localdate() + dt.timedelta(days=1))
        assert b"cannot be in the future" in client.post(url, future).content
        assert not FirRegistration.objects.exists()

    def test_fir_arrest_referral_follow_up_and_closure_through_the_page(
        self, login, ic, enquiry
    ) -> None:
        client = login(ic)
        today = timezone.localdate().isoformat()
        response = client.post(reverse("complaints:complaint_fir", args=[enquiry.pk]), fir_values())
        assert response.status_code == 302
        response = client.post(
            reverse("complaints:complaint_arrest", args=[enquiry.pk]),
            {
                "accused_role": "youth of the locality",
                "accused_description": "",
                "arrested_on": today,
                "section": "78",
                "arrested_by": ic.pk,
            },
        )
        assert response.status_code == 302
        response = client.post(
            reverse("complaints:complaint_referral", args=[enquiry.pk]),
            {"kind": "legal_aid", "referred_on": today, "follow_up_on": today},
        )
        assert response.status_code == 302
        referral = Referral.objects.get()
        response = client.post(
            reverse("complaints:referral_follow_up", args=[enquiry.pk, referral.pk]),
            {"outcome": "supported", "followed_up_on": today, "notes": ""},
        )
        assert response.status_code == 302
        empty = client.post(
            reverse("complaints:complaint_close", args=[enquiry.pk]),
            {"summary": " ", "feedback": ""},
        )
        assert empty.status_code == 400
        assert b'data-testid="error-summary"' in empty.content
        assert b'data-testid="error-feedback"' in empty.content
        response = client.post(
            reverse("complaints:complaint_close", args=[enquiry.pk]),
            {"summary": "Charge sheet filed.", "feedback": "satisfied", "feedback_remarks": ""},
        )
        assert response.status_code == 302
        page = client.get(reverse("complaints:complaint_detail", args=[enquiry.pk]))
        assert b'data-testid="closure"' in page.content
        assert b"Charge sheet filed." in page.content
        kinds = list(enquiry.events.values_list("kind", flat=True))
        assert kinds[-5:] == ["fir", "arrest", "referral", "follow_up", "closed"]
        assert Arrest.objects.count() == 1

    def test_the_status_menu_no_longer_offers_a_bare_close(self, login, ic, enquiry) -> None:
        page = login(ic).get(reverse("complaints:complaint_detail", args=[enquiry.pk]))
        status_form = page.content.split(b'data-testid="status-form"')[1].split(b"</form>")[0]
        assert b'value="closed"' not in status_form


class TestApi:
    def test_the_case_actions_through_the_api(self, login, ic, enquiry) -> None:
        client = login(ic)
        today = timezone.localdate().isoformat()
        values = fir_values()
        values["bns_sections"] = ["78", "351(2)"]
        values["registered_on"] = today
        created = client.post(
            reverse("api:complaints-fir", args=[enquiry.pk]),
            values,
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        assert created.json()["fir"]["bns_sections"] == ["78", "351(2)"]
        assert created.json()["complaint"]["status"] == "action_taken"
        arrest = client.post(
            reverse("api:complaints-arrest-create", args=[enquiry.pk]),
            {
                "accused_role": "neighbour",
                "arrested_on": today,
                "section": "351(2)",
                "arrested_by": ic.pk,
            },
        )
        assert arrest.status_code == 201 and len(arrest.json()["arrests"]) == 1
        referral = client.post(
            reverse("api:complaints-referral-create", args=[enquiry.pk]),
            {"kind": "shelter", "referred_on": today, "follow_up_on": today},
        )
        assert referral.status_code == 201
        referral_id = referral.json()["referrals"][0]["id"]
        follow = client.post(
            reverse("api:complaints-referral-follow-up", args=[enquiry.pk, referral_id]),
            {"outcome": "declined", "followed_up_on": today},
        )
        assert follow.json()["referrals"][0]["follow_up_outcome"] == "declined"
        closed = client.post(
            reverse("api:complaints-close", args=[enquiry.pk]),
            {"summary": "Done", "feedback": "not_satisfied", "feedback_remarks": "Slow"},
        )
        assert closed.status_code == 200
        assert closed.json()["complaint"]["status"] == "closed"
        assert closed.json()["closure"]["feedback"] == "not_satisfied"

    @pytest.mark.parametrize(
        ("endpoint", "data", "field"),
        [
            ("api:complaints-fir", {**fir_values(), "bns_sections": ["999"]}, "bns_sections"),
            (
                "api:complaints-fir",
                {**fir_values(), "bns_sections": ["78"], "cctns_number": "12"},
                "cctns_number",
            ),
            (
                "api:complaints-referral-create",
                {"kind": "spa", "referred_on": "2026-01-01", "follow_up_on": "2026-01-02"},
                "kind",
            ),
            ("api:complaints-close", {"summary": " ", "feedback": "satisfied"}, "summary"),
            ("api:complaints-close", {"summary": "x", "feedback": "ecstatic"}, "feedback"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(
        self, login, ic, enquiry, endpoint, data, field
    ) -> None:
        if "registered_on" in data:
            data = {**data, "registered_on": timezone.localdate().isoformat()}
        response = login(ic).post(
            reverse(endpoint, args=[enquiry.pk]), data, content_type="application/json"
        )
        assert response.status_code == 400, response.content
        assert field in response.json()
        enquiry.refresh_from_db()
        assert enquiry.status == "under_enquiry"
        assert not FirRegistration.objects.exists() and not ComplaintClosure.objects.exists()


def test_the_planted_name_is_in_no_casework_page_endpoint_audit_or_log(
    world, login, ic, enquiry, referral, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    casework.register_fir(complaint=enquiry, by=ic, **fir_values())
    casework.record_arrest(
        complaint=enquiry,
        by=ic,
        accused_role="husband",
        arrested_on=timezone.localdate(),
        section="78",
        arrested_by=ic,
    )
    users = [*world.users.values(), *world.strangers.values()]
    for user in users:
        client = login(user)
        for url in [
            reverse("complaints:complaint_detail", args=[enquiry.pk]),
            reverse("api:complaints-case-file", args=[enquiry.pk]),
            reverse("api:complaints-sos-alert-list"),
            reverse("api:complaints-unrouted-list"),
            reverse("complaints:complaint_queue"),
            reverse("api:complaints-complaint-list"),
        ]:
            content = client.get(url).content
            assert PLANTED not in content, (user.username, url)
            assert PLANTED_PHONE.encode() not in content
    # A failed quick action re-renders the page: still no identity.
    bad = login(ic).post(reverse("complaints:complaint_close", args=[enquiry.pk]), {"summary": ""})
    assert PLANTED not in bad.content
    assert PLANTED_NAME not in caplog.text
    assert IdentityAccessLog.objects.count() == 0


class TestReferralFollowUps:
    def test_an_unsettled_follow_up_asks_for_the_next_date_and_the_form_stays(
        self, login, ic, enquiry, referral
    ) -> None:
        client = login(ic)
        today = timezone.localdate()
        url = reverse("complaints:referral_follow_up", args=[enquiry.pk, referral.pk])
        missing = client.post(url, {"outcome": "not_reached", "followed_up_on": today})
        assert missing.status_code == 400
        assert b'data-testid="error-next_follow_up_on"' in missing.content
        assert not referral.follow_ups.exists()
        next_on = today + dt.timedelta(days=3)
        ok = client.post(
            url,
            {
                "outcome": "not_reached",
                "followed_up_on": today,
                "notes": "Phone switched off",
                "next_follow_up_on": next_on,
            },
        )
        assert ok.status_code == 302
        page = client.get(reverse("complaints:complaint_detail", args=[enquiry.pk])).content
        history = page.split(b'data-testid="follow-up-history"')[1].split(b"</ol>")[0]
        assert b"Phone switched off" in history
        assert b'data-testid="follow-up-form"' in page  # another follow-up is due
        settled = client.post(url, {"outcome": "supported", "followed_up_on": today})
        assert settled.status_code == 302
        page = client.get(reverse("complaints:complaint_detail", args=[enquiry.pk])).content
        assert b'data-testid="follow-up-form"' not in page
        assert page.count(b"<li>", page.index(b'data-testid="follow-up-history"')) >= 2
        again = client.post(url, {"outcome": "declined", "followed_up_on": today})
        assert again.status_code == 400 and b"complete" in again.content
        assert referral.follow_ups.count() == 2

    def test_the_api_lists_every_follow_up_and_refuses_a_missing_next_date(
        self, login, ic, enquiry, referral
    ) -> None:
        client = login(ic)
        today = timezone.localdate()
        url = reverse("api:complaints-referral-follow-up", args=[enquiry.pk, referral.pk])
        refused = client.post(url, {"outcome": "in_progress", "followed_up_on": today})
        assert refused.status_code == 400 and "next_follow_up_on" in refused.json()
        body = client.post(
            url,
            {
                "outcome": "in_progress",
                "followed_up_on": today.isoformat(),
                "next_follow_up_on": (today + dt.timedelta(days=7)).isoformat(),
            },
            content_type="application/json",
        ).json()
        (row,) = body["referrals"]
        assert row["follow_up_on"] == (today + dt.timedelta(days=7)).isoformat()
        assert [f["outcome"] for f in row["follow_ups"]] == ["in_progress"]

    def test_the_due_list_shows_only_the_users_due_referrals(
        self, world, login, ic, enquiry, referral, django_assert_max_num_queries
    ) -> None:
        today = timezone.localdate()
        casework.refer(
            complaint=enquiry, by=ic, kind="shelter",
            referred_on=today, follow_up_on=today + dt.timedelta(days=2),
        )  # fmt: skip
        stranger = world.strangers[Role.STATION_IC]
        theirs = complaint_under_enquiry(station=world.other_station, ic=stranger)
        casework.refer(
            complaint=theirs, by=stranger, kind="legal_aid", referred_on=today, follow_up_on=today
        )
        for number in range(12):  # more rows must not mean more queries
            other = complaint_under_enquiry(station=world.station, ic=ic)
            casework.refer(
                complaint=other, by=ic, kind="medical",
                referred_on=today - dt.timedelta(days=number), follow_up_on=today,
            )  # fmt: skip
        client = login(ic)
        url = reverse("complaints:referrals_due")
        with django_assert_max_num_queries(12):
            page = client.get(url)
        body = page.content.decode()
        assert page.status_code == 200
        assert body.count('data-testid="referral-due-row"') == 13
        assert enquiry.tracking_number in body and theirs.tracking_number not in body
        assert "Due today" in body
        their_page = login(stranger).get(url).content.decode()
        assert theirs.tracking_number in their_page and enquiry.tracking_number not in their_page
        ngo = login(world.user(Role.NGO_COORDINATOR)).get(url)
        assert ngo.status_code == 200 and b'data-testid="referrals-due-empty"' in ngo.content

    def test_an_overdue_referral_says_by_how_many_days(self, login, ic, enquiry) -> None:
        today = timezone.localdate()
        casework.refer(
            complaint=enquiry, by=ic, kind="medical",
            referred_on=today - dt.timedelta(days=9), follow_up_on=today - dt.timedelta(days=4),
        )  # fmt: skip
        body = login(ic).get(reverse("complaints:referrals_due")).content.decode()
        assert "4 days overdue" in body


class TestFirCorrection:
    def test_the_ic_corrects_the_fir_on_the_page(self, login, ic, enquiry) -> None:
        client = login(ic)
        client.post(reverse("complaints:complaint_fir", args=[enquiry.pk]), fir_values())
        page = client.get(reverse("complaints:complaint_detail", args=[enquiry.pk])).content
        form = page.split(b'data-testid="fir-correction-form"')[1].split(b"</form>")[0]
        assert b'value="78, 351(2)"' in form  # prefilled with the FIR as recorded
        url = reverse("complaints:complaint_fir_correct", args=[enquiry.pk])
        no_reason = client.post(url, fir_values(bns_sections="78, 351(2), 74"))
        assert no_reason.status_code == 400
        assert b'data-testid="error-reason"' in no_reason.content
        same = client.post(url, {**fir_values(), "reason": "Checked"})
        assert same.status_code == 400 and b"Nothing differs" in same.content
        done = client.post(
            url, {**fir_values(bns_sections="78, 351(2), 74"), "reason": "Section 74 added"}
        )
        assert done.status_code == 302
        assert FirRegistration.objects.get().bns_sections == ["78", "351(2)", "74"]
        page = client.get(reverse("complaints:complaint_detail", args=[enquiry.pk])).content
        assert b"Section 74 added" in page  # on the timeline

    def test_the_api_corrects_the_fir(self, login, ic, enquiry) -> None:
        client = login(ic)
        values = fir_values()
        values["bns_sections"] = ["78"]
        values["registered_on"] = values["registered_on"].isoformat()
        url = reverse("api:complaints-fir-correct", args=[enquiry.pk])
        missing = client.post(url, {**values, "reason": "x"}, content_type="application/json")
        assert missing.status_code == 400  # no FIR yet
        create = reverse("api:complaints-fir", args=[enquiry.pk])
        assert client.post(create, values, content_type="application/json").status_code == 201
        values["bns_sections"] = ["78", "351(2)"]
        fixed = client.post(
            url, {**values, "reason": "Threats found"}, content_type="application/json"
        )
        assert fixed.status_code == 200, fixed.content
        assert fixed.json()["fir"]["bns_sections"] == ["78", "351(2)"]
