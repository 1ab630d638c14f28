"""A timeline entry's note in the reader's language.

An entry stores what happened as codes and values (ComplaintEvent.note_params: a referral's
kind, a counselling outcome, the feedback, the escalation level, an FIR's number and sections)
and is put into words when shown, so a Hindi reader sees "विधिक सहायता (DLSA)" even though an
English-speaking officer (or the overnight escalation task) wrote it. ComplaintEvent.note keeps
the words as written, for the admin and as the fallback.

Entries written before note_params existed have only the stored words: an English choice label
("Legal aid (DLSA)", "Reconciled") is recognised and translated; anything else is shown as
stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

if TYPE_CHECKING:
    from complaints.models import ComplaintEvent

Params = dict[str, Any]


def _label(choices: type[models.Choices], value: Any) -> str:
    return str(choices(value).label)


def _choices_by_kind() -> dict[str, tuple[str, type[models.Choices]]]:
    """Entry kind -> (its note_params key, the choices whose label is its note)."""
    from complaints.models import CounsellingOutcome, EscalationLevel, Feedback, ReferralKind

    return {
        "referral": ("referral_kind", ReferralKind),
        "counselling": ("outcome", CounsellingOutcome),
        "closed": ("feedback", Feedback),
        "escalated": ("level", EscalationLevel),
    }


def _follow_up(params: Params) -> str:
    from complaints.models import FollowUpOutcome, ReferralKind

    text = (
        f"{_label(ReferralKind, params['referral_kind'])}: "
        f"{_label(FollowUpOutcome, params['outcome'])}"
    )
    if params.get("next_follow_up_on"):
        when = date.fromisoformat(params["next_follow_up_on"])
        text += " · " + _("next follow-up %(when)s") % {
            "when": formats.date_format(when, "SHORT_DATE_FORMAT")
        }
    return text


def _fir(params: Params) -> str:
    return _("FIR %(number)s, BNS %(sections)s") % {
        "number": params["number"],
        "sections": ", ".join(params["sections"]),
    }


def _arrest(params: Params) -> str:
    return _("%(role)s, BNS %(section)s") % {"role": params["role"], "section": params["section"]}


# An FIR field's name as the correction entry says it (complaints.casework.correct_fir).
FIR_LABELS: dict[str, Callable[[], str]] = {
    "fir_number": lambda: _("FIR number"),
    "cctns_number": lambda: _("CCTNS number"),
    "registered_on": lambda: _("registered on"),
    "bns_sections": lambda: _("BNS sections"),
    "station": lambda: _("station"),
}


def _fir_corrected(params: Params) -> str:
    summary = "; ".join(
        f"{FIR_LABELS[name]()} {before} → {after}" for name, before, after in params["changes"]
    )
    return _("%(changes)s. Reason: %(reason)s") % {"changes": summary, "reason": params["reason"]}


_RENDERERS: dict[str, Callable[[Params], str]] = {
    "follow_up": _follow_up,
    "fir": _fir,
    "arrest": _arrest,
    "fir_corrected": _fir_corrected,
}


def choice_params(kind: str, value: Any) -> Params:
    """note_params for an entry whose note is one choice label (referral, counselling...)."""
    key, _choices = _choices_by_kind()[kind]
    return {key: value}


def _english_labels(choices: type[models.Choices]) -> dict[str, Any]:
    with override("en"):
        return {str(label): value for value, label in choices.choices}


def event_note(event: ComplaintEvent) -> str:
    """The entry's note in the active language (the stored words when it has no codes)."""
    params = event.note_params or {}
    by_kind = _choices_by_kind()
    try:
        if event.kind in by_kind:
            key, choices = by_kind[event.kind]
            if key in params:
                return _label(choices, params[key])
            value = _english_labels(choices).get(event.note)
            if value is not None:  # an entry written before note_params: its English label
                return _label(choices, value)
        elif params and event.kind in _RENDERERS:
            return _RENDERERS[event.kind](params)
    except (KeyError, ValueError, TypeError):
        pass  # codes this version does not know: the words as written
    return event.note
