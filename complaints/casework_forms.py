"""Forms of casework on a complaint (the services check the rules again; these give the
officer clear messages first). Small enough to fill in on a phone."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints.bns import UnknownSection, parse_sections
from complaints.casework import CCTNS_RE, normalize_fir_number
from complaints.forms import OfficerChoiceField
from complaints.models import (
    ComplaintCategory,
    Feedback,
    FirRegistration,
    FollowUpOutcome,
    ReferralKind,
)
from stations.forms import DateInput
from stations.models import Station

_CHOICE_ERROR = {"invalid_choice": _("Choose one of the options in the list.")}


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
        field.widget.attrs.setdefault("class", css)


def _not_future(value: Any, message: str) -> Any:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class FirForm(forms.Form):
    fir_number = forms.CharField(
        label=_("FIR number"),
        max_length=12,
        help_text=_("Serial/year as on the FIR, e.g. 0123/2026."),
        error_messages={"required": _("Write the FIR number.")},
    )
    cctns_number = forms.CharField(
        label=_("CCTNS FIR number"),
        max_length=24,
        help_text=_("17 digits: station code (8), year (4), FIR serial (5)."),
        error_messages={"required": _("Write the CCTNS FIR number.")},
    )
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())
    bns_sections = forms.CharField(
        label=_("BNS sections"),
        max_length=120,
        help_text=_("Section numbers only, separated by commas: e.g. 85, 115(2), 351(2)."),
        error_messages={"required": _("Give at least one BNS section.")},
    )
    station = forms.ModelChoiceField(
        label=_("Police station"),
        queryset=Station.objects.none(),
        required=False,
        error_messages=_CHOICE_ERROR,
    )

    def __init__(self, *args: Any, stations: QuerySet[Station] | None = None, **kwargs: Any):
        kwargs.setdefault("auto_id", "fir_%s")
        super().__init__(*args, **kwargs)
        station_field = self.fields["station"]
        assert isinstance(station_field, forms.ModelChoiceField)
        station_field.queryset = (stations or Station.objects.none()).order_by("name")
        self.fields["registered_on"].initial = timezone.localdate()
        self.fields["cctns_number"].widget.attrs["inputmode"] = "numeric"
        _style(self)

    def clean_fir_number(self) -> str:
        value = normalize_fir_number(str(self.cleaned_data.get("fir_number", "")))
        if value is None:
            raise forms.ValidationError(_("Write the FIR number as serial/year, e.g. 0123/2026."))
        return value

    def clean_cctns_number(self) -> str:
        value = re.sub(r"[\s-]", "", str(self.cleaned_data.get("cctns_number", "")))
        if not CCTNS_RE.match(value):
            raise forms.ValidationError(
                _("The CCTNS FIR number has 17 digits: station code (8), year (4), FIR serial (5).")
            )
        return value

    def clean_registered_on(self) -> Any:
        return _not_future(
            self.cleaned_data.get("registered_on"),
            _("The date of registration cannot be in the future."),
        )

    def clean_bns_sections(self) -> list[str]:
        try:
            sections = parse_sections(str(self.cleaned_data.get("bns_sections", "")))
        except UnknownSection as exc:
            raise forms.ValidationError(
                _("“%(section)s” is not a BNS section in our reference list."),
                params={"section": exc.token},
            ) from exc
        if not sections:
            raise forms.ValidationError(_("Give at least one BNS section."))
        return sections


class FirCorrectionForm(FirForm):
    """The FIR as it should now read, and why (prefilled with the FIR as recorded)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=200,
        help_text=_("e.g. typing mistake in the FIR number; sections altered on investigation."),
        error_messages={"required": _("Say why the FIR is corrected.")},
    )

    def __init__(self, *args: Any, fir: FirRegistration | None = None, **kwargs: Any):
        kwargs.setdefault("auto_id", "firfix_%s")
        if fir is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = {
                "fir_number": fir.fir_number,
                "cctns_number": fir.cctns_number,
                "registered_on": fir.registered_on,
                "bns_sections": ", ".join(fir.bns_sections),
                "station": fir.station_id,
            }
        super().__init__(*args, **kwargs)


