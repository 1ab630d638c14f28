"""The admin has a working page for every model, and the audit log there is read-only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.services import record_event

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "stations",
    "accounts",
    "people",
    "groups",
    "broadcasts",
    "complaints",
    "outreach",
    "reports",
}


def _our_models():  # type: ignore[no-untyped-def]
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and not model.__name__.startswith("Historical"):
            yield model


def test_every_model_of_ours_is_registered() -> None:
    missing = [m.__name__ for m in _our_models() if not admin.site.is_registered(m)]
    assert missing == []


def test_every_changelist_and_add_page_renders(world, login, admin_user_) -> None:
    record_event(actor=None, action="tests.event.written")
    client = login(admin_user_)
    for model in _our_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{prefix}_changelist")).status_code == 200, prefix
        add = client.get(reverse(f"{prefix}_add"))
        read_only = model is AuditEvent or not admin.site._registry[model].has_add_permission(
            type("R", (), {"user": admin_user_})()
        )
        assert add.status_code == (403 if read_only else 200), prefix


def test_non_staff_officer_cannot_open_the_admin(world, login) -> None:
    response = login(world.user("district_head")).get(reverse("admin:index"))
    assert response.status_code == 302
