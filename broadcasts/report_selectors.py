"""Broadcast reach for the review report: one grouped query for any number of stations.

What "reaching a station" means: a broadcast delivery (a Delivery row of a broadcast, not a
single message such as a group invite or a complaint acknowledgement) to a citizen registered
at that station (Citizen.station). A broadcast is district-wide and may be narrowed to some
stations (audience_stations); counting by the recipient's station attributes every message
that reached the station's people, whichever way the audience was chosen. Citizens with no
station (district-level lists) reach no station row.

* delivered: deliveries delivered (or read) in the period, dated by delivered_at, or read_at
  when the "delivered" status update never came;
* read: deliveries read in the period (read_at).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from broadcasts.models import Delivery, DeliveryStatus


def broadcast_reach(
    *, station_ids: list[int], start: datetime, after: datetime
) -> dict[int, dict[str, int]]:
    """Station id -> {"delivered", "read"} for the period [start, after)."""
    if not station_ids:
        return {}
    reached_in_period = Q(
        status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.READ),
        reached_at__gte=start,
        reached_at__lt=after,
    )
    read_in_period = Q(status=DeliveryStatus.READ, read_at__gte=start, read_at__lt=after)
    rows = (
        Delivery.objects.filter(broadcast__isnull=False, citizen__station_id__in=station_ids)
        .annotate(reached_at=Coalesce("delivered_at", "read_at"))
        .filter(reached_in_period | read_in_period)
        .values("citizen__station_id")
        .annotate(
            delivered=Count("pk", filter=reached_in_period),
            read=Count("pk", filter=read_in_period),
        )
        .order_by()
    )
    return {
        row["citizen__station_id"]: {"delivered": row["delivered"], "read": row["read"]}
        for row in rows
    }
