"""The cyber cell's daily figures: how many citizens the district's broadcasts reached, how
many WhatsApp capped (its per-person marketing limit, error 131049) and how many failed.

Capped is neither reached nor failed: those citizens could not get marketing that day from any
business, and are offered first the next day (broadcasts.audience.fan_out). A day is the
Indian calendar day the message was sent, or meant to go out (capped at fan-out: never sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.access import AnyUser
from broadcasts.models import Delivery, DeliveryStatus
from broadcasts.selectors import broadcasts_for

DAYS_SHOWN = 7


@dataclass(frozen=True)
class DayFigures:
    day: date
    reached: int  # delivered or read
    sent: int  # accepted by WhatsApp, not yet confirmed delivered
    capped: int
    failed: int

    @property
    def total(self) -> int:
        return self.reached + self.sent + self.capped + self.failed


def daily_figures(*, user: AnyUser, days: int = DAYS_SHOWN) -> list[DayFigures]:
    """Per day for the last `days` days (today first), over the broadcasts the user may see."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    # Broadcasts that can have deliveries in the window: started since (or still running).
    broadcasts = broadcasts_for(user).filter(
        Q(started_at__gte=since - timedelta(days=2)) | Q(finished_at__gte=since)
    )
    rows = (
        Delivery.objects.filter(broadcast__in=broadcasts.values("pk"))
        .annotate(
            day=TruncDate(Coalesce("sent_at", "created_at"), tzinfo=timezone.get_current_timezone())
        )
        .filter(day__gte=first)
        .values("day")
        .annotate(
            reached=Count(
                "id", filter=Q(status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.READ])
            ),
            sent=Count("id", filter=Q(status=DeliveryStatus.SENT)),
            capped=Count("id", filter=Q(status=DeliveryStatus.CAPPED)),
            failed=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
        )
        .order_by()
    )
    by_day = {
        row["day"]: {
            "reached": int(row["reached"]),
            "sent": int(row["sent"]),
            "capped": int(row["capped"]),
            "failed": int(row["failed"]),
        }
        for row in rows
    }
    figures = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        row: dict[str, int] = by_day.get(day, {})
        figures.append(
            DayFigures(
                day=day,
                reached=row.get("reached", 0),
                sent=row.get("sent", 0),
                capped=row.get("capped", 0),
                failed=row.get("failed", 0),
            )
        )
    return figures
