"""Reads of citizens, scoped through accounts.access."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.access import AnyUser
from accounts.models import AuditEvent, Role
from people.models import (
    Citizen,
    CitizenList,
    CitizenListMember,
    ImportJob,
    ImportRejectedRow,
    RejectReason,
    Tag,
)
from people.phones import ascii_digits
from stations.models import District, Station


def citizens_for(user: AnyUser) -> QuerySet[Citizen]:
    """Citizens of the user's stations, plus district-level lists for district roles."""
    if access.is_system_admin(user):
        return Citizen.objects.all()
    return Citizen.objects.filter(
        Q(station__in=access.stations_for(user)) | Q(district__in=access.districts_for(user))
    )


def get_citizen_for_user(user: AnyUser, pk: int | str) -> Citizen:
    """One citizen inside the user's jurisdiction; Http404 otherwise."""
    try:
        return citizens_for(user).get(pk=int(pk))
    except (Citizen.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such citizen.") from exc


# --- who may do what with citizens -------------------------------------------------------------

MANAGER_ROLES = frozenset({Role.CYBER_CELL, Role.DISTRICT_HEAD})
STATION_OPT_OUT_ROLES = frozenset({Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE})


def districts_managed_by(user: AnyUser) -> QuerySet[District]:
    """Districts whose subscriber lists the user runs: cyber cell, district head (admins: all)."""
    if access.is_system_admin(user):
        return District.objects.all()
    ids = {
        p.district_id
        for p in access.active_postings(user)
        if p.role in MANAGER_ROLES and p.district_id is not None
    }
    return District.objects.filter(pk__in=ids)


def _managed_district_ids(user: AnyUser) -> set[int] | None:
    """District ids the user manages; None means every district (a system admin)."""
    if access.is_system_admin(user):
        return None
    return {
        p.district_id
        for p in access.active_postings(user)
        if p.role in MANAGER_ROLES and p.district_id is not None
    }


def may_manage_citizen(user: AnyUser, citizen: Citizen) -> bool:
    """Erase, import into: the citizen's district cyber cell or district head (no query)."""
    ids = _managed_district_ids(user)
    return ids is None or citizen.district_id in ids


def may_opt_out_citizen(user: AnyUser, citizen: Citizen) -> bool:
    """Record an opt-out: district managers, and officers of the citizen's own station."""
    if may_manage_citizen(user, citizen):
        return True
    return citizen.station_id is not None and any(
        p.role in STATION_OPT_OUT_ROLES and p.station_id == citizen.station_id
        for p in access.active_postings(user)
    )


# --- lists and pages ---------------------------------------------------------------------------


def citizen_list(
    *,
    user: AnyUser,
    search: str = "",
    station_id: int | None = None,
    language: str = "",
    opted_out: str = "",
    tag_id: int | None = None,
) -> QuerySet[Citizen]:
    """Citizens the user may see, filtered; erased rows last. Search: name or phone digits."""
    citizens = citizens_for(user).select_related("station", "district").prefetch_related("tags")
    search = search.strip()
    if search:
        digits = "".join(ch for ch in ascii_digits(search) if ch.isdigit())
        condition = Q(name__icontains=search)
        if len(digits) >= 4:
            condition |= Q(phone__contains=digits)
        citizens = citizens.filter(condition)
    if station_id:
        citizens = citizens.filter(station_id=station_id)
    if language:
        citizens = citizens.filter(preferred_language=language)
    if opted_out == "yes":
        citizens = citizens.filter(opted_out_at__isnull=False)
    elif opted_out == "no":
        citizens = citizens.filter(opted_out_at__isnull=True)
    if tag_id:
        citizens = citizens.filter(tags__id=tag_id)
    return citizens.order_by(F("erased_at").asc(nulls_first=True), "name", "id")


def citizen_detail(*, user: AnyUser, pk: int | str) -> Citizen:
    """One citizen the user may see, with station, district and tags loaded; Http404 otherwise."""
    try:
        return (
            citizens_for(user)
            .select_related("station", "district")
            .prefetch_related("tags")
            .get(pk=int(pk))
        )
    except (Citizen.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such citizen.") from exc


def citizen_history(citizen: Citizen) -> QuerySet[AuditEvent]:
    """A citizen's audit trail (registration, opt-outs, phone views, erasure), newest first."""
    return (
        AuditEvent.objects.filter(target_type="people.citizen", target_id=str(citizen.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def station_choices(user: AnyUser) -> QuerySet[Station]:
    """Stations for the list filter: those the user may see."""
    return access.stations_for(user).only("id", "name", "code").order_by("name")


def tag_choices(user: AnyUser) -> QuerySet[Tag]:
    """Tags carried by at least one citizen the user may see."""
    through = Citizen.tags.through
    used = through.objects.filter(tag_id=OuterRef("pk"), citizen__in=citizens_for(user))
    return Tag.objects.filter(Exists(used)).order_by("name")


# --- imports -------------------------------------------------------------------------------------


def imports_for(user: AnyUser) -> QuerySet[ImportJob]:
    """Import jobs of the districts the user oversees (district and state roles, admins)."""
    return ImportJob.objects.filter(district__in=access.districts_for(user))


def import_list(*, user: AnyUser) -> QuerySet[ImportJob]:
    return imports_for(user).select_related("district", "uploaded_by").order_by("-created_at")


def get_import_for_user(user: AnyUser, pk: int | str) -> ImportJob:
    """One import job the user may see; Http404 otherwise."""
    try:
        return (
            imports_for(user)
            .select_related("district", "uploaded_by", "citizen_list")
            .get(pk=int(pk))
        )
    except (ImportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such import.") from exc


def rejected_rows(job: ImportJob, *, reason: str = "") -> QuerySet[ImportRejectedRow]:
    rows = job.rejected_rows.order_by("row_number")
    return rows.filter(reason=reason) if reason else rows


def rejected_counts(job: ImportJob) -> list[tuple[str, str, int]]:
    """(reason code, label, rows) of a job's rejected rows, most common first."""
    counts = (
        job.rejected_rows.values_list("reason").annotate(n=Count("id")).order_by("-n", "reason")
    )
    labels = dict(RejectReason.choices)
    return [(reason, str(labels.get(reason, reason)), n) for reason, n in counts]


def stuck_import_ids(*, now: datetime | None = None) -> list[int]:
    """Jobs whose task was lost: queued for over a minute, or running without heartbeats."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=int(settings.PEOPLE_IMPORT_STALE_SECONDS))
    return list(
        ImportJob.objects.filter(
            Q(status=ImportJob.Status.QUEUED, created_at__lt=now - timedelta(minutes=1))
            | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale)
        ).values_list("pk", flat=True)[:100]
    )


# --- named lists ---------------------------------------------------------------------------------


def citizen_lists_for(user: AnyUser) -> QuerySet[CitizenList]:
    """Lists of the districts the user oversees: a list never leaves the district that made it."""
    return CitizenList.objects.filter(district__in=access.districts_for(user))


def citizen_list_index(*, user: AnyUser) -> QuerySet[CitizenList]:
    """The user's lists with their member and messageable counts, newest first."""
    member = CitizenListMember.objects.filter(citizen_list=OuterRef("pk"))
    return (
        citizen_lists_for(user)
        .select_related("district", "created_by", "source_job")
        .annotate(
            member_count=_count(member),
            messageable_count=_count(
                member.filter(
                    citizen__consent_at__isnull=False,
                    citizen__opted_out_at__isnull=True,
                    citizen__erased_at__isnull=True,
                )
            ),
        )
        .order_by("-created_at", "-id")
    )


def _count(rows: QuerySet[CitizenListMember]) -> Subquery:
    """A correlated COUNT(*) (cheaper than joining 50,000 members per list then grouping)."""
    return Subquery(
        rows.order_by().values("citizen_list").annotate(n=Count("*")).values("n")[:1],
        output_field=IntegerField(),
    )


def get_citizen_list_for_user(user: AnyUser, pk: int | str) -> CitizenList:
    """One list of the user's districts, with counts; Http404 otherwise."""
    try:
        return citizen_list_index(user=user).get(pk=int(pk))
    except (CitizenList.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such list.") from exc


def list_name_taken(district: District, name: str) -> bool:
    """Whether the district already has a list of this name (case-insensitively)."""
    return CitizenList.objects.filter(district=district, name__iexact=name).exists()


def citizen_list_member_ids(user: AnyUser, list_id: int) -> QuerySet[CitizenListMember, Any]:
    """The citizen ids on a list, as a one-column subquery; empty for a list the user cannot see."""
    return CitizenListMember.objects.filter(
        citizen_list_id=list_id, citizen_list__in=citizen_lists_for(user)
    ).values("citizen_id")


def citizen_list_members(citizen_list: CitizenList) -> QuerySet[Citizen]:
    """The list's citizens for display (already scoped: the caller got the list through a check)."""
    return (
        Citizen.objects.filter(
            pk__in=CitizenListMember.objects.filter(citizen_list=citizen_list).values("citizen_id")
        )
        .select_related("station")
        .order_by("name", "id")
    )
