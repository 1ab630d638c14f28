"""Community-group figures for the review report, one query for any number of stations.

Both figures are a snapshot at the time the report is made (memberships and the vetting queue
have no history worth reporting by period): active members of the station's groups, and
nominations waiting for screening or a decision (the vetting queue, see groups.selectors).
The caller passes station ids it already scoped through accounts.access.
"""

from __future__ import annotations

from django.db.models import OuterRef

from groups.models import Membership, MembershipStatus, Nomination
from groups.selectors import PENDING
from stations.models import Station
from stations.selectors import count_subquery


def group_figures(*, station_ids: list[int]) -> dict[int, dict[str, int]]:
    """Station id -> {"group_members", "pending_vetting"} in ONE statement."""
    if not station_ids:
        return {}
    members = Membership.objects.filter(
        group__station=OuterRef("pk"), status=MembershipStatus.ACTIVE
    )
    pending = Nomination.objects.filter(group__station=OuterRef("pk"), status__in=PENDING)
    rows = (
        Station.objects.filter(pk__in=station_ids)
        .annotate(group_members=count_subquery(members), pending_vetting=count_subquery(pending))
        .values("pk", "group_members", "pending_vetting")
        .order_by()
    )
    return {
        row["pk"]: {
            "group_members": row["group_members"],
            "pending_vetting": row["pending_vetting"],
        }
        for row in rows
    }
