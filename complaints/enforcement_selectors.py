"""Reads of the anti-Romeo squad register, scoped through accounts.access.

The counts the review report uses come from enforcement_totals(): one row per station, every
figure a correlated subquery, all in one SQL statement (see complaints.models for what each
figure counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts import access
from accounts.access import AnyUser
from complaints.models import (
    BnssSection,
    PersonOutcome,
    RomeoAction,
    RomeoCase,
    RomeoPerson,
)
from stations.models import Station
from stations.selectors import count_subquery, scoped_stations

# Field names of the per-station figures, in the order reports show them.
TOTAL_FIELDS = (
    "actions",
    "cases_registered",
    "accused_arrested",
    "detained_126",
    "detained_135",
    "detained_170",
    "detained_total",
    "warned",
)


def _period(field: str, date_from: date | None, date_to: date | None) -> Q:
    """Inclusive date range on `field` (either end may be open)."""
    condition = Q()
    if date_from is not None:
        condition &= Q(**{f"{field}__gte": date_from})
    if date_to is not None:
        condition &= Q(**{f"{field}__lte": date_to})
    return condition


def romeo_actions_for(user: AnyUser) -> QuerySet[RomeoAction]:
    """Every anti-Romeo action at a station the user may see."""
    return RomeoAction.objects.filter(station__in=access.stations_for(user))


def romeo_action_list(
    *,
    user: AnyUser,
    station: Station | None = None,
    action_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[RomeoAction]:
    """The register, newest first, with each action's FIR and person count."""
    actions = romeo_actions_for(user).filter(_period("acted_on", date_from, date_to))
    if station is not None:
        actions = actions.filter(station=station)
    if action_type:
        actions = actions.filter(action_type=action_type)
    return actions.select_related("station", "hotspot", "case", "recorded_by").annotate(
        person_count=count_subquery(RomeoPerson.objects.filter(action=OuterRef("pk")))
    )


def get_romeo_action_for_user(user: AnyUser, pk: int | str) -> RomeoAction:
    """One action at a station the user may see, with its case and persons; Http404 otherwise."""
    persons = RomeoPerson.objects.select_related("case").order_by("id")
    try:
        return (
            romeo_actions_for(user)
            .select_related("station__district", "hotspot", "case", "recorded_by")
            .prefetch_related(Prefetch("persons", queryset=persons))
            .get(pk=int(pk))
        )
    except (RomeoAction.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such action.") from exc


def romeo_cases_for(
    *, user: AnyUser, station: Station | None = None, search: str = ""
) -> QuerySet[RomeoCase]:
    """FIRs in the register at the user's stations, with the number of accused arrested."""
    cases = RomeoCase.objects.filter(station__in=access.stations_for(user))
    if station is not None:
        cases = cases.filter(station=station)
    if search.strip():
        cases = cases.filter(
            Q(fir_number__icontains=search.strip()) | Q(cctns_number__icontains=search.strip())
        )
    return (
        cases.select_related("station", "action")
        .annotate(accused_count=count_subquery(RomeoPerson.objects.filter(case=OuterRef("pk"))))
        .order_by("-action__acted_on", "-pk")
    )


def enforcement_totals(
    *,
    user: AnyUser,
    stations: QuerySet[Station] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Station]:
    """One row per station in the user's scope (narrowed by `stations`), in ONE query.

    Each Station carries: actions, cases_registered (distinct FIRs registered in the period),
    accused_arrested (arrested person rows), detained_126 / detained_135 / detained_170 /
    detained_total (preventive person rows by section), warned. Dates are inclusive and
    filter on the action date (for a case: the date its FIR was registered).
    """
    period = _period("action__acted_on", date_from, date_to)
    persons = RomeoPerson.objects.filter(period, action__station=OuterRef("pk"))
    detained = persons.filter(outcome=PersonOutcome.DETAINED)
    return (
        scoped_stations(user, stations)
        .select_related("district")
        .annotate(
            actions=count_subquery(
                RomeoAction.objects.filter(
                    _period("acted_on", date_from, date_to), station=OuterRef("pk")
                )
            ),
            cases_registered=count_subquery(
                RomeoCase.objects.filter(period, station=OuterRef("pk"))
            ),
            accused_arrested=count_subquery(persons.filter(outcome=PersonOutcome.ARRESTED)),
            detained_126=count_subquery(detained.filter(bnss_section=BnssSection.S126)),
            detained_135=count_subquery(detained.filter(bnss_section=BnssSection.S135)),
            detained_170=count_subquery(detained.filter(bnss_section=BnssSection.S170)),
            detained_total=count_subquery(detained),
            warned=count_subquery(persons.filter(outcome=PersonOutcome.WARNED)),
        )
        .order_by("district__name", "name")
    )


@dataclass(frozen=True)
class EnforcementSummary:
    """Totals over a set of stations (the sum of enforcement_totals rows)."""

    actions: int
    cases_registered: int
    accused_arrested: int
    detained_126: int
    detained_135: int
    detained_170: int
    detained_total: int
    warned: int


def summarize_enforcement(rows: QuerySet[Station] | list[Station]) -> EnforcementSummary:
    """Add up enforcement_totals rows (already fetched, or fetched here in one query)."""
    sums = dict.fromkeys(TOTAL_FIELDS, 0)
    for row in rows:
        for field in TOTAL_FIELDS:
            sums[field] += int(getattr(row, field))
    return EnforcementSummary(**sums)
