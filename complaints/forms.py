"""Forms of complaint intake (validation mirrors services._validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints.models import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintPriority,
    ComplaintStatus,
    CounsellingOutcome,
)
from people.phones import InvalidPhone, normalize_mobile
from stations.forms import DateInput
from stations.models import Station

DESK_CHANNELS = [
    (c.value, c.label)
    for c in (ComplaintChannel.DESK, ComplaintChannel.PHONE, ComplaintChannel.GROUP_REPORT)
]
_CHOICE_ERROR = {"invalid_choice": _("Choose one of the options in the list.")}


class ComplaintForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Police station"), queryset=Station.objects.none(), error_messages=_CHOICE_ERROR
    )
    channel = forms.ChoiceField(
        label=_("Received by"), choices=DESK_CHANNELS, error_messages=_CHOICE_ERROR
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *ComplaintCategory.choices],
        error_messages=_CHOICE_ERROR,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=ComplaintPriority.choices,
        initial=ComplaintPriority.NORMAL,
        error_messages=_CHOICE_ERROR,
    )
    is_sos = forms.BooleanField(label=_("SOS — danger now"), required=False)
    occurred_on = forms.DateField(
        label=_("Date of incident"),
        required=False,
        widget=DateInput(),
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what happened.")},
    )
    victim_name = forms.CharField(label=_("Victim's name"), max_length=200, required=False)
    victim_phone = forms.CharField(label=_("Victim's phone"), max_length=32, required=False)
    victim_address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    victim_family = forms.CharField(
        label=_("Family"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    victim_school_or_workplace = forms.CharField(
        label=_("School or workplace"), max_length=200, required=False
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        station_field = self.fields["station"]
        assert isinstance(station_field, forms.ModelChoiceField)
        station_field.queryset = stations.order_by("name")
        if len(station_field.queryset) == 1:
            station_field.initial = station_field.queryset[0]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "is_sos" else "form-control"
            if isinstance(field, forms.ChoiceField):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)
        self.fields["victim_phone"].widget.attrs["inputmode"] = "tel"

    def clean_description(self) -> str:
        value = str(self.cleaned_data.get("description", "")).strip()
        if not value:
            raise forms.ValidationError(_("Describe what happened."))
        return value

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data.get("occurred_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the incident cannot be in the future."))
        return value


class RevealIdentityForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see the identity?"),
        max_length=300,
        error_messages={"required": _("State why you need to see the identity.")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"), choices=ComplaintStatus.choices, error_messages=_CHOICE_ERROR
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            status_field = self.fields["status"]
            assert isinstance(status_field, forms.ChoiceField)
            status_field.choices = [c for c in ComplaintStatus.choices if c[0] in allowed]
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["note"].widget.attrs["class"] = "form-control"


class OfficerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class AssignForm(forms.Form):
    officer = OfficerChoiceField(
        label=_("Officer"), queryset=User.objects.none(), error_messages=_CHOICE_ERROR
    )

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer_field = self.fields["officer"]
        assert isinstance(officer_field, forms.ModelChoiceField)
        officer_field.queryset = officers
        officer_field.widget.attrs["class"] = "form-select"


class StatusLookupForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone number given with the complaint"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )


class CounsellingForm(forms.Form):
    held_on = forms.DateField(label=_("Session date"), widget=DateInput())
    parties = forms.CharField(
        label=_("Parties present"),
        max_length=200,
        help_text=_("By role, not by name: e.g. complainant, husband, mother-in-law."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "—"), *CounsellingOutcome.choices],
        error_messages=_CHOICE_ERROR,
    )
    follow_up_on = forms.DateField(label=_("Follow-up date"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PublicComplaintForm(forms.Form):
    """The citizens' web form: a station, what happened, and a phone to follow up on."""

    station = forms.ModelChoiceField(
        label=_("Police station"),
        queryset=Station.objects.filter(is_active=True).order_by("name"),
        error_messages=_CHOICE_ERROR,
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *ComplaintCategory.choices],
        error_messages=_CHOICE_ERROR,
    )
    occurred_on = forms.DateField(label=_("Date of incident"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what happened.")},
    )
    victim_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    victim_phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=32,
        help_text=_("To check the status later with your tracking number."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["victim_phone"].widget.attrs["inputmode"] = "tel"

    def clean_description(self) -> str:
        value = str(self.cleaned_data.get("description", "")).strip()
        if not value:
            raise forms.ValidationError(_("Describe what happened."))
        return value

    def clean_occurred_on(self) -> Any:
        value = self.cleaned_data.get("occurred_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the incident cannot be in the future."))
        return value

    def clean_victim_phone(self) -> str:
        try:
            return normalize_mobile(self.cleaned_data.get("victim_phone"))
        except InvalidPhone as exc:
            raise forms.ValidationError(exc.messages) from exc