class ArrestForm(forms.Form):
    accused_role = forms.CharField(
        label=_("Accused (role)"),
        max_length=80,
        help_text=_("e.g. husband, neighbour, youth on a motorcycle."),
        error_messages={"required": _("Describe the accused by role, e.g. husband, neighbour.")},
    )
    accused_description = forms.CharField(
        label=_("Name or description of the accused"), max_length=200, required=False
    )
    arrested_on = forms.DateField(label=_("Arrested on"), widget=DateInput())
    section = forms.CharField(label=_("BNS section"), max_length=16)
    arrested_by = OfficerChoiceField(
        label=_("Arrested by"), queryset=User.objects.none(), error_messages=_CHOICE_ERROR
    )

    def __init__(self, *args: Any, officers: QuerySet[User] | None = None, **kwargs: Any):
        kwargs.setdefault("auto_id", "arrest_%s")
        super().__init__(*args, **kwargs)
        officer_field = self.fields["arrested_by"]
        assert isinstance(officer_field, forms.ModelChoiceField)
        officer_field.queryset = officers if officers is not None else User.objects.none()
        self.fields["arrested_on"].initial = timezone.localdate()
        _style(self)

    def clean_arrested_on(self) -> Any:
        return _not_future(
            self.cleaned_data.get("arrested_on"), _("The date of arrest cannot be in the future.")
        )


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Referred to"),
        choices=[("", "—"), *ReferralKind.choices],
        error_messages=_CHOICE_ERROR,
    )
    agency = forms.CharField(label=_("Agency"), max_length=200, required=False)
    referred_on = forms.DateField(label=_("Referred on"), widget=DateInput())
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        widget=DateInput(),
        error_messages={"required": _("Set a date to follow the referral up.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "referral_%s")
        super().__init__(*args, **kwargs)
        self.fields["referred_on"].initial = timezone.localdate()
        _style(self)

    def clean_referred_on(self) -> Any:
        return _not_future(
            self.cleaned_data.get("referred_on"),
            _("The date of referral cannot be in the future."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        referred, follow_up = data.get("referred_on"), data.get("follow_up_on")
        if referred and follow_up and follow_up < referred:
            self.add_error("follow_up_on", _("The follow-up cannot be before the referral."))
        return data


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the follow-up found"),
        choices=[("", "—"), *[c for c in FollowUpOutcome.choices if c[0] != "pending"]],
        error_messages=_CHOICE_ERROR,
    )
    followed_up_on = forms.DateField(label=_("Followed up on"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        required=False,
        widget=DateInput(),
        help_text=_("Needed when the support is in progress or the victim was not reached."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "followup_%s")
        super().__init__(*args, **kwargs)
        self.fields["followed_up_on"].initial = timezone.localdate()
        _style(self)

    def clean_followed_up_on(self) -> Any:
        return _not_future(
            self.cleaned_data.get("followed_up_on"),
            _("The date of the follow-up cannot be in the future."),
        )


class ClosureForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the complaint was disposed of. No names."),
        error_messages={
            "required": _("Write a short summary of how the complaint was disposed of.")
        },
    )
    feedback = forms.ChoiceField(
        label=_("Complainant's feedback"),
        choices=[("", "—"), *Feedback.choices],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the complainant's feedback."),
            **_CHOICE_ERROR,
        },
    )
    feedback_remarks = forms.CharField(label=_("Remarks"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "closure_%s")
        super().__init__(*args, **kwargs)
        feedback_field = self.fields["feedback"]
        assert isinstance(feedback_field, forms.ChoiceField)
        feedback_field.choices = Feedback.choices
        _style(self)
        self.fields["feedback"].widget.attrs["class"] = "form-check-input"

    def clean_summary(self) -> str:
        value = str(self.cleaned_data.get("summary", "")).strip()
        if not value:
            raise forms.ValidationError(
                _("Write a short summary of how the complaint was disposed of.")
            )
        return value


class RouteForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Give to station"), queryset=Station.objects.none(), error_messages=_CHOICE_ERROR
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=ComplaintCategory.choices,
        initial=ComplaintCategory.OTHER,
        error_messages=_CHOICE_ERROR,
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "route_%s")
        super().__init__(*args, **kwargs)
        station_field = self.fields["station"]
        assert isinstance(station_field, forms.ModelChoiceField)
        station_field.queryset = stations.order_by("name")
        _style(self)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Victim's photo"),
        help_text=_("JPEG, PNG or WebP. Stored encrypted; shown only with the identity."),
        error_messages={"required": _("Choose a photo to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "photo_%s")
        super().__init__(*args, **kwargs)
        _style(self)


class ReplyForm(forms.Form):
    """A free-text WhatsApp reply to the complainant (inside WhatsApp's 24-hour window)."""

    text = forms.CharField(
        label=_("Reply on WhatsApp"),
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Sent to the complainant's WhatsApp. No victim's or accused's names."),
        error_messages={"required": _("Type the reply.")},
    )
