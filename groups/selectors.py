"""Reads of community groups, always scoped through accounts.access (and groups.rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.access import AnyUser
from accounts.models import DISTRICT_ROLES, STATE_ROLES, STATION_ROLES, User
from groups import rules
from groups.matching import best_name_hits
from groups.models import (
    CommunityGroup,
    ConductIncident,
    ExclusionEntry,
    ExclusionName,
    ExclusionPhone,
    Membership,
    MembershipStatus,
    Nomination,
    NominationSource,
    NominationStatus,
    Nominator,
)
from people.phones import InvalidPhone, normalize_mobile
from stations.models import District, State, Station

PENDING = (NominationStatus.SUBMITTED, NominationStatus.SCREENED)


def groups_for(user: AnyUser) -> QuerySet[CommunityGroup]:
    """Groups whose unit lies in the user's jurisdiction: the root of every group read."""
    if access.is_system_admin(user):
        return CommunityGroup.objects.all()
    return CommunityGroup.objects.filter(
        Q(station__in=access.stations_for(user))
        | Q(district__in=access.districts_for(user))
        | Q(state__in=access.states_for(user))
    )


def _with_units(groups: QuerySet[CommunityGroup]) -> QuerySet[CommunityGroup]:
    return groups.select_related("station__district", "district", "state").prefetch_related(
        "admins"
    )


def group_list(*, user: AnyUser) -> QuerySet[CommunityGroup]:
    """The user's groups with their pending-vetting and waiting-list counts."""
    return (
        _with_units(groups_for(user))
        .annotate(
            pending_count=Count("nominations", filter=Q(nominations__status__in=PENDING)),
            waitlist_count=Count(
                "nominations", filter=Q(nominations__status=NominationStatus.WAITLISTED)
            ),
        )
        .order_by("-is_active", "station__name", "name")
    )


