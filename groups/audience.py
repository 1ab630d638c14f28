"""Community group members as a broadcast audience (registered with broadcasts.audience_sources).

groups sits above broadcasts, so broadcasts cannot ask for a group's members itself: this module
tells it how. A member is already a people.Citizen (Membership.citizen, linked when the
nomination is approved with the nominee's recorded consent), so no citizen rows are created
here. Only active memberships count, and only of groups in the user's jurisdiction
(groups.selectors.groups_for); the broadcast's consent and opt-out rules apply on top.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser
from broadcasts.audience_sources import AudienceSource, Choice, register
from groups.models import Membership, MembershipStatus
from groups.selectors import groups_for

SOURCE_KEY = "community_group"


def group_choices(user: AnyUser) -> list[Choice]:
    """Active groups the user can see; a group is tied to its station's or its own district."""
    groups = (
        groups_for(user)
        .filter(is_active=True)
        .select_related("station__district", "district", "state")
        .order_by("name", "id")
    )
    choices = []
    for group in groups:
        district_id = group.station.district_id if group.station else group.district_id
        choices.append(Choice(group.pk, f"{group.name} ({group.unit.name})", district_id))
    return choices


def member_citizen_ids(user: AnyUser, group_id: int) -> QuerySet[Membership, Any]:
    """Citizen ids of the group's active members; empty for a group outside the user's reach."""
    return Membership.objects.filter(
        group_id=group_id,
        group__in=groups_for(user).filter(is_active=True),
        status=MembershipStatus.ACTIVE,
    ).values("citizen_id")


def register_source() -> None:
    register(
        AudienceSource(
            key=SOURCE_KEY,
            label=_("Community group members"),
            choices=group_choices,
            citizen_ids=member_citizen_ids,
        )
    )
