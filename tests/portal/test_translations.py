"""Every interface string is translated into Hindi and Bengali, and the catalogs compile."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "compile_translations", ROOT / "scripts/compile_translations.py"
)
compile_translations = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
spec.loader.exec_module(compile_translations)  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["hi", "bn"])
def test_no_string_is_left_untranslated(language: str) -> None:
    with (ROOT / f"locale/{language}/LC_MESSAGES/django.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert compile_translations.untranslated(catalog) == []


@pytest.mark.parametrize(("language", "script_start"), [("hi", "\u0900"), ("bn", "\u0980")])
def test_compiled_catalog_is_what_django_serves(language: str, script_start: str) -> None:
    with translation.override(language):
        text = translation.gettext("Log in")
    assert text != "Log in"
    assert any(script_start <= ch <= chr(ord(script_start) + 0x7F) for ch in text)
