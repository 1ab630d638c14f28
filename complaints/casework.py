"""Writes of casework on a complaint: FIR, arrests, referrals and their follow-up, closure.

Like complaints.services: keyword-only, one transaction, station staff only (PermissionDenied
otherwise), a ValidationError keyed by field for bad input (nothing saved), one timeline entry
and one AuditEvent each whose text carries only the tracking number, never the victim's
identity and never the accused's name.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.services import record_event
from complaints import access as complaint_access
from complaints import timeline
from complaints.bns import UnknownSection, normalize_section, parse_sections
from complaints.models import (
    FINAL_FOLLOW_UP_OUTCOMES,
    OPEN_STATUSES,
    Arrest,
    Complaint,
    ComplaintClosure,
    ComplaintEvent,
    ComplaintStatus,
    Feedback,
    FirRegistration,
    FollowUpOutcome,
    Referral,
    ReferralFollowUp,
    ReferralKind,
)
from complaints.services import (
    Availability,
    _event,
    _lock,
    counselling_availability,
    not_started_reason,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from stations.models import Station

FIR_NUMBER_RE = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{4})\s*$")
CCTNS_RE = re.compile(r"^\d{17}$")
# Statuses in which an FIR may be recorded (it moves the complaint to `action taken`).
FIR_ALLOWED = frozenset(
    {ComplaintStatus.UNDER_ENQUIRY, ComplaintStatus.COUNSELLING, ComplaintStatus.ACTION_TAKEN}
)
# Statuses in which arrests may still be recorded: an FIR's investigation outlives the complaint.
ARREST_ALLOWED = frozenset(
    {
        ComplaintStatus.UNDER_ENQUIRY,
        ComplaintStatus.COUNSELLING,
        ComplaintStatus.ACTION_TAKEN,
        ComplaintStatus.CLOSED,
    }
)
CLOSABLE = frozenset(
    {ComplaintStatus.UNDER_ENQUIRY, ComplaintStatus.COUNSELLING, ComplaintStatus.ACTION_TAKEN}
)


def fir_availability(status: str, *, has_fir: bool) -> Availability:
    """One FIR per complaint, once the enquiry has started (a recorded one is corrected)."""
    if has_fir:
        return Availability(False)
    if status in FIR_ALLOWED:
        return Availability(True)
    return Availability(False, not_started_reason(status))


def arrest_availability(status: str, *, has_fir: bool) -> Availability:
    """Arrests are made in the complaint's FIR, even after the complaint is closed."""
    if has_fir:
        return Availability(status in ARREST_ALLOWED)
    if fir_availability(status, has_fir=False).shown:
        return Availability(False, not_started_reason(status) or _("Record the FIR first."))
    return Availability(False)


def referral_availability(status: str) -> Availability:
    """The victim may be referred for support while the complaint is open."""
    return Availability(status in OPEN_STATUSES)


def closure_availability(status: str) -> Availability:
    """A complaint is closed with a summary once the enquiry has started."""
    if status in CLOSABLE:
        return Availability(True)
    return Availability(False, not_started_reason(status))


def next_actions(complaint: Complaint, *, has_fir: bool) -> dict[str, Availability]:
    """What may be done on the complaint now and, for what may be done later, why not yet."""
    status = complaint.status
    return {
        "counselling": counselling_availability(status),
        "fir": fir_availability(status, has_fir=has_fir),
        "arrest": arrest_availability(status, has_fir=has_fir),
        "referral": referral_availability(status),
        "closure": closure_availability(status),
    }


def _require_staff(by: User, complaint: Complaint) -> None:
    if not complaint_access.can_work_on(by, complaint):
        raise PermissionDenied


def _not_future(errors: dict[str, str], field: str, value: date | None, label: str) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = _("%(label)s cannot be in the future.") % {"label": label}


def _sections_error(exc: UnknownSection) -> str:
    return _(
        "“%(section)s” is not a BNS section in our reference list. Write section numbers "
        "such as 74, 78, 351(2)."
    ) % {"section": exc.token}


def normalize_fir_number(value: str) -> str | None:
    """'123/2026' -> '0123/2026'; None when it does not look like an FIR number."""
    match = FIR_NUMBER_RE.match(value or "")
    if not match:
        return None
    return f"{int(match.group(1)):04d}/{match.group(2)}"