def get_group_for_user(user: AnyUser, pk: int | str) -> CommunityGroup:
    """One group in the user's jurisdiction; Http404 for a missing or foreign one."""
    try:
        return _with_units(groups_for(user)).get(pk=int(pk))
    except (CommunityGroup.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such group.") from exc


def get_group_with_counts(*, user: AnyUser, pk: int | str) -> CommunityGroup:
    """One group with its pending and waiting-list counts; Http404 otherwise."""
    try:
        return group_list(user=user).get(pk=int(pk))
    except (CommunityGroup.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such group.") from exc


def group_counts(*, group: CommunityGroup) -> dict[str, int]:
    """Nominations by status and strikes logged, for the group's overview."""
    counts = dict(
        group.nominations.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "pending": sum(counts.get(s, 0) for s in PENDING),
        "waitlisted": counts.get(NominationStatus.WAITLISTED, 0),
        "approved": counts.get(NominationStatus.APPROVED, 0),
        "rejected": counts.get(NominationStatus.REJECTED, 0),
        "removal_proposed": group.memberships.filter(
            status=MembershipStatus.ACTIVE, removal_proposed_at__isnull=False
        ).count(),
        "revet_due": group.memberships.filter(
            status=MembershipStatus.ACTIVE, nomination__revet_on__lte=timezone.localdate()
        ).count(),
    }


def public_group(*, token: UUID) -> CommunityGroup:
    """A group that takes applications through the public form; Http404 otherwise."""
    try:
        return CommunityGroup.objects.select_related("station__district", "district", "state").get(
            public_token=token, accepts_applications=True, is_active=True
        )
    except CommunityGroup.DoesNotExist as exc:
        raise Http404("No such group.") from exc


# --- nominations ----------------------------------------------------------------------------


def _nominations(queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
    return queryset.select_related(
        "nominator", "recorded_by", "decided_by", "overridden_by", "membership"
    )


def vetting_queue(*, group: CommunityGroup) -> QuerySet[Nomination]:
    """Nominations awaiting a decision, oldest first."""
    return _nominations(group.nominations.filter(status__in=PENDING)).order_by("created_at", "id")


def waiting_list(*, group: CommunityGroup) -> QuerySet[Nomination]:
    """Approved nominees waiting for a seat, in the order they will be seated."""
    return _nominations(group.nominations.filter(status=NominationStatus.WAITLISTED)).order_by(
        "waitlisted_at", "id"
    )


def group_nominations(*, group: CommunityGroup, status: str = "") -> QuerySet[Nomination]:
    """A group's nominations with the given status, or the open ones when none is given."""
    wanted = [status] if status in NominationStatus.values else [*PENDING, "waitlisted"]
    return _nominations(group.nominations.filter(status__in=wanted)).order_by("created_at", "id")


def recent_decisions(*, group: CommunityGroup, limit: int = 10) -> QuerySet[Nomination]:
    return _nominations(
        group.nominations.filter(status__in=[NominationStatus.APPROVED, NominationStatus.REJECTED])
    ).order_by("-decided_at", "-id")[:limit]


def nominations_for(user: AnyUser) -> QuerySet[Nomination]:
    return Nomination.objects.filter(group__in=groups_for(user))


def get_nomination_for_user(user: AnyUser, pk: int | str) -> Nomination:
    """One nomination of a group in the user's jurisdiction; Http404 otherwise."""
    try:
        return (
            _nominations(nominations_for(user))
            .select_related("group__station__district", "group__district", "group__state")
            .prefetch_related("group__admins")
            .get(pk=int(pk))
        )
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such nomination.") from exc


def nominators_of(*, group: CommunityGroup) -> QuerySet[Nominator]:
    """Volunteers and representatives on record in the group's district."""
    district = group.station.district if group.station is not None else group.district
    return Nominator.objects.filter(district=district).order_by("name")


@dataclass(frozen=True)
class NominatorQuality:
    """How one nominator's nominees fared: the share rejected of those decided."""

    label: str
    kind: str
    organisation: str
    total: int
    decided: int
    rejected: int

    @property
    def rejected_share(self) -> float | None:
        return self.rejected / self.decided if self.decided else None

    @property
    def rejected_percent(self) -> int | None:
        share = self.rejected_share
        return None if share is None else round(share * 100)


def _tally() -> dict[str, Count]:
    decided = [NominationStatus.APPROVED, NominationStatus.REJECTED, NominationStatus.WAITLISTED]
    return {
        "total": Count("id"),
        "decided": Count("id", filter=Q(status__in=decided)),
        "rejected": Count("id", filter=Q(status=NominationStatus.REJECTED)),
    }


def nominator_quality(
    *, user: AnyUser, group: CommunityGroup | None = None
) -> list[NominatorQuality]:
    """Per nominator (volunteer, representative, officer; self-applications together)."""
    nominations = nominations_for(user)
    if group is not None:
        nominations = nominations.filter(group=group)
    rows: list[NominatorQuality] = []
    volunteers: Iterable[Any] = (
        nominations.filter(nominator__isnull=False)
        .values("nominator_id", "nominator__name", "nominator__kind", "nominator__organisation")
        .annotate(**_tally())
    )
    for row in volunteers:
        kind = Nominator.Kind(row["nominator__kind"]).label
        rows.append(
            NominatorQuality(
                row["nominator__name"], str(kind), row["nominator__organisation"],
                row["total"], row["decided"], row["rejected"],
            )
        )  # fmt: skip
    officer = NominationSource.OFFICER
    officers: Iterable[Any] = (
        nominations.filter(source=officer)
        .values("recorded_by_id", "recorded_by__first_name", "recorded_by__last_name")
        .annotate(**_tally())
    )
    for row in officers:
        name = f"{row['recorded_by__first_name']} {row['recorded_by__last_name']}".strip()
        rows.append(
            NominatorQuality(
                name, str(officer.label), "", row["total"], row["decided"], row["rejected"]
            )
        )
    own = nominations.filter(source=NominationSource.SELF_APPLICATION).aggregate(**_tally())
    if own["total"]:
        label = NominationSource.SELF_APPLICATION.label
        rows.append(
            NominatorQuality(str(label), "", "", own["total"], own["decided"], own["rejected"])
        )
    return sorted(rows, key=lambda r: (-(r.rejected_share or 0), -r.total, r.label))


# --- members --------------------------------------------------------------------------------


def _memberships(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    return queryset.select_related("citizen", "invite_delivery", "nomination").annotate(
        strikes=Count("incidents")
    )


def roster(*, group: CommunityGroup) -> QuerySet[Membership]:
    """Active members, by name, each with strikes and the invite's delivery status."""
    return _memberships(group.memberships.filter(status=MembershipStatus.ACTIVE)).order_by(
        "citizen__name", "id"
    )


def former_members(*, group: CommunityGroup, limit: int = 50) -> QuerySet[Membership]:
    return _memberships(group.memberships.exclude(status=MembershipStatus.ACTIVE)).order_by(
        "-ended_at", "-id"
    )[:limit]


def group_memberships(*, group: CommunityGroup, status: str = "active") -> QuerySet[Membership]:
    """A group's memberships with the status ('all' for every one), by name."""
    memberships = group.memberships.all()
    if status != "all":
        memberships = memberships.filter(status=status)
    return _memberships(memberships).order_by("citizen__name", "id")


def memberships_for(user: AnyUser) -> QuerySet[Membership]:
    return Membership.objects.filter(group__in=groups_for(user))


def get_membership_for_user(user: AnyUser, pk: int | str) -> Membership:
    """One membership of a group in the user's jurisdiction; Http404 otherwise."""
    try:
        return (
            _memberships(memberships_for(user))
            .select_related("group__station__district", "group__district", "group__state")
            .prefetch_related("group__admins")
            .get(pk=int(pk))
        )
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such member.") from exc


def incidents_of(*, membership: Membership) -> QuerySet[ConductIncident]:
    return membership.incidents.select_related("logged_by").order_by("-logged_at", "-id")


def conduct_log(*, group: CommunityGroup) -> QuerySet[ConductIncident]:
    """Every incident logged in the group, newest first."""
    return (
        ConductIncident.objects.filter(membership__group=group)
        .select_related("membership__citizen", "logged_by")
        .order_by("-logged_at", "-id")
    )


# --- officers -------------------------------------------------------------------------------


def _posted_to(unit: Station | District | State) -> Q:
    if isinstance(unit, Station):
        return Q(postings__station=unit, postings__role__in=STATION_ROLES)
    if isinstance(unit, District):
        return Q(postings__district=unit, postings__role__in=DISTRICT_ROLES)
    return Q(postings__state=unit, postings__role__in=STATE_ROLES)


def eligible_admins(*, units: list[Station | District | State]) -> QuerySet[User]:
    """Users posted today to any of the units (in a role of that level): possible admins."""
    today = timezone.localdate()
    in_force = (Q(postings__starts_on__isnull=True) | Q(postings__starts_on__lte=today)) & (
        Q(postings__ends_on__isnull=True) | Q(postings__ends_on__gte=today)
    )
    where = Q(pk__in=[])
    for unit in units:
        where |= _posted_to(unit)
    return (
        User.objects.filter(where & in_force, is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )


def districts_of_state(*, group: CommunityGroup) -> QuerySet[District] | None:
    """For a state-level group, the districts a nominee may come from; None otherwise."""
    if group.state_id is None:
        return None
    return District.objects.filter(state_id=group.state_id).order_by("name")


# --- exclusion register ---------------------------------------------------------------------


def register_entries(
    *, user: AnyUser, search: str = "", include_withdrawn: bool = False
) -> QuerySet[ExclusionEntry]:
    """Register entries of the districts the user may see, newest first."""
    ids = rules.register_district_ids(user)
    entries = (
        ExclusionEntry.objects.all()
        if ids is None
        else ExclusionEntry.objects.filter(district_id__in=ids)
    )
    if not include_withdrawn:
        entries = entries.filter(withdrawn_at__isnull=True)
    search = search.strip()
    if search:
        entries = entries.filter(_search(entries, search)).distinct()
    return entries.select_related("district", "added_by").prefetch_related(
        Prefetch("names", queryset=ExclusionName.objects.order_by("id")),
        Prefetch("phones", queryset=ExclusionPhone.objects.order_by("id")),
    )


SEARCH_THRESHOLD = 75.0  # looser than screening: a search should rather show too much


def _search(entries: QuerySet[ExclusionEntry], text: str) -> Q:
    """Entries with a name like `text` in any script, or with the phone typed."""
    where = Q(names__name__icontains=text)
    names = ExclusionName.objects.filter(entry__in=entries).values_list("pk", "key", "entry_id")
    rows = {pk: entry_id for pk, _, entry_id in names}
    hits = best_name_hits(text, [(pk, key) for pk, key, _ in names], threshold=SEARCH_THRESHOLD)
    if hits:
        where |= Q(pk__in={rows[hit.ref] for hit in hits})
    try:
        where |= Q(phones__phone=normalize_mobile(text))
    except InvalidPhone:
        pass
    return where


def get_register_entry_for_user(user: AnyUser, pk: int | str) -> ExclusionEntry:
    """One register entry of a district the user may see; Http404 otherwise."""
    try:
        return register_entries(user=user, include_withdrawn=True).get(pk=int(pk))
    except (ExclusionEntry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such entry.") from exc


def register_districts(*, user: AnyUser, editing: bool = False) -> QuerySet[District]:
    """Districts whose register the user may see (or edit)."""
    ids = rules.register_district_ids(user, editing=editing)
    return District.objects.all() if ids is None else District.objects.filter(pk__in=ids)


def nominations_matching(*, user: AnyUser, entry: ExclusionEntry) -> list[Nomination]:
    """Open nominations (in the user's groups) whose last screening matched the entry.

    Filtered in Python: JSON containment is not portable to SQLite (the embedded setup), and
    a district holds few open nominations.
    """
    candidates = (
        nominations_for(user)
        .filter(status__in=[*PENDING, NominationStatus.WAITLISTED])
        .exclude(screening=[])
        .select_related("group")
        .order_by("created_at")
    )
    return [n for n in candidates if entry.pk in n.register_match_ids]


def head_unit_choices(*, user: AnyUser) -> list[tuple[str, Station | District | State]]:
    """Units where the user may create groups, keyed 'station:12' / 'district:3' / 'state:1'."""
    models: dict[str, type[Station] | type[District] | type[State]] = {
        "station": Station,
        "district": District,
        "state": State,
    }
    choices: list[tuple[str, Station | District | State]] = []
    for level, pk in rules.head_units(user):
        unit = models[level].objects.get(pk=pk)
        choices.append((f"{level}:{pk}", unit))
    return choices
