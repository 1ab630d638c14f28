from __future__ import annotations

import json
from pathlib import Path

import pytest

from accounts.models import Role
from broadcasts import demo
from broadcasts.models import MessageTemplate
from tests.factories import UserFactory
from tests.factories.accounts import PostingFactory

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "whatsapp" / "samples"
SAMPLE_SECRET = "fake_app_secret_for_tests"


@pytest.fixture
def templates(db) -> None:  # type: ignore[no-untyped-def]
    demo.seed_sandbox_templates()


@pytest.fixture
def awareness(templates) -> MessageTemplate:  # type: ignore[no-untyped-def]
    return MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi")


@pytest.fixture
def checker(world):  # type: ignore[no-untyped-def]
    """A second authorised officer of the same district (the cyber cell's colleague)."""
    user = UserFactory(username="our_second_cyber")
    PostingFactory(user=user, role=Role.CYBER_CELL, station=None, district=world.district)
    return user


@pytest.fixture
def sample():  # type: ignore[no-untyped-def]
    """(raw bytes, signature header) of a sample webhook from ../shared/whatsapp/samples."""
    signatures = json.loads((SAMPLES / "signatures.json").read_text())["signatures"]

    def _sample(name: str) -> tuple[bytes, str]:
        return (SAMPLES / name).read_bytes(), signatures[name]

    return _sample
