"""Fixtures for the groups tests: a station group run by 'our' IC, and a nominating helper."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from accounts.models import Role, User
from broadcasts import demo as broadcasts_demo
from groups import services
from groups.models import CommunityGroup, Nomination, NominationSource
from tests.factories.groups import GroupFactory

_PHONES = itertools.count(1)
# Test processes share one Redis (rate-limit counters are keyed by phone): start each
# process's numbers at a random offset so parallel workers do not collide.
_OFFSET = random.Random().randrange(0, 9_000_000, 1000)


def next_phone() -> str:
    """A fresh valid Indian mobile number (E.164) that no other factory hands out."""
    return f"+91700{_OFFSET + next(_PHONES):07d}"


@pytest.fixture
def ic(world) -> User:  # type: ignore[no-untyped-def]
    return world.user(Role.STATION_IC)


@pytest.fixture
def officer(world) -> User:  # type: ignore[no-untyped-def]
    return world.user(Role.STATION_OFFICER)


@pytest.fixture
def group(world, ic, officer) -> CommunityGroup:  # type: ignore[no-untyped-def]
    """'Our' station's women's safety group: 5 seats, the IC and an officer as admins."""
    return GroupFactory(station=world.station, admins=[ic, officer])


@pytest.fixture
def templates(db) -> None:  # type: ignore[no-untyped-def]
    broadcasts_demo.seed_sandbox_templates()


Nominate = Callable[..., Nomination]


@pytest.fixture
def nominate(ic) -> Nominate:  # type: ignore[no-untyped-def]
    """Record an officer's nomination through the real service (screened at once)."""

    def _nominate(
        group: CommunityGroup, name: str = "সুমিতা দাস", phone: str | None = None, **kwargs
    ) -> Nomination:  # type: ignore[no-untyped-def]
        kwargs.setdefault("by", ic)
        kwargs.setdefault("source", NominationSource.OFFICER)
        kwargs.setdefault("nominee_language", "bn")
        return services.submit_nomination(
            group=group,
            nominee_name=name,
            nominee_phone=phone or next_phone(),
            nominee_consent=True,
            **kwargs,
        )

    return _nominate


@pytest.fixture
def fake_catalog() -> Iterator[Callable[[str, dict[str, str]], None]]:
    """Put translations into a language's catalogue for one test (locale/*.po is not ours).

    Proves that a text is looked up in the right language, whether or not the translators
    have done it yet.
    """
    saved: list[tuple[dict[str, str], str, object]] = []
    missing = object()

    def _add(language: str, entries: dict[str, str]) -> None:
        top = trans_real.translation(language)._catalog._catalogs[0]  # type: ignore[attr-defined]
        for msgid, msgstr in entries.items():
            saved.append((top, msgid, top.get(msgid, missing)))
            top[msgid] = msgstr

    yield _add
    for top, msgid, before in reversed(saved):
        if before is missing:
            top.pop(msgid, None)
        else:
            top[msgid] = before
    translation.activate("en")
