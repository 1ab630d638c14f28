"""Every date input in the portal is filled with an ISO value the browser accepts.

A browser's `<input type="date">` silently drops a value like `07/12/2026` (what Django renders
from the day-first DATE_INPUT_FORMATS of English, Hindi and Bengali), and the first save then
fails "This field is required" although the officer saw a date. These tests walk every form
class of every app, so a new form with a plain `forms.DateInput` fails here.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
import re

import pytest
from django import forms
from django.utils import timezone, translation

from groups.forms import IncidentForm
from portal.widgets import DateInput, DateTimeInput

APPS = (
    "accounts",
    "broadcasts",
    "complaints",
    "groups",
    "outreach",
    "people",
    "portal",
    "reports",
    "stations",
)


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if "form" in module.name or "view" in module.name:
                importlib.import_module(f"{app}.{module.name}")
    found: list[type[forms.BaseForm]] = []
    pending: list[type] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.append(sub)
    return found


def _date_fields() -> list[tuple[str, forms.Field]]:
    fields = []
    for form_class in _all_form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                fields.append((f"{form_class.__module__}.{form_class.__name__}.{name}", field))
    return fields


def test_the_walk_finds_the_forms_it_is_meant_to_check() -> None:
    names = [name for name, _ in _date_fields()]
    assert "groups.forms.IncidentForm.occurred_on" in names
    assert len(names) >= 20, names


@pytest.mark.parametrize(
    ("name", "field"), _date_fields(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_date_field_renders_a_value_the_browser_accepts(
    name: str, field: forms.Field
) -> None:
    widget = field.widget
    if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
        return
    expected = DateTimeInput if isinstance(field, forms.DateTimeField) else DateInput
    assert isinstance(widget, expected), f"{name} uses {type(widget).__name__}"
    value = datetime.datetime(2026, 12, 7, 14, 30)
    if expected is DateInput:
        value = value.date()  # type: ignore[assignment]
    for lang in ("en", "hi", "bn"):
        with translation.override(lang):
            html = widget.render("when", value)
        assert re.search(r'value="2026-12-07(T14:30)?"', html), (lang, html)


@pytest.mark.parametrize("lang", ["en", "hi", "bn"])
def test_the_conduct_incident_form_is_prefilled_with_today_in_iso(lang: str) -> None:
    today = timezone.localdate().isoformat()
    with translation.override(lang):
        html = str(IncidentForm()["occurred_on"])
    assert f'value="{today}"' in html and 'type="date"' in html
