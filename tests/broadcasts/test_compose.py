"""Composing a broadcast: the template's text, its variables by meaning, a live preview."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from broadcasts import lifecycle, templates_sync
from broadcasts.models import MessageTemplate, humanise_template_name
from tests.broadcasts.harness import cloud_settings
from tests.fakes.whatsapp_server import FakeWhatsApp

pytestmark = pytest.mark.django_db

RAW_PLACEHOLDER = re.compile(r"\{\{\s*\d+\s*\}\}")


def _labels(html: str) -> list[str]:
    return re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.S)


class TestComposePage:
    def test_templates_are_offered_by_human_name_and_language(
        self, world, login, awareness
    ) -> None:
        page = login(world.user(Role.CYBER_CELL)).get(reverse("broadcasts:create"))
        html = page.content.decode()
        assert "Cyber fraud awareness (Hindi)" in html
        assert "cyber_fraud_awareness [hi]" not in html

    def test_picking_a_template_shows_its_text_and_boxes_named_by_meaning(
        self, world, login, awareness
    ) -> None:
        response = login(world.user(Role.CYBER_CELL)).get(
            reverse("broadcasts:compose_template"), {"template": awareness.pk}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Cyber fraud awareness (Hindi)" in html
        assert "पुलिस: कोई भी बैंक, सेना अधिकारी या पुलिस आपसे ओटीपी नहीं माँगता" in html
        labels = _labels(html)
        assert any("District" in label for label in labels)
        assert not any(RAW_PLACEHOLDER.search(label) for label in labels)
        assert not RAW_PLACEHOLDER.search(html)

    def test_a_form_sent_back_keeps_the_template_text_and_names_the_missing_value(
        self, world, login, awareness
    ) -> None:
        response = login(world.user(Role.CYBER_CELL)).post(
            reverse("broadcasts:create"),
            {
                "district": world.district.pk,
                "title": "x",
                "topic": "other",
                "template": awareness.pk,
            },
        )
        html = response.content.decode()
        assert "साइबर ठगी होने पर तुरंत 1930 पर कॉल करें" in html
        assert "District" in " ".join(response.context["form"].non_field_errors())
        assert not any(RAW_PLACEHOLDER.search(label) for label in _labels(html))

    def test_preview_renders_the_filled_message_in_the_templates_language(
        self, world, login, awareness
    ) -> None:
        response = login(world.user(Role.CYBER_CELL)).get(
            reverse("broadcasts:compose_preview"),
            {"template": awareness.pk, "parameter_1": "Varanasi <b>"},
        )
        html = response.content.decode()
        assert "Preview (Hindi)" in html
        assert 'lang="hi"' in html
        assert "<strong>Varanasi &lt;b&gt;</strong> पुलिस: कोई भी बैंक" in html
        assert not RAW_PLACEHOLDER.search(html)

    def test_preview_shows_what_is_still_to_fill_instead_of_a_raw_placeholder(
        self, world, login, awareness
    ) -> None:
        response = login(world.user(Role.CYBER_CELL)).get(
            reverse("broadcasts:compose_preview"), {"template": awareness.pk}
        )
        html = response.content.decode()
        assert "District</span> पुलिस:" in html
        assert not RAW_PLACEHOLDER.search(html)

    def test_officers_who_do_not_broadcast_get_404(self, world, login, awareness) -> None:
        client = login(world.user(Role.STATION_IC))
        for name in ("broadcasts:compose_template", "broadcasts:compose_preview"):
            assert client.get(reverse(name), {"template": awareness.pk}).status_code == 404


def test_the_broadcast_pages_name_the_template_by_its_human_name(world, login, awareness) -> None:
    user = world.user(Role.CYBER_CELL)
    broadcast = lifecycle.create_broadcast(
        district=world.district, title="OTP", template=awareness, parameters=["X"], by=user
    )
    client = login(user)
    for url in (reverse("broadcasts:detail", args=[broadcast.pk]), reverse("broadcasts:list")):
        html = client.get(url).content.decode()
        assert "Cyber fraud awareness (Hindi)" in html and "[hi]" not in html, url


class TestTemplateNames:
    @pytest.mark.parametrize(
        ("name", "human"),
        [
            ("cyber_fraud_alert_v3", "Cyber fraud alert"),
            ("cyber_fraud_alert", "Cyber fraud alert"),
            ("women-helpline 2", "Women helpline"),
            ("v3", "V3"),
        ],
    )
    def test_meta_identifiers_are_humanised(self, name: str, human: str) -> None:
        assert humanise_template_name(name) == human

    def test_a_display_name_and_labels_win_and_unlabelled_values_are_numbered(self) -> None:
        template = MessageTemplate(
            name="cyber_fraud_alert_v3",
            language="en_US",
            body="{{1}} says: call {{2}}.",
            parameter_count=2,
            parameter_labels=["Station"],
        )
        assert template.display_label() == "Cyber fraud alert (English)"
        assert template.variable_labels() == ["Station", "Value 2"]
        template.display_name = "Cyber fraud alert (new)"
        assert template.human_name() == "Cyber fraud alert (new)"


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    server = FakeWhatsApp().start()
    yield server
    server.stop()


def test_sync_stores_metas_examples_and_keeps_the_officers_labels(settings, fake) -> None:
    cloud_settings(settings, fake)
    templates_sync.sync_templates(by=None)
    invite = MessageTemplate.objects.get(name="community_group_invite", language="bn")
    assert invite.parameter_examples == ["example 1", "example 2", "example 3", "example 4"]
    invite.parameter_labels = ["Name", "Station", "Group", "Link"]
    invite.save()
    templates_sync.sync_templates(by=None)
    invite.refresh_from_db()
    assert invite.parameter_labels == ["Name", "Station", "Group", "Link"]