def _audit(
    by: User, action: str, complaint: Complaint, request: HttpRequest | None, **data
) -> None:  # type: ignore[no-untyped-def]
    record_event(
        actor=by,
        action=action,
        target=complaint,
        data={"tracking_number": complaint.tracking_number, **data},
        request=request,
        station=complaint.station,
    )


def _move(complaint: Complaint, status: str) -> str:
    """Move the locked complaint to `status` when the machine allows it; returns the previous."""
    previous = complaint.status
    if previous != status and complaint.can_move_to(status):
        complaint.status = status
        complaint.save(update_fields=["status"])
    return previous


def _check_fir(
    locked: Complaint,
    *,
    station: Station,
    fir_number: str,
    cctns_number: str,
    registered_on: date,
    bns_sections: str | list[str],
    errors: dict[str, str],
) -> tuple[str, str, list[str]]:
    """Validate an FIR's details into `errors`; returns the normal FIR number, CCTNS number
    and sections (meaningful only when no error was added)."""
    if station.district_id != locked.station.district_id:
        errors["station"] = _("Choose a station of the complaint's district.")
    fir = normalize_fir_number(fir_number)
    if fir is None:
        errors["fir_number"] = _("Write the FIR number as serial/year, e.g. 0123/2026.")
    cctns = re.sub(r"[\s-]", "", cctns_number or "")
    if not CCTNS_RE.match(cctns):
        errors["cctns_number"] = _(
            "The CCTNS FIR number has 17 digits: station code (8), year (4), FIR serial (5)."
        )
    _not_future(errors, "registered_on", registered_on, _("The date of registration"))
    if registered_on < timezone.localdate(locked.created_at):
        errors["registered_on"] = _("The FIR cannot be older than the complaint.")
    if fir and "fir_number" not in errors and "registered_on" not in errors:
        if int(fir[-4:]) != registered_on.year:
            errors["fir_number"] = _(
                "The year in the FIR number must be the year it was registered."
            )
        elif "cctns_number" not in errors and (
            cctns[8:12] != fir[-4:] or int(cctns[12:]) != int(fir.split("/")[0])
        ):
            errors["cctns_number"] = _(
                "The CCTNS number's year and serial do not match the FIR number."
            )
    try:
        sections = parse_sections(bns_sections)
        if not sections:
            errors["bns_sections"] = _("Give at least one BNS section.")
    except UnknownSection as exc:
        errors["bns_sections"] = _sections_error(exc)
        sections = []
    return fir or "", cctns, sections


def _taken() -> str:
    return _("This FIR or CCTNS number is already recorded on another complaint.")


