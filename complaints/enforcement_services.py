"""Writes on the anti-Romeo squad register: one action with its case and persons, in one go.

Rules (the database holds the per-row ones too, see complaints.models):
* a "case registered" action registers exactly one FIR (unique per station; the number is
  stored as NNNN/YYYY) and may list accused arrested on the spot, all linked to that FIR;
* an "accused arrested" action names an FIR the same station registered on or before the day,
  and at least one arrested person;
* a preventive action lists at least one person, each with BNSS section 126, 135 or 170;
* a "warned / counselled" action lists at least one person.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import record_event
from complaints.models import (
    OUTCOMES_BY_ACTION,
    BnssSection,
    PersonOutcome,
    RomeoAction,
    RomeoActionType,
    RomeoCase,
    RomeoPerson,
)
from stations.idempotency import create_once
from stations.models import Hotspot, Station
from stations.services import ensure_may_record

MAX_PERSONS_PER_ACTION = 60
_FIR = re.compile(r"^\s*0*([0-9]{1,6})\s*/\s*([0-9]{4})\s*$")

# The single outcome recorded for persons of each action type.
PERSON_OUTCOME: dict[str, str] = {
    action: next(iter(outcomes)) for action, outcomes in OUTCOMES_BY_ACTION.items()
}


@dataclass(frozen=True)
class CaseInput:
    """The FIR registered by a "case registered" action."""

    fir_number: str
    cctns_number: str = ""
    bns_sections: str = ""


@dataclass(frozen=True)
class PersonInput:
    """One person in an action; the outcome follows from the action type."""

    name: str = ""
    age: int | None = None
    bnss_section: str = ""
    parents_present: bool = False


def normalize_fir_number(raw: str) -> str:
    """ "123/2026", " 0123 / 2026" -> "0123/2026"; ValidationError for anything else."""
    match = _FIR.match(raw or "")
    if not match or not 1990 <= int(match.group(2)) <= 2100:
        raise ValidationError(
            {"fir_number": _("Write the FIR number as number/year, e.g. 0123/2026.")}
        )
    return f"{int(match.group(1)):04d}/{match.group(2)}"


def _check_place(*, station: Station, hotspot: Hotspot | None, place: str) -> None:
    if hotspot is not None and hotspot.station_id != station.pk:
        raise ValidationError({"hotspot": _("This hotspot belongs to another police station.")})
    if hotspot is None and not place.strip():
        raise ValidationError({"place": _("Choose a hotspot or write the place.")})


def _check_persons(action_type: str, persons: Sequence[PersonInput]) -> None:
    """The persons fit the action type: how many, and a BNSS section for preventive action."""
    if action_type != RomeoActionType.CASE_REGISTERED and not persons:
        raise ValidationError({"persons": _("List at least one person for this action.")})
    if len(persons) > MAX_PERSONS_PER_ACTION:
        raise ValidationError(
            {"persons": _("At most %(n)d persons per action.") % {"n": MAX_PERSONS_PER_ACTION}}
        )
    for person in persons:
        if action_type == RomeoActionType.PREVENTIVE:
            if person.bnss_section not in BnssSection.values:
                raise ValidationError(
                    {"persons": _("Give the BNSS section (126, 135 or 170) for every person.")}
                )
        elif person.bnss_section:
            raise ValidationError(
                {"persons": _("A BNSS section belongs only to preventive action.")}
            )
        if person.age is not None and not 7 <= person.age <= 100:
            raise ValidationError({"persons": _("An age must be between 7 and 100.")})


def _check_existing_case(
    *, action_type: str, station: Station, acted_on: date, case: RomeoCase | None
) -> None:
    if action_type != RomeoActionType.ACCUSED_ARRESTED:
        if case is not None:
            raise ValidationError({"case": _("Only an arrest names an earlier FIR.")})
        return
    if case is None:
        raise ValidationError({"case": _("Choose the FIR the accused were arrested in.")})
    if case.station_id != station.pk:
        raise ValidationError({"case": _("This FIR belongs to another police station.")})
    if case.action.acted_on > acted_on:
        raise ValidationError({"case": _("The arrest cannot be before the FIR was registered.")})


def _register_case(*, action: RomeoAction, case: CaseInput) -> RomeoCase:
    """Create the FIR row; ValidationError when the station already has this FIR number."""
    fir_number = normalize_fir_number(case.fir_number)
    if RomeoCase.objects.filter(station=action.station, fir_number=fir_number).exists():
        raise ValidationError({"fir_number": _("This FIR is already in the register.")})
    cctns = case.cctns_number.strip()
    if cctns and RomeoCase.objects.filter(cctns_number=cctns).exists():
        raise ValidationError({"cctns_number": _("This CCTNS number is already in the register.")})
    try:
        with transaction.atomic():
            return RomeoCase.objects.create(
                action=action,
                station=action.station,
                fir_number=fir_number,
                cctns_number=cctns,
                bns_sections=case.bns_sections.strip(),
            )
    except IntegrityError as exc:
        raise ValidationError({"fir_number": _("This FIR is already in the register.")}) from exc


def _add_persons(
    *, action: RomeoAction, case: RomeoCase | None, persons: Sequence[PersonInput]
) -> list[RomeoPerson]:
    outcome = PERSON_OUTCOME[action.action_type]
    rows = [
        RomeoPerson(
            action=action,
            outcome=outcome,
            case=case if outcome == PersonOutcome.ARRESTED else None,
            bnss_section=p.bnss_section if outcome == PersonOutcome.DETAINED else "",
            name=p.name.strip()[:200],
            age=p.age,
            parents_present=p.parents_present,
        )
        for p in persons
    ]
    return RomeoPerson.objects.bulk_create(rows)


@transaction.atomic
def record_romeo_action(
    *,
    station: Station,
    acted_on: date,
    squad: str,
    action_type: str,
    by: User,
    hotspot: Hotspot | None = None,
    place: str = "",
    notes: str = "",
    case: CaseInput | None = None,
    existing_case: RomeoCase | None = None,
    persons: Sequence[PersonInput] = (),
    client_token: uuid.UUID | None = None,
) -> RomeoAction:
    """Record one squad action with its FIR and persons; the same submission twice records once.

    Raises ValidationError (field-keyed, translated) when the rules above are broken; nothing
    is saved then.
    """
    ensure_may_record(user=by, station=station)
    if action_type not in RomeoActionType.values:
        raise ValidationError({"action_type": _("Choose what the squad did.")})
    if acted_on > timezone.localdate():
        raise ValidationError({"acted_on": _("The date cannot be in the future.")})
    if not squad.strip():
        raise ValidationError({"squad": _("Name the squad.")})
    _check_place(station=station, hotspot=hotspot, place=place)
    _check_persons(action_type, persons)
    _check_existing_case(
        action_type=action_type, station=station, acted_on=acted_on, case=existing_case
    )
    if action_type == RomeoActionType.CASE_REGISTERED and case is None:
        raise ValidationError({"fir_number": _("Give the FIR number of the case registered.")})
    if action_type != RomeoActionType.CASE_REGISTERED and case is not None:
        raise ValidationError({"fir_number": _('Only a "case registered" action has a new FIR.')})

    def create() -> RomeoAction:
        action = RomeoAction.objects.create(
            station=station,
            acted_on=acted_on,
            squad=" ".join(squad.split()),
            hotspot=hotspot,
            place="" if hotspot is not None else place.strip(),
            action_type=action_type,
            notes=notes.strip(),
            recorded_by=by,
            client_token=client_token,
        )
        new_case = _register_case(action=action, case=case) if case is not None else None
        _add_persons(action=action, case=new_case or existing_case, persons=persons)
        return action

    action, created = create_once(RomeoAction, client_token, create)
    if created:
        record_event(
            actor=by,
            action="complaints.romeo_action.recorded",
            target=action,
            data={"type": action_type, "persons": len(persons), "case": case is not None},
            station=station,
        )
    return action
