"""Reads of casework: a complaint's case file, the referrals due for follow-up, the district's
unassigned WhatsApp queue and the open SOS alerts (all starting from complaints.access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import AnyUser
from complaints.access import complaints_for, routing_district_ids
from complaints.models import (
    FINAL_FOLLOW_UP_OUTCOMES,
    OPEN_STATUSES,
    Arrest,
    Complaint,
    ComplaintClosure,
    ComplaintStatus,
    FirRegistration,
    Referral,
    UnroutedMessage,
)
from stations.models import Station


@dataclass(frozen=True)
class CaseFile:
    """What has been done on a complaint beyond counselling (for the detail page and API)."""

    fir: FirRegistration | None
    arrests: list[Arrest]
    referrals: list[Referral]
    closure: ComplaintClosure | None


def case_file(complaint: Complaint) -> CaseFile:
    """The complaint's FIR, arrests, referrals and closure. Arrests need an FIR and a closure
    exists only on a closed complaint, so those queries run only when they can find rows."""
    fir = FirRegistration.objects.filter(complaint=complaint).select_related("station").first()
    arrests = (
        list(Arrest.objects.filter(complaint=complaint).select_related("arrested_by"))
        if fir is not None
        else []
    )
    closure = (
        ComplaintClosure.objects.filter(complaint=complaint).first()
        if complaint.status == ComplaintStatus.CLOSED
        else None
    )
    return CaseFile(
        fir=fir,
        arrests=arrests,
        referrals=list(Referral.objects.filter(complaint=complaint).prefetch_related("follow_ups")),
        closure=closure,
    )


def referrals_due(*, user: AnyUser, until: date | None = None) -> QuerySet[Referral]:
    """Referrals of the user's complaints whose follow-up is due by `until` (today): not yet
    followed up, support still being arranged, or the victim not reached. Longest overdue
    first; each row carries its complaint and station."""
    until = until or timezone.localdate()
    return (
        Referral.objects.filter(complaint__in=complaints_for(user).values("pk"))
        .exclude(follow_up_outcome__in=FINAL_FOLLOW_UP_OUTCOMES)
        .filter(follow_up_on__lte=until)
        .select_related("complaint", "complaint__station")
        .order_by("follow_up_on", "id")
    )


def open_sos_alerts(*, user: AnyUser) -> QuerySet[Complaint]:
    """Open SOS complaints the user may see, oldest first: what the IC dashboard raises as
    alerts. (complaints.intake_selectors.complaint_queue also puts SOS first in the queue.)"""
    return (
        complaints_for(user)
        .filter(is_sos=True, status__in=OPEN_STATUSES)
        .select_related("station", "assigned_to")
        .order_by("created_at", "id")
    )


def unrouted_queue(*, user: AnyUser, include_routed: bool = False) -> QuerySet[UnroutedMessage]:
    """WhatsApp complaints waiting in the user's districts for a station, SOS first."""
    rows = UnroutedMessage.objects.filter(district_id__in=routing_district_ids(user))
    if not include_routed:
        rows = rows.filter(complaint__isnull=True)
    return rows.select_related("district", "complaint").order_by("-is_sos", "received_at", "id")


def unrouted_sos_count(*, user: AnyUser) -> int:
    """Unrouted SOS messages in the user's districts (for an alert badge)."""
    return unrouted_queue(user=user).filter(is_sos=True).count()


def routing_stations(message: UnroutedMessage) -> QuerySet[Station]:
    """The active stations a district's message may be given to."""
    return Station.objects.filter(district_id=message.district_id, is_active=True)
