"""Reads of complaint intake, all starting from complaints.access.complaints_for."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.access import AnyUser
from accounts.models import STATION_ROLES, Posting, User
from complaints.access import complaints_for
from complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent


def complaint_queue(
    user: AnyUser, *, query: str = "", include_closed: bool = False
) -> QuerySet[Complaint]:
    """The queue: SOS first, then overdue, then due today, then the rest by due date.

    Search matches the tracking number only (never identity, never the description). Dashboards
    read this for the queue and complaints.casework_selectors.open_sos_alerts(user=...) for
    the SOS alerts (open SOS complaints only); unrouted WhatsApp SOS messages of a district
    are in casework_selectors.unrouted_queue / unrouted_sos_count."""
    today = timezone.localdate()
    rows = complaints_for(user).select_related("station", "assigned_to")
    if not include_closed:
        rows = rows.filter(status__in=OPEN_STATUSES)
    query = query.strip()
    if query:
        rows = rows.filter(tracking_number__icontains=query)
    return rows.annotate(
        urgency=Case(
            When(is_sos=True, then=Value(0)),
            When(due_on__lt=today, then=Value(1)),
            When(due_on=today, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "due_on", "id")


def timeline(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """Every action on the complaint, oldest first."""
    return complaint.events.select_related("actor").order_by("created_at", "id")


def station_officers(complaint: Complaint) -> QuerySet[User]:
    """Users with an active station posting at the complaint's station (assignable)."""
    today = timezone.localdate()
    postings = (
        Posting.objects.filter(station_id=complaint.station_id, role__in=list(STATION_ROLES))
        .exclude(starts_on__gt=today)
        .exclude(ends_on__lt=today)
    )
    return (
        User.objects.filter(pk__in=postings.values("user_id"), is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )
