"""Forms of the anti-Romeo squad register: the action, and one row per person."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.enforcement_services import CaseInput, PersonInput
from complaints.models import BnssSection, RomeoActionType, RomeoCase
from stations.forms import DateInput, FieldForm, TokenField, today
from stations.models import Hotspot, Station

MAX_PERSON_ROWS = 60


class StationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class HotspotChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.station.name} · {obj.name}"


class CaseChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"FIR {obj.fir_number} · {obj.station.name}"


class RomeoActionForm(FieldForm):
    """The action itself; which of the FIR fields apply depends on the action type."""

    station = StationChoiceField(label=_("Police station"), queryset=Station.objects.none())
    acted_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=today)
    squad = forms.CharField(
        label=_("Squad"), max_length=120, help_text=_("e.g. Anti-Romeo squad 2 (SI Rekha Verma)")
    )
    action_type = forms.ChoiceField(
        label=_("What was done"), choices=RomeoActionType.choices, widget=forms.RadioSelect
    )
    hotspot = HotspotChoiceField(
        label=_("Hotspot"), queryset=Hotspot.objects.none(), required=False
    )
    place = forms.CharField(
        label=_("Or the place"),
        max_length=200,
        required=False,
        help_text=_("When the place is not one of the station's hotspots."),
    )
    fir_number = forms.CharField(
        label=_("FIR number"),
        max_length=20,
        required=False,
        help_text=_("For a case registered, e.g. 0123/2026."),
    )
    cctns_number = forms.CharField(label=_("CCTNS number"), max_length=30, required=False)
    bns_sections = forms.CharField(
        label=_("BNS sections"), max_length=120, required=False, help_text=_("e.g. 74, 78, 79")
    )
    case = CaseChoiceField(
        label=_("FIR of the arrest"),
        queryset=RomeoCase.objects.none(),
        required=False,
        help_text=_("For accused arrested in an FIR registered earlier."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    token = TokenField()

    def __init__(
        self,
        *args: Any,
        stations: QuerySet[Station],
        hotspots: QuerySet[Hotspot],
        cases: QuerySet[RomeoCase],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["hotspot"].queryset = hotspots
        self.fields["case"].queryset = cases

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("action_type")
        if kind == RomeoActionType.CASE_REGISTERED and not data.get("fir_number"):
            self.add_error("fir_number", _("Give the FIR number of the case registered."))
        if kind == RomeoActionType.ACCUSED_ARRESTED and not data.get("case"):
            self.add_error("case", _("Choose the FIR the accused were arrested in."))
        if not data.get("hotspot") and not (data.get("place") or "").strip():
            self.add_error("place", _("Choose a hotspot or write the place."))
        return data

    def case_input(self) -> CaseInput | None:
        """The FIR to register, for a "case registered" action."""
        if self.cleaned_data["action_type"] != RomeoActionType.CASE_REGISTERED:
            return None
        return CaseInput(
            fir_number=self.cleaned_data["fir_number"],
            cctns_number=self.cleaned_data["cctns_number"],
            bns_sections=self.cleaned_data["bns_sections"],
        )

    def existing_case(self) -> RomeoCase | None:
        """The earlier FIR, for an "accused arrested" action."""
        if self.cleaned_data["action_type"] != RomeoActionType.ACCUSED_ARRESTED:
            return None
        case: RomeoCase | None = self.cleaned_data["case"]
        return case


class PersonForm(FieldForm):
    """One person; an empty row is skipped."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    age = forms.IntegerField(label=_("Age"), min_value=7, max_value=100, required=False)
    bnss_section = forms.ChoiceField(
        label=_("BNSS section"),
        choices=[("", _("— (not preventive action)")), *BnssSection.choices],
        required=False,
    )
    parents_present = forms.BooleanField(label=_("Parents present"), required=False)

    def person(self) -> PersonInput:
        return PersonInput(
            name=self.cleaned_data.get("name") or "",
            age=self.cleaned_data.get("age"),
            bnss_section=self.cleaned_data.get("bnss_section") or "",
            parents_present=bool(self.cleaned_data.get("parents_present")),
        )


class BasePersonFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def persons(self) -> list[PersonInput]:
        """The filled-in rows (an untouched row is no person)."""
        return [form.person() for form in self.forms if form.has_changed()]

    def clean(self) -> None:
        if any(self.errors):
            return
        if len(self.persons()) > MAX_PERSON_ROWS:
            raise ValidationError(_("At most %(n)d persons per action.") % {"n": MAX_PERSON_ROWS})


PersonFormSet = forms.formset_factory(
    PersonForm,
    formset=BasePersonFormSet,
    extra=1,
    max_num=MAX_PERSON_ROWS,
    absolute_max=MAX_PERSON_ROWS,
    validate_max=True,
)


class RegisterFilterForm(FieldForm):
    station = StationChoiceField(
        label=_("Police station"), queryset=Station.objects.none(), required=False
    )
    action_type = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *RomeoActionType.choices],
        required=False,
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
