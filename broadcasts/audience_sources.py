"""Named audiences a broadcast can be sent to, registered by the apps that own them.

The layering forbids broadcasts from importing the apps above it (groups, ...), yet a cyber cell
wants to message "the members of the Not Alone group". So an app registers a *source*: a key, a
label, the choices a user may pick (scoped to that user) and, for one choice, a QuerySet of the
citizen ids it stands for (scoped the same way). The broadcast stores only {key: [choice ids]};
the fan-out puts each source's QuerySet as a subquery into its single INSERT ... SELECT, so the
audience is still resolved set-based, and suppression (consent, opt-out, erasure) still applies
on top of it exactly as for a district-wide broadcast.

Uploaded citizen lists (people.CitizenList) are registered here too, under the key "list":
people sits below broadcasts, so nothing stops broadcasts from knowing them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser


@dataclass(frozen=True)
class Choice:
    """One pickable audience of a source: a group, a list. district_id None: not tied to one."""

    id: int
    label: str
    district_id: int | None = None


@dataclass(frozen=True)
class AudienceSource:
    key: str
    label: str | Promise
    # (user) -> the choices this user may pick; must be scoped through accounts.access.
    choices: Callable[[AnyUser], list[Choice]]
    # (user, choice id) -> QuerySet with one column, the citizen id; empty when the choice is
    # not visible to the user (a lost posting, a foreign id): never raises for a foreign id.
    citizen_ids: Callable[[AnyUser, int], QuerySet]  # type: ignore[type-arg]


_SOURCES: dict[str, AudienceSource] = {}


def register(source: AudienceSource) -> None:
    """Add a source (from an AppConfig.ready()); registering the same key again replaces it."""
    _SOURCES[source.key] = source


def sources() -> list[AudienceSource]:
    """Every registered source, in a stable order (the order of the broadcast form)."""
    return sorted(_SOURCES.values(), key=lambda s: s.key)


def get(key: str) -> AudienceSource | None:
    return _SOURCES.get(key)


class UnknownAudience(ValueError):
    """A stored or submitted audience names a source or a choice the user cannot use."""


def validate(user: AnyUser, selected: Mapping[str, list[int]]) -> dict[str, list[int]]:
    """The selection normalised ({key: sorted unique ids}, empty keys dropped), or UnknownAudience.

    Every id must be one of the user's own choices of that source: a list of another district
    or a group outside the user's jurisdiction is refused, never silently dropped.
    """
    clean: dict[str, list[int]] = {}
    for key, ids in selected.items():
        source = get(key)
        if source is None:
            raise UnknownAudience(key)
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            continue
        allowed = {c.id for c in source.choices(user)}
        if set(wanted) - allowed:
            raise UnknownAudience(key)
        clean[key] = wanted
    return clean


def citizen_ids(user: AnyUser, selected: Mapping[str, list[int]]) -> list[QuerySet]:  # type: ignore[type-arg]
    """One citizen-id subquery per (source, choice) of a stored selection.

    A source that is no longer registered contributes nothing (its audience is empty) rather
    than widening the broadcast to the whole district.
    """
    subqueries = []
    for key, ids in selected.items():
        source = get(key)
        for choice_id in ids:
            if source is None:
                from people.models import Citizen

                subqueries.append(Citizen.objects.none().values("id"))
            else:
                subqueries.append(source.citizen_ids(user, int(choice_id)))
    return subqueries


# --- uploaded lists (people.CitizenList) -----------------------------------------------------


def _list_choices(user: AnyUser) -> list[Choice]:
    """Lists with members only: an empty list can reach nobody."""
    from people import selectors
    from people.models import CitizenListMember

    return [
        Choice(lst.pk, f"{lst.name} ({lst.district.name})", lst.district_id)
        for lst in selectors.citizen_lists_for(user)
        .filter(Exists(CitizenListMember.objects.filter(citizen_list=OuterRef("pk"))))
        .select_related("district")
        .order_by("name")
    ]


def _list_citizen_ids(user: AnyUser, list_id: int) -> QuerySet:  # type: ignore[type-arg]
    from people import selectors

    return selectors.citizen_list_member_ids(user, list_id)


register(
    AudienceSource(
        key="list",
        label=_("Uploaded lists"),
        choices=_list_choices,
        citizen_ids=_list_citizen_ids,
    )
)