@transaction.atomic
def register_fir(
    *,
    complaint: Complaint,
    by: User,
    fir_number: str,
    cctns_number: str,
    registered_on: date,
    bns_sections: str | list[str],
    station: Station | None = None,
    request: HttpRequest | None = None,
) -> FirRegistration:
    """Record the FIR registered on the complaint; the complaint moves to `action taken`.

    The FIR number (serial/year) and the CCTNS FIR number (8-digit station code, year, 5-digit
    serial) must agree on the serial and the year, and the year is the year of registration.
    The station defaults to the complaint's; another station must be in the same district."""
    _require_staff(by, complaint)
    locked = _lock(complaint)
    station = station or locked.station
    errors: dict[str, str] = {}
    availability = fir_availability(locked.status, has_fir=False)
    if not availability.available:
        errors["__all__"] = availability.reason or _(
            "An FIR can be recorded once the enquiry has started."
        )
    if FirRegistration.objects.filter(complaint=locked).exists():
        errors["__all__"] = _("An FIR is already recorded on this complaint.")
    fir, cctns, sections = _check_fir(
        locked,
        station=station,
        fir_number=fir_number,
        cctns_number=cctns_number,
        registered_on=registered_on,
        bns_sections=bns_sections,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record = FirRegistration.objects.create(
                complaint=locked,
                station=station,
                fir_number=fir,
                cctns_number=cctns,
                registered_on=registered_on,
                bns_sections=sections,
                recorded_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError({"fir_number": _taken()}) from exc
    previous = _move(locked, ComplaintStatus.ACTION_TAKEN)
    _event(
        locked,
        ComplaintEvent.Kind.FIR,
        actor=by,
        from_status=previous if previous != locked.status else "",
        to_status=locked.status if previous != locked.status else "",
        note=_("FIR %(number)s, BNS %(sections)s")
        % {"number": record.fir_number, "sections": ", ".join(sections)},
        note_params={"number": record.fir_number, "sections": list(sections)},
    )
    _audit(by, "complaints.fir.registered", locked, request, fir_number=record.fir_number)
    return record


@transaction.atomic
def correct_fir(
    *,
    complaint: Complaint,
    by: User,
    fir_number: str,
    cctns_number: str,
    registered_on: date,
    bns_sections: str | list[str],
    reason: str,
    station: Station | None = None,
    request: HttpRequest | None = None,
) -> FirRegistration:
    """Correct the FIR's details, or alter its sections as the investigation finds.

    The same checks as recording it, a reason, and the arrests kept consistent: every
    arrest's section stays among the FIR's, and no arrest comes before its registration.
    The timeline and the audit log say what changed from what, and why."""
    _require_staff(by, complaint)
    locked = _lock(complaint)
    record = FirRegistration.objects.select_for_update().filter(complaint=locked).first()
    if record is None:
        raise ValidationError({"__all__": _("There is no FIR on this complaint to correct.")})
    station = station or record.station
    errors: dict[str, str] = {}
    fir, cctns, sections = _check_fir(
        locked,
        station=station,
        fir_number=fir_number,
        cctns_number=cctns_number,
        registered_on=registered_on,
        bns_sections=bns_sections,
        errors=errors,
    )
    reason = " ".join(reason.split())[:200]
    if not reason:
        errors["reason"] = _(
            "Say why the FIR is corrected, e.g. a typing mistake or sections altered on "
            "investigation."
        )
    arrests = list(Arrest.objects.filter(fir=record).values_list("section", "arrested_on"))
    if "bns_sections" not in errors:
        dropped = sorted({section for section, _on in arrests} - set(sections))
        if dropped:
            errors["bns_sections"] = _(
                "Arrests were recorded under BNS %(sections)s: keep those sections."
            ) % {"sections": ", ".join(dropped)}
    if "registered_on" not in errors and arrests:
        first_arrest = min(on for _section, on in arrests)
        if first_arrest < registered_on:
            errors["registered_on"] = _("An arrest was recorded on %(when)s, before that date.") % {
                "when": formats.date_format(first_arrest, "SHORT_DATE_FORMAT")
            }
    after = {
        "fir_number": fir,
        "cctns_number": cctns,
        "registered_on": registered_on,
        "bns_sections": sections,
        "station": station,
    }
    changed = {name: value for name, value in after.items() if getattr(record, name) != value}
    if not errors and not changed:
        errors["__all__"] = _("Nothing differs from the FIR as recorded.")
    if errors:
        raise ValidationError(errors)
    before = {name: _fir_value(getattr(record, name)) for name in changed}
    for name, value in changed.items():
        setattr(record, name, value)
    try:
        with transaction.atomic():
            record.save(update_fields=list(changed))
    except IntegrityError as exc:
        raise ValidationError({"fir_number": _taken()}) from exc
    now = {name: _fir_value(value) for name, value in changed.items()}
    labels = timeline.FIR_LABELS
    summary = "; ".join(f"{labels[name]()} {before[name]} → {now[name]}" for name in changed)
    _event(
        locked,
        ComplaintEvent.Kind.FIR_CORRECTED,
        actor=by,
        note=(_("%(changes)s. Reason: %(reason)s") % {"changes": summary, "reason": reason})[:500],
        note_params={
            "changes": [[name, before[name], now[name]] for name in changed],
            "reason": reason,
        },
    )
    _audit(by, "complaints.fir.corrected", locked, request, before=before, after=now, reason=reason)
    return record


def _fir_value(value: object) -> str:
    """An FIR field's value as the timeline and the audit log write it."""
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "name", value))


