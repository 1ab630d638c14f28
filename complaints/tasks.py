"""Celery tasks of complaint intake (thin: the work lives in services)."""

from __future__ import annotations

from celery import shared_task

from complaints import services


@shared_task(name="complaints.escalate_overdue")
def escalate_overdue() -> dict[str, int]:
    """Escalate overdue complaints (beat: every 15 minutes). Returns counts only."""
    result = services.escalate_overdue()
    return {"to_station_ic": result.to_station_ic, "to_district": result.to_district}
