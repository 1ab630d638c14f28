"""Complaint and counselling figures for the review report: one set-based query per section.

The caller (reports.selectors.review_report) passes station ids it already scoped through
accounts.access; these functions only aggregate, grouped by station, in the database.

What each figure counts, for a period [start, end] of local dates:
* received: complaints registered in the period (created_at);
* disposed: complaints closed in the period (status `closed`, closed_at in the period);
  withdrawn complaints are neither disposed nor pending;
* pending: registered before the period ended and not yet closed or withdrawn at its end.
  A transferred complaint carries no transfer date, so it is never pending;
* overdue: pending at the end of the period with a due date before the period's last day;
* median days to dispose / within SLA: over the complaints disposed in the period, days from
  registration to closure, and closure on or before the due date (local dates);
* counselling settlements: distinct complaints with a counselling session held in the period
  whose outcome is `reconciled` or `family_reunited`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
)

from complaints.models import (
    Complaint,
    ComplaintStatus,
    CounsellingOutcome,
    CounsellingSession,
)

COMPLAINT_FIELDS = ("received", "disposed", "pending", "overdue", "within_sla", "median_days")
SETTLEMENT_OUTCOMES = (CounsellingOutcome.RECONCILED, CounsellingOutcome.FAMILY_REUNITED)
SECONDS_PER_DAY = 86400.0


class MedianDays(Aggregate):
    """PostgreSQL's percentile_cont(0.5) over an interval, in days (a float)."""

    function = "percentile_cont"
    template = (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s) / "
        + str(SECONDS_PER_DAY)
        + ")"
    )
    output_field = FloatField()


def _time_to_dispose() -> ExpressionWrapper[Any]:
    return ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def _conditions(start: datetime, after: datetime, last_day: date) -> dict[str, Q]:
    """The filter of each counted figure (aggregate FILTER clauses)."""
    open_at_end = (
        Q(created_at__lt=after)
        & ~Q(status=ComplaintStatus.TRANSFERRED)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=after))
    )
    disposed = Q(status=ComplaintStatus.CLOSED, closed_at__gte=start, closed_at__lt=after)
    return {
        "received": Q(created_at__gte=start, created_at__lt=after),
        "disposed": disposed,
        "pending": open_at_end,
        "overdue": open_at_end & Q(due_on__lt=last_day),
        "within_sla": disposed & Q(closed_at__date__lte=F("due_on")),
    }


def _relevant(station_ids: list[int], start: datetime, after: datetime) -> Any:
    """Complaints that can count in the period at all (the rest never reach the aggregate)."""
    return Complaint.objects.filter(station_id__in=station_ids, created_at__lt=after).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    )


def complaint_figures(
    *, station_ids: list[int], start: datetime, after: datetime, last_day: date
) -> tuple[dict[int, dict[str, Any]], float | None]:
    """Per-station complaint figures and the median days to dispose over all the stations.

    One grouped query for the stations (plus one for the overall median, which cannot be
    derived from the stations' medians). On SQLite (`make run`), which has no percentile_cont,
    the medians are computed in Python from one more query over the disposed complaints.
    """
    if not station_ids:
        return {}, None
    conditions = _conditions(start, after, last_day)
    counts: dict[str, Aggregate] = {
        name: Count("pk", filter=condition) for name, condition in conditions.items()
    }
    disposed = conditions["disposed"]
    rows = _relevant(station_ids, start, after)
    postgres = connection.vendor == "postgresql"
    if postgres:
        counts["median_days"] = MedianDays(_time_to_dispose(), filter=disposed)
    figures: dict[int, dict[str, Any]] = {}
    for row in rows.values("station_id").annotate(**counts).order_by():
        station_id = row.pop("station_id")
        figures[station_id] = row
    if postgres:
        overall = rows.filter(disposed).aggregate(median=MedianDays(_time_to_dispose()))["median"]
    else:
        overall = _medians_in_python(rows.filter(disposed), figures)
    return figures, overall


def _medians_in_python(disposed: Any, figures: dict[int, dict[str, Any]]) -> float | None:
    """SQLite fallback: per-station and overall medians from one query of durations."""
    durations: dict[int, list[float]] = defaultdict(list)
    for station_id, created_at, closed_at in disposed.values_list(
        "station_id", "created_at", "closed_at"
    ):
        durations[station_id].append((closed_at - created_at).total_seconds() / SECONDS_PER_DAY)
    for station_id, row in figures.items():
        values = durations.get(station_id)
        row["median_days"] = statistics.median(values) if values else None
    everything = [value for values in durations.values() for value in values]
    return statistics.median(everything) if everything else None


def counselling_settlements(
    *, station_ids: list[int], first_day: date, last_day: date
) -> dict[int, int]:
    """Station id -> distinct complaints settled by counselling in the period (one query)."""
    if not station_ids:
        return {}
    sessions = CounsellingSession.objects.filter(
        complaint__station_id__in=station_ids,
        held_on__gte=first_day,
        held_on__lte=last_day,
        outcome__in=SETTLEMENT_OUTCOMES,
    )
    grouped = (
        sessions.values("complaint__station_id")
        .annotate(settled=Count("complaint_id", distinct=True))
        .order_by()
    )
    return {row["complaint__station_id"]: row["settled"] for row in grouped}