@transaction.atomic
def record_arrest(
    *,
    complaint: Complaint,
    by: User,
    accused_role: str,
    arrested_on: date,
    section: str,
    arrested_by: User,
    accused_description: str = "",
    request: HttpRequest | None = None,
) -> Arrest:
    """An accused arrested in the complaint's FIR, under one of the FIR's sections."""
    _require_staff(by, complaint)
    locked = _lock(complaint)
    fir = FirRegistration.objects.filter(complaint=locked).first()
    errors: dict[str, str] = {}
    if fir is None:
        errors["__all__"] = _("Record the FIR before recording arrests.")
    elif locked.status not in ARREST_ALLOWED:
        errors["__all__"] = _("Arrests cannot be recorded on a withdrawn or transferred complaint.")
    if not accused_role.strip():
        errors["accused_role"] = _("Describe the accused by role, e.g. husband, neighbour.")
    _not_future(errors, "arrested_on", arrested_on, _("The date of arrest"))
    if fir is not None and "arrested_on" not in errors and arrested_on < fir.registered_on:
        errors["arrested_on"] = _("The arrest cannot be before the FIR was registered.")
    try:
        normal = normalize_section(section)
        if fir is not None and normal not in fir.bns_sections:
            errors["section"] = _("Choose one of the FIR's sections: %(sections)s.") % {
                "sections": ", ".join(fir.bns_sections)
            }
    except UnknownSection as exc:
        errors["section"] = _sections_error(exc)
        normal = ""
    if not complaint_access.can_work_on(arrested_by, locked):
        errors["arrested_by"] = _("Choose an officer posted at this station.")
    if errors:
        raise ValidationError(errors)
    assert fir is not None
    arrest = Arrest.objects.create(
        complaint=locked,
        fir=fir,
        accused_role=accused_role.strip()[:80],
        accused_description=accused_description.strip()[:200],
        arrested_on=arrested_on,
        section=normal,
        arrested_by=arrested_by,
        recorded_by=by,
    )
    _event(
        locked,
        ComplaintEvent.Kind.ARREST,
        actor=by,
        note=_("%(role)s, BNS %(section)s") % {"role": arrest.accused_role, "section": normal},
        note_params={"role": arrest.accused_role, "section": normal},
    )
    _audit(by, "complaints.arrest.recorded", locked, request, section=normal)
    return arrest


