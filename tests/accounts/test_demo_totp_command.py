"""The seed output and README.md name the same, existing command for the demo TOTP code."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts import demo

README = Path(__file__).resolve().parents[2] / "README.md"
INVOCATION = re.compile(r"([\w./-]*python) manage\.py (\w+)")


def _seed_output(settings) -> str:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = StringIO()
    demo.seed(stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_the_seed_names_exists_and_prints_a_code(settings) -> None:  # type: ignore[no-untyped-def]
    named = INVOCATION.search(_seed_output(settings))
    assert named is not None, "seed_demo's output names no manage.py command"
    out = StringIO()
    call_command(named.group(2), stdout=out)
    assert re.match(r"\d{6} ", out.getvalue())


@pytest.mark.django_db
def test_readme_names_the_command_the_way_the_seed_does(settings) -> None:  # type: ignore[no-untyped-def]
    named = INVOCATION.search(_seed_output(settings))
    assert named is not None
    readme = " ".join(README.read_text(encoding="utf-8").split())
    in_readme = {m.group(0) for m in INVOCATION.finditer(readme) if "totp" in m.group(2)}
    assert in_readme == {named.group(0)}
