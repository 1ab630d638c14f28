"""Officers' group pages: happy paths, strangers get 404 everywhere, flat query budgets."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import AuditEvent, Role
from groups import services
from groups.models import CommunityGroup, ExclusionEntry, Membership, Nomination
from people.phones import MESSAGES, PhoneProblem
from tests.factories.groups import ExclusionEntryFactory, GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(group, nominate, ic, templates) -> Membership:  # type: ignore[no-untyped-def]
    membership = services.approve_nomination(nomination=nominate(group, name="Mou Saha"), by=ic)
    assert membership.membership is not None
    return membership.membership


@pytest.fixture
def pending(group, nominate) -> Nomination:  # type: ignore[no-untyped-def]
    return nominate(group, name="Chaitali Roy")


@pytest.fixture
def entry(world) -> ExclusionEntry:  # type: ignore[no-untyped-def]
    return ExclusionEntryFactory(
        district=world.district, names=["Babloo Yadav"], phones=["+919811112222"]
    )


def _pages(group, pending, member, entry):  # type: ignore[no-untyped-def]
    """(method, url) for every page and action that belongs to 'our' station or district."""
    return [
        ("get", reverse("groups:group_detail", args=[group.pk])),
        ("get", reverse("groups:group_edit", args=[group.pk])),
        ("get", reverse("groups:vetting_queue", args=[group.pk])),
        ("get", reverse("groups:nomination_create", args=[group.pk])),
        ("get", reverse("groups:roster", args=[group.pk])),
        ("get", reverse("groups:roster_export", args=[group.pk, "csv"])),
        ("get", reverse("groups:roster_export", args=[group.pk, "vcf"])),
        ("get", reverse("groups:conduct_log", args=[group.pk])),
        ("get", reverse("groups:nominators") + f"?group={group.pk}"),
        ("get", reverse("groups:nomination_detail", args=[pending.pk])),
        ("post", reverse("groups:nomination_approve", args=[pending.pk])),
        ("post", reverse("groups:nomination_reject", args=[pending.pk])),
        ("post", reverse("groups:nomination_override", args=[pending.pk])),
        ("get", reverse("groups:membership_detail", args=[member.pk])),
        ("post", reverse("groups:incident_create", args=[member.pk])),
        ("post", reverse("groups:membership_remove", args=[member.pk])),
        ("post", reverse("groups:membership_left", args=[member.pk])),
        ("post", reverse("groups:membership_invite", args=[member.pk])),
        ("post", reverse("groups:membership_revet", args=[member.pk])),
        ("get", reverse("groups:register_detail", args=[entry.pk])),
        ("get", reverse("groups:register_edit", args=[entry.pk])),
        ("post", reverse("groups:register_withdraw", args=[entry.pk])),
    ]


class TestStrangers:
    @pytest.mark.parametrize("role", Role.values)
    def test_a_user_of_another_state_gets_404_on_every_page_and_action(
        self, world, login, role, group, pending, member, entry
    ) -> None:
        client = login(world.strangers[role])
        for method, url in _pages(group, pending, member, entry):
            response = getattr(client, method)(url, {"reason": "x"} if method == "post" else None)
            assert response.status_code == 404, (method, url, response.status_code)
        assert Nomination.objects.get(pk=pending.pk).status == "screened"
        assert Membership.objects.get(pk=member.pk).status == "active"

    def test_an_ic_of_a_sibling_station_gets_404_on_the_group_pages(
        self, world, login, group, pending, member, entry
    ) -> None:
        from tests.factories import PostingFactory, UserFactory

        sibling_ic = UserFactory()
        PostingFactory(user=sibling_ic, role=Role.STATION_IC, station=world.sibling_station)
        client = login(sibling_ic)
        for method, url in _pages(group, pending, member, entry)[:-3]:
            assert getattr(client, method)(url).status_code == 404, url
        # The register is the district's: a sibling station of the district shares it.
        assert client.get(reverse("groups:register_detail", args=[entry.pk])).status_code == 200

    def test_a_missing_object_is_the_same_404(self, world, login) -> None:
        client = login(world.user(Role.STATION_IC))
        assert client.get(reverse("groups:group_detail", args=[999999])).status_code == 404
        assert client.get(reverse("groups:nomination_detail", args=[999999])).status_code == 404

    def test_anonymous_visitors_are_sent_to_login(self, client, group) -> None:
        response = client.get(reverse("groups:vetting_queue", args=[group.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    def test_group_list_shows_only_groups_in_the_jurisdiction(self, world, login, group) -> None:
        GroupFactory(station=world.other_station, name="Their group")
        page = login(world.strangers[Role.STATION_IC]).get(reverse("groups:group_list"))
        assert [g.name for g in page.context["groups"]] == ["Their group"]
        page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("groups:group_list"))
        assert [g.name for g in page.context["groups"]] == [group.name]


class TestGroupPages:
    def test_group_list_shows_seats_left_and_pending_counts(
        self, world, login, group, pending
    ) -> None:
        page = login(world.user(Role.STATION_IC)).get(reverse("groups:group_list"))
        html = page.content.decode()
        assert page.status_code == 200
        assert "5 of 5 seats left" in html and "1 awaiting vetting" in html

    def test_the_invite_link_is_shown_only_to_admins(self, world, login, group) -> None:
        url = reverse("groups:group_detail", args=[group.pk])
        assert group.invite_link in login(world.user(Role.STATION_IC)).get(url).content.decode()
        head = login(world.user(Role.DISTRICT_HEAD)).get(url)
        assert head.status_code == 200 and group.invite_link not in head.content.decode()

    def test_the_ic_creates_a_group(self, world, login, ic, officer) -> None:
        response = login(ic).post(
            reverse("groups:group_create"),
            {
                "unit": f"station:{world.station.pk}",
                "name": "Vyapari Suraksha",
                "kind": "traders",
                "rules_text": "Only safety.",
                "capacity": 300,
                "invite_link": "https://chat.whatsapp.com/AbCdEf",
                "admins": [officer.pk],
            },
        )
        group = CommunityGroup.objects.get(name="Vyapari Suraksha")
        assert response.status_code == 302
        assert set(group.admins.all()) == {ic, officer}
        assert AuditEvent.objects.filter(action="groups.group.created", actor=ic).exists()

    def test_an_invite_link_must_be_a_whatsapp_one(self, world, login, ic) -> None:
        response = login(ic).post(
            reverse("groups:group_create"),
            {
                "unit": f"station:{world.station.pk}",
                "name": "X",
                "kind": "traders",
                "rules_text": "r",
                "capacity": 30,
                "invite_link": "https://evil.example/join",
            },
        )
        assert response.status_code == 200 and not CommunityGroup.objects.exists()
        assert "chat.whatsapp.com" in response.content.decode()

    def test_an_officer_cannot_create_or_edit_groups(self, world, login, officer, group) -> None:
        client = login(officer)
        assert client.get(reverse("groups:group_create")).status_code == 403
        assert client.get(reverse("groups:group_edit", args=[group.pk])).status_code == 403

    def test_the_ic_raises_capacity(self, world, login, ic, group) -> None:
        response = login(ic).post(
            reverse("groups:group_edit", args=[group.pk]),
            {
                "name": group.name,
                "kind": group.kind,
                "rules_text": group.rules,
                "capacity": 1024,
                "invite_link": group.invite_link,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        group.refresh_from_db()
        assert group.capacity == 1024

    def test_capacity_over_whatsapps_limit_is_a_form_error(self, world, login, ic, group) -> None:
        response = login(ic).post(
            reverse("groups:group_edit", args=[group.pk]),
            {"name": group.name, "kind": group.kind, "rules_text": "r", "capacity": 5000},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["capacity"]

    def test_query_budget_of_the_group_list(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        for _ in range(30):
            GroupFactory(station=world.station)
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("groups:group_list")).status_code == 200

    def test_query_budget_of_the_group_page(
        self, world, login, group, django_assert_max_num_queries
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        with django_assert_max_num_queries(14):
            assert client.get(reverse("groups:group_detail", args=[group.pk])).status_code == 200


class TestVetting:
    def test_the_queue_shows_the_screening_result(
        self, world, login, group, nominate, entry
    ) -> None:
        nominate(group, name="बबलू यादव")  # the register's Babloo Yadav, in Devanagari
        nominate(group, name="Clean Person")
        page = login(world.user(Role.STATION_IC)).get(
            reverse("groups:vetting_queue", args=[group.pk])
        )
        html = page.content.decode()
        assert html.count('data-testid="screening-hit"') == 1
        assert html.count('data-testid="screening-clear"') == 1
        assert reverse("groups:register_detail", args=[entry.pk]) in html

    def test_htmx_approve_returns_the_row_and_the_new_seats_left(
        self, world, login, group, pending, templates
    ) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("groups:nomination_approve", args=[pending.pk]), HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="nomination-{pending.pk}"' in html
        assert 'hx-swap-oob="true"' in html and "4 of 5 seats left" in html
        assert Nomination.objects.get(pk=pending.pk).status == "approved"

    def test_approve_without_htmx_redirects_to_the_queue(
        self, world, login, group, pending, templates
    ) -> None:
        response = login(world.user(Role.STATION_OFFICER)).post(
            reverse("groups:nomination_approve", args=[pending.pk])
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("groups:vetting_queue", args=[group.pk])

    def test_a_blocked_approval_shows_why(self, world, login, group, nominate, entry) -> None:
        blocked = nominate(group, phone="98111 12222")
        response = login(world.user(Role.STATION_IC)).post(
            reverse("groups:nomination_approve", args=[blocked.pk]), HTTP_HX_REQUEST="true"
        )
        assert 'data-testid="row-error"' in response.content.decode()
        assert Nomination.objects.get(pk=blocked.pk).status == "screened"

    def test_reject_needs_a_reason(self, world, login, group, pending) -> None:
        client = login(world.user(Role.STATION_IC))
        url = reverse("groups:nomination_reject", args=[pending.pk])
        response = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
        assert 'data-testid="row-error"' in response.content.decode()
        client.post(url, {"reason": "Not resident in the station area."})
        pending.refresh_from_db()
        assert pending.status == "rejected"

    def test_a_viewer_who_may_not_decide_gets_403(self, world, login, pending) -> None:
        response = login(world.user(Role.DISTRICT_HEAD)).post(
            reverse("groups:nomination_approve", args=[pending.pk])
        )
        assert response.status_code == 403

    def test_the_ic_overrides_from_the_queue(self, world, login, group, nominate, entry) -> None:
        blocked = nominate(group, phone="+919811112222")
        login(world.user(Role.STATION_IC)).post(
            reverse("groups:nomination_override", args=[blocked.pk]),
            {"reason": "Number re-issued by the operator; checked."},
        )
        blocked.refresh_from_db()
        assert not blocked.is_blocked

    def test_query_budget_of_the_queue(
        self, world, login, group, nominate, entry, django_assert_max_num_queries
    ) -> None:
        for i in range(30):
            nominate(
                group,
                name=f"Nominee {i}",
                source="civic_volunteer",
                nominator_details=services.NominatorDetails(
                    "civic_volunteer", f"Vol {i % 3}", f"+91620000000{i % 3}"
                ),
            )
        client = login(world.user(Role.STATION_IC))
        with django_assert_max_num_queries(14):
            response = client.get(reverse("groups:vetting_queue", args=[group.pk]))
        assert response.content.decode().count('data-testid="nomination-row"') == 30

    def test_query_budget_of_the_nomination_page(
        self, world, login, pending, django_assert_max_num_queries
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        with django_assert_max_num_queries(14):
            assert (
                client.get(reverse("groups:nomination_detail", args=[pending.pk])).status_code
                == 200
            )


class TestNominationForm:
    def test_an_officer_nominates_through_the_form(self, world, login, group) -> None:
        response = login(world.user(Role.STATION_OFFICER)).post(
            reverse("groups:nomination_create", args=[group.pk]),
            {
                "source": "party_representative",
                "nominator_name": "Gopal Mondal",
                "nominator_phone": "৯৪৩৪০ ১২৩৪৫",
                "nominator_organisation": "Ward committee",
                "nominee_name": "অনিতা মণ্ডল",
                "nominee_phone": "098765 43210",
                "nominee_language": "bn",
                "nominee_consent": "on",
            },
        )
        assert response.status_code == 302
        nomination = Nomination.objects.get()
        assert nomination.nominee_phone == "+919876543210"
        assert nomination.nominator.phone == "+919434012345"

    @pytest.mark.parametrize(
        ("typed", "problem"),
        [("12345", PhoneProblem.INVALID), ("0342 2200101", PhoneProblem.LANDLINE)],
    )
    def test_an_invalid_phone_gets_a_clear_translated_form_error(
        self, world, login, group, fake_catalog, typed, problem
    ) -> None:
        with translation.override("en"):
            msgid = str(MESSAGES[problem])
        fake_catalog("hi", {msgid: "हिंदी: मोबाइल नंबर ठीक नहीं"})
        officer = world.user(Role.STATION_OFFICER)
        officer.preferred_language = "hi"
        officer.save()
        response = login(officer).post(
            reverse("groups:nomination_create", args=[group.pk]),
            {"source": "officer", "nominee_name": "X", "nominee_phone": typed,
             "nominee_language": "hi", "nominee_consent": "on"},
        )  # fmt: skip
        assert response.status_code == 200
        assert response.context["form"].errors["nominee_phone"] == ["हिंदी: मोबाइल नंबर ठीक नहीं"]
        assert "हिंदी: मोबाइल नंबर ठीक नहीं" in response.content.decode()
        assert not Nomination.objects.exists()

    def test_a_volunteer_nomination_without_the_volunteer_is_a_form_error(
        self, world, login, group
    ) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("groups:nomination_create", args=[group.pk]),
            {"source": "civic_volunteer", "nominee_name": "X", "nominee_phone": "9876543210",
             "nominee_language": "hi", "nominee_consent": "on"},
        )  # fmt: skip
        assert response.context["form"].errors["nominator"]

    def test_a_duplicate_is_a_form_error_not_a_second_row(
        self, world, login, group, nominate
    ) -> None:
        nominate(group, phone="+919876543210")
        response = login(world.user(Role.STATION_IC)).post(
            reverse("groups:nomination_create", args=[group.pk]),
            {"source": "officer", "nominee_name": "X", "nominee_phone": "9876543210",
             "nominee_language": "hi", "nominee_consent": "on"},
        )  # fmt: skip
        assert response.status_code == 200 and response.context["form"].non_field_errors()
        assert Nomination.objects.count() == 1


class TestMemberPages:
    def test_roster_shows_members_with_their_invite_status(
        self, world, login, group, member
    ) -> None:
        page = login(world.user(Role.STATION_IC)).get(reverse("groups:roster", args=[group.pk]))
        html = page.content.decode()
        assert "Mou Saha" in html and 'data-testid="invite-status"' in html
        assert member.citizen.phone in html

    def test_roster_masks_phones_for_non_admins(self, world, login, group, member) -> None:
        html = (
            login(world.user(Role.DISTRICT_HEAD))
            .get(reverse("groups:roster", args=[group.pk]))
            .content.decode()
        )
        assert member.citizen.phone not in html and member.citizen.masked_phone in html

    def test_export_is_for_admins_only_and_audited(self, world, login, group, member) -> None:
        csv_url = reverse("groups:roster_export", args=[group.pk, "csv"])
        assert login(world.user(Role.DISTRICT_HEAD)).get(csv_url).status_code == 403
        response = login(world.user(Role.STATION_IC)).get(csv_url)
        assert response.status_code == 200 and member.citizen.phone in response.content.decode()
        assert response["Content-Disposition"].startswith("attachment")
        vcf = login(world.user(Role.STATION_OFFICER)).get(
            reverse("groups:roster_export", args=[group.pk, "vcf"])
        )
        assert vcf["Content-Type"].startswith("text/vcard")
        assert AuditEvent.objects.filter(action="groups.roster.exported").count() == 2
        bad = login(world.user(Role.STATION_IC)).get(
            reverse("groups:roster_export", args=[group.pk, "xls"])
        )
        assert bad.status_code == 404

    def test_logging_an_incident_shows_the_warning_and_a_whatsapp_link(
        self, world, login, member
    ) -> None:
        client = login(world.user(Role.STATION_IC))
        token = str(uuid.uuid4())
        data = {
            "kind": "greeting_spam",
            "occurred_on": timezone.localdate().isoformat(),
            "token": token,
        }
        url = reverse("groups:incident_create", args=[member.pk])
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302  # double submit: one strike
        page = client.get(reverse("groups:membership_detail", args=[member.pk]))
        html = page.content.decode()
        assert html.count('data-testid="incident"') == 1
        assert "https://wa.me/" + member.citizen.phone.lstrip("+") in html

    def test_an_incident_in_the_future_is_a_form_error(self, world, login, member) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("groups:incident_create", args=[member.pk]),
            {"kind": "abuse", "occurred_on": "2999-01-01", "token": str(uuid.uuid4())},
        )
        assert response.status_code == 400 and not member.incidents.exists()

    def test_removal_with_exclusion_from_the_page(self, world, login, member) -> None:
        login(world.user(Role.STATION_IC)).post(
            reverse("groups:membership_remove", args=[member.pk]),
            {"reason": "Demanded a police ID card.", "exclude": "on",
             "category": "removed_for_misconduct", "note": "SPO claim"},
        )  # fmt: skip
        member.refresh_from_db()
        assert member.status == "removed"
        assert ExclusionEntry.objects.filter(from_membership=member).exists()

    def test_conduct_log_lists_incidents(self, world, login, group, member, ic) -> None:
        services.log_incident(
            membership=member, by=ic, kind="rumour", occurred_on=timezone.localdate()
        )
        page = login(world.user(Role.DISTRICT_HEAD)).get(
            reverse("groups:conduct_log", args=[group.pk])
        )
        assert page.content.decode().count('data-testid="incident"') == 1

    def test_query_budget_of_the_roster_and_conduct_log(
        self, world, login, nominate, ic, templates, django_assert_max_num_queries
    ) -> None:
        group = GroupFactory(station=world.station, capacity=100, admins=[ic])
        for i in range(25):
            decision = services.approve_nomination(nomination=nominate(group, name=f"M {i}"), by=ic)
            services.log_incident(
                membership=decision.membership, by=ic, kind="greeting_spam",
                occurred_on=timezone.localdate(),
            )  # fmt: skip
        client = login(ic)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("groups:roster", args=[group.pk])).status_code == 200
        with django_assert_max_num_queries(14):
            assert client.get(reverse("groups:conduct_log", args=[group.pk])).status_code == 200
        with django_assert_max_num_queries(14):
            assert (
                client.get(reverse("groups:roster_export", args=[group.pk, "vcf"])).status_code
                == 200
            )
        with django_assert_max_num_queries(12):
            assert client.get(reverse("groups:nominators")).status_code == 200

    def test_query_budget_of_the_member_page(
        self, world, login, member, ic, django_assert_max_num_queries
    ) -> None:
        for _ in range(5):
            services.log_incident(
                membership=member, by=ic, kind="abuse", occurred_on=timezone.localdate()
            )
        client = login(ic)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("groups:membership_detail", args=[member.pk]))
        assert response.status_code == 200


class TestRegisterPages:
    def test_the_note_is_shown_only_to_ics_and_district_heads(self, world, login, entry) -> None:
        url = reverse("groups:register_detail", args=[entry.pk])
        for role in (Role.STATION_IC, Role.DISTRICT_HEAD):
            assert escape(entry.note) in login(world.user(role)).get(url).content.decode()
        page = login(world.user(Role.STATION_OFFICER)).get(url)
        assert page.status_code == 200 and escape(entry.note) not in page.content.decode()
        assert 'data-testid="restricted-note"' not in page.content.decode()

    @pytest.mark.parametrize("role", [Role.CYBER_CELL, Role.SHAKTI_INCHARGE, Role.STATE_HQ])
    def test_other_roles_do_not_see_the_register(self, world, login, entry, role) -> None:
        client = login(world.user(role))
        assert client.get(reverse("groups:register_list")).status_code == 403
        assert client.get(reverse("groups:register_detail", args=[entry.pk])).status_code == 404

    def test_search_finds_a_name_written_in_another_script(self, world, login, entry) -> None:
        page = login(world.user(Role.STATION_OFFICER)).get(
            reverse("groups:register_list"), {"q": "बबलू यादव"}
        )
        assert [e.pk for e in page.context["page"]] == [entry.pk]

    def test_the_ic_adds_an_entry_with_aliases(self, world, login) -> None:
        client = login(world.user(Role.STATION_IC))
        data = {
            "district": world.district.pk,
            "category": "tout",
            "names": "Raju Pandey\nराजू पांडे",
            "phones": "98765 43210\n+91 91234 56789",
            "note": "Dalal at the tehsil.",
            "token": str(uuid.uuid4()),
        }
        url = reverse("groups:register_create")
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302  # double submit: one entry
        entry = ExclusionEntry.objects.get()
        assert entry.names.count() == 2 and entry.phones.count() == 2

    def test_a_bad_phone_line_names_the_line(self, world, login) -> None:
        response = login(world.user(Role.STATION_IC)).post(
            reverse("groups:register_create"),
            {"district": world.district.pk, "category": "tout", "names": "", "phones": "12345",
             "token": str(uuid.uuid4())},
        )  # fmt: skip
        assert response.status_code == 200
        assert "12345" in response.context["form"].errors["phones"][0]
        assert not ExclusionEntry.objects.exists()

    def test_an_officer_cannot_add_entries(self, world, login) -> None:
        assert (
            login(world.user(Role.STATION_OFFICER))
            .get(reverse("groups:register_create"))
            .status_code
            == 403
        )

    def test_query_budget_of_the_register(
        self, world, login, django_assert_max_num_queries
    ) -> None:
        for i in range(30):
            ExclusionEntryFactory(
                district=world.district,
                names=[f"Tout {i}", f"Alias {i}"],
                phones=[f"+91900000{i:04d}"],
            )
        client = login(world.user(Role.DISTRICT_HEAD))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("groups:register_list")).status_code == 200


class TestMenu:
    def test_station_officers_get_groups_and_the_register_in_the_menu(self, world, login) -> None:
        page = login(world.user(Role.STATION_OFFICER)).get(reverse("home"))
        urls = [item["url"] for item in page.context["nav_items"]]
        assert reverse("groups:group_list") in urls and reverse("groups:register_list") in urls

    def test_the_cyber_cell_gets_groups_but_not_the_register(self, world, login) -> None:
        page = login(world.user(Role.CYBER_CELL)).get(reverse("home"))
        urls = [item["url"] for item in page.context["nav_items"]]
        assert reverse("groups:group_list") in urls
        assert reverse("groups:register_list") not in urls

    def test_an_ngo_coordinator_gets_neither(self, world, login) -> None:
        page = login(world.user(Role.NGO_COORDINATOR)).get(reverse("home"))
        urls = [item["url"] for item in page.context["nav_items"]]
        assert reverse("groups:group_list") not in urls


class TestCoordinationGroups:
    def test_a_district_head_creates_and_runs_a_district_coordination_group(
        self, world, login
    ) -> None:
        head = world.user(Role.DISTRICT_HEAD)
        client = login(head)
        response = client.post(
            reverse("groups:group_create"),
            {
                "unit": f"district:{world.district.pk}",
                "name": "Women station in-charges + NGOs",
                "kind": "coordination",
                "rules_text": "Campaign coordination only.",
                "capacity": 80,
            },
        )
        group = CommunityGroup.objects.get(district=world.district)
        assert response.status_code == 302 and group.station is None
        sibling_ic = login(world.user(Role.STATION_IC))
        assert sibling_ic.get(reverse("groups:group_detail", args=[group.pk])).status_code == 404
        assert client.get(reverse("groups:vetting_queue", args=[group.pk])).status_code == 200

    def test_a_state_group_cannot_take_public_applications(self, world) -> None:
        with pytest.raises(services.GroupsError):
            services.create_group(
                unit=world.state,
                by=world.user(Role.STATE_HQ),
                kind="coordination",
                name="MP NGOs",
                rules_text="r",
                accepts_applications=True,
            )


class TestNominatorQuality:
    def test_it_shows_the_share_rejected_per_nominator(
        self, world, login, group, nominate, ic
    ) -> None:
        volunteer = services.NominatorDetails("civic_volunteer", "Mithu Saha", "+919434000001")
        first = nominate(group, source="civic_volunteer", nominator_details=volunteer)
        nominator = first.nominator
        second = nominate(group, source="civic_volunteer", nominator=nominator)
        nominate(group, source="civic_volunteer", nominator=nominator)  # still pending
        services.reject_nomination(nomination=first, by=ic, reason="Tout's relative.")
        services.reject_nomination(nomination=second, by=ic, reason="Outside the area.")
        nominate(group)  # an officer's own, pending
        page = login(world.user(Role.DISTRICT_HEAD)).get(reverse("groups:nominators"))
        rows = {row.label: row for row in page.context["rows"]}
        assert (rows["Mithu Saha"].total, rows["Mithu Saha"].rejected_percent) == (3, 100)
        assert rows[ic.get_full_name()].rejected_percent is None
        assert "100% rejected" in page.content.decode()
        stranger = login(world.strangers[Role.DISTRICT_HEAD]).get(reverse("groups:nominators"))
        assert stranger.context["rows"] == []