@transaction.atomic
def refer(
    *,
    complaint: Complaint,
    by: User,
    kind: str,
    referred_on: date,
    follow_up_on: date | None,
    agency: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the victim for support, with a date by which to follow it up."""
    _require_staff(by, complaint)
    locked = _lock(complaint)
    errors: dict[str, str] = {}
    if not locked.is_open:
        errors["__all__"] = _("Referrals can be recorded only on an open complaint.")
    if kind not in ReferralKind.values:
        errors["kind"] = _("Choose where the victim was referred from the list.")
    _not_future(errors, "referred_on", referred_on, _("The date of referral"))
    if follow_up_on is None:
        errors["follow_up_on"] = _("Set a date to follow the referral up.")
    elif follow_up_on < referred_on:
        errors["follow_up_on"] = _("The follow-up cannot be before the referral.")
    if errors:
        raise ValidationError(errors)
    assert follow_up_on is not None
    referral = Referral.objects.create(
        complaint=locked,
        kind=kind,
        agency=agency.strip()[:200],
        referred_on=referred_on,
        follow_up_on=follow_up_on,
        recorded_by=by,
    )
    _event(
        locked,
        ComplaintEvent.Kind.REFERRAL,
        actor=by,
        note=str(referral.get_kind_display()),
        note_params=timeline.choice_params(ComplaintEvent.Kind.REFERRAL, referral.kind),
    )
    _audit(by, "complaints.referral.recorded", locked, request, kind=kind)
    return referral


@transaction.atomic
def follow_up_referral(
    *,
    referral: Referral,
    by: User,
    outcome: str,
    followed_up_on: date,
    notes: str = "",
    next_follow_up_on: date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Record a follow-up of a referral, kept in its history.

    Support received or declined ends the follow-up. Support still being arranged, or a
    victim not reached, needs the date of the next follow-up, which the referral then shows
    as due. A follow-up cannot be dated before the referral or the previous follow-up.
    """
    _require_staff(by, referral.complaint)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    errors: dict[str, str] = {}
    if locked.follow_up_done:
        errors["__all__"] = _("This referral's follow-up is complete: %(outcome)s.") % {
            "outcome": locked.get_follow_up_outcome_display()
        }
    if outcome not in FollowUpOutcome.values or outcome == FollowUpOutcome.PENDING:
        errors["outcome"] = _("Choose what the follow-up found.")
    _not_future(errors, "followed_up_on", followed_up_on, _("The date of the follow-up"))
    if "followed_up_on" not in errors:
        if followed_up_on < locked.referred_on:
            errors["followed_up_on"] = _("The follow-up cannot be before the referral.")
        elif locked.followed_up_on and followed_up_on < locked.followed_up_on:
            errors["followed_up_on"] = _(
                "The follow-up cannot be before the previous one (%(when)s)."
            ) % {"when": formats.date_format(locked.followed_up_on, "SHORT_DATE_FORMAT")}
    final = outcome in FINAL_FOLLOW_UP_OUTCOMES
    if final:
        next_follow_up_on = None
    elif "outcome" not in errors:
        if next_follow_up_on is None:
            errors["next_follow_up_on"] = _(
                "Set the date of the next follow-up: the support is not settled yet."
            )
        elif next_follow_up_on < max(followed_up_on, timezone.localdate()):
            errors["next_follow_up_on"] = _("The next follow-up must be today or later.")
    if errors:
        raise ValidationError(errors)
    follow_up = ReferralFollowUp.objects.create(
        referral=locked,
        outcome=outcome,
        followed_up_on=followed_up_on,
        notes=notes.strip()[:500],
        next_follow_up_on=next_follow_up_on,
        recorded_by=by,
    )
    locked.follow_up_outcome = outcome
    locked.followed_up_on = followed_up_on
    locked.follow_up_notes = follow_up.notes
    fields = ["follow_up_outcome", "followed_up_on", "follow_up_notes"]
    if next_follow_up_on is not None:
        locked.follow_up_on = next_follow_up_on
        fields.append("follow_up_on")
    locked.save(update_fields=fields)
    complaint = locked.complaint
    note = f"{locked.get_kind_display()}: {locked.get_follow_up_outcome_display()}"
    params = {"referral_kind": locked.kind, "outcome": outcome}
    if next_follow_up_on is not None:
        note += " · " + _("next follow-up %(when)s") % {
            "when": formats.date_format(next_follow_up_on, "SHORT_DATE_FORMAT")
        }
        params["next_follow_up_on"] = next_follow_up_on.isoformat()
    _event(complaint, ComplaintEvent.Kind.FOLLOW_UP, actor=by, note=note, note_params=params)
    _audit(by, "complaints.referral.followed_up", complaint, request, outcome=outcome)
    return locked


@transaction.atomic
def close_complaint(
    *,
    complaint: Complaint,
    by: User,
    summary: str,
    feedback: str,
    feedback_remarks: str = "",
    request: HttpRequest | None = None,
) -> ComplaintClosure:
    """Close the complaint with a summary and the complainant's feedback (status -> closed)."""
    _require_staff(by, complaint)
    locked = _lock(complaint)
    errors: dict[str, str] = {}
    availability = closure_availability(locked.status)
    if not availability.available:
        errors["__all__"] = availability.reason or _(
            "A complaint that is %(status)s cannot be closed."
        ) % {"status": locked.get_status_display()}
    if not summary.strip():
        errors["summary"] = _("Write a short summary of how the complaint was disposed of.")
    if feedback not in Feedback.values:
        errors["feedback"] = _("Choose the complainant's feedback from the list.")
    if errors:
        raise ValidationError(errors)
    previous = locked.status
    locked.status = ComplaintStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    closure = ComplaintClosure.objects.create(
        complaint=locked,
        summary=summary.strip(),
        feedback=feedback,
        feedback_remarks=feedback_remarks.strip()[:500],
        closed_by=by,
    )
    _event(
        locked,
        ComplaintEvent.Kind.CLOSED,
        actor=by,
        from_status=previous,
        to_status=locked.status,
        note=str(closure.get_feedback_display()),
        note_params=timeline.choice_params(ComplaintEvent.Kind.CLOSED, closure.feedback),
    )
    _audit(by, "complaints.complaint.closed", locked, request, feedback=feedback)
    return closure
