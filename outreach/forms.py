"""Forms of outreach: quick logs (drive, NGO activity), verification, NGO registry, filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from outreach.models import Audience, Campaign, Ngo, NgoActivityKind, Topic
from outreach.services import DISTRICT_OUTSIDE_NGO
from stations.forms import DateInput, FieldForm, TokenField, today
from stations.models import District, Hotspot, Station


class NamedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Shows an object's name only (units and NGOs)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.district.name})"


class HotspotChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.station.name} · {obj.name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; the service checks each one (type, size, real image)."""

    def __init__(self, **kwargs: Any) -> None:
        accept = "image/jpeg,image/png,image/webp"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DriveForm(FieldForm):
    """Quick log of an awareness drive (police)."""

    station = StationChoiceField(label=_("Police station"), queryset=Station.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=today)
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("e.g. Govt. Girls Inter College, Sigra")
    )
    hotspot = HotspotChoiceField(
        label=_("Hotspot (if the place is one)"), queryset=Hotspot.objects.none(), required=False
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=Audience.choices, widget=forms.RadioSelect
    )
    people_reached = forms.IntegerField(
        label=_("People reached"),
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics covered"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    campaign = NamedChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    organiser_ngo = NamedChoiceField(
        label=_("Organised with NGO"),
        queryset=Ngo.objects.none(),
        required=False,
        help_text=_("Leave empty when the police organised it alone."),
    )
    photos = MultiplePhotoField(label=_("Photos (optional)"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    token = TokenField()

    def __init__(
        self,
        *args: Any,
        stations: QuerySet[Station],
        hotspots: QuerySet[Hotspot],
        campaigns: QuerySet[Campaign],
        ngos: QuerySet[Ngo],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["hotspot"].queryset = hotspots
        self.fields["campaign"].queryset = campaigns
        self.fields["organiser_ngo"].queryset = ngos
        self.fields["photos"].help_text = _("Up to %(n)d photos, JPEG, PNG or WebP.") % {
            "n": settings.DRIVE_MAX_PHOTOS
        }


class PhotoForm(FieldForm):
    photos = MultiplePhotoField(label=_("Add photos"))


class ActivityForm(FieldForm):
    """Quick log of an NGO activity (NGO coordinators): only the NGO's districts are offered."""

    ngo = NamedChoiceField(label=_("NGO"), queryset=Ngo.objects.none())
    kind = forms.ChoiceField(label=_("Activity"), choices=NgoActivityKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=today)
    district = NamedChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        error_messages={"invalid_choice": DISTRICT_OUTSIDE_NGO},
    )
    station = StationChoiceField(
        label=_("Police station (optional)"), queryset=Station.objects.none(), required=False
    )
    campaign = NamedChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    persons_reached = forms.IntegerField(
        label=_("Persons reached"),
        min_value=0,
        max_value=100_000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    persons_rescued = forms.IntegerField(
        label=_("Persons rescued"),
        min_value=0,
        max_value=100_000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    token = TokenField()

    def __init__(
        self,
        *args: Any,
        ngos: QuerySet[Ngo],
        districts: QuerySet[District],
        stations: QuerySet[Station],
        campaigns: QuerySet[Campaign],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ngo"].queryset = ngos
        self.fields["district"].queryset = districts
        self.fields["station"].queryset = stations
        self.fields["campaign"].queryset = campaigns
        only = list(ngos[:2])
        if len(only) == 1:  # one NGO: nothing to choose
            self.fields["ngo"].widget = forms.HiddenInput()
            self.initial.setdefault("ngo", only[0].pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ngo, district, station = data.get("ngo"), data.get("district"), data.get("station")
        if ngo and district and not ngo.districts.filter(pk=district.pk).exists():
            self.add_error("district", DISTRICT_OUTSIDE_NGO)
        if district and station and station.district_id != district.pk:
            self.add_error("station", _("This police station is not in the district."))
        if (data.get("persons_reached") or 0) + (data.get("persons_rescued") or 0) < 1:
            self.add_error("persons_reached", _("Give the number of persons reached or rescued."))
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned values the record/update services take (without ngo and token)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in {"ngo", "token"}}


class VerifyForm(FieldForm):
    note = forms.CharField(
        label=_("Verification note (optional)"),
        max_length=300,
        required=False,
        help_text=_("e.g. Confirmed with the beat constable."),
    )


class NgoForm(FieldForm):
    """Register an NGO (state HQ)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    name_local = forms.CharField(label=_("Name (local script)"), max_length=200, required=False)
    registration_number = forms.CharField(label=_("Registration number"), max_length=60)
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts of work"),
        queryset=District.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    contact_person = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, districts: QuerySet[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["districts"].queryset = districts


class PeriodFilterForm(FieldForm):
    station = StationChoiceField(
        label=_("Police station"), queryset=Station.objects.none(), required=False
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class ActivityFilterForm(FieldForm):
    STATUS_CHOICES = [
        ("", _("All entries")),
        ("unverified", _("Waiting for verification")),
        ("verified", _("Verified")),
    ]
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Activity"),
        choices=[("", _("All activities")), *NgoActivityKind.choices],
        required=False,
    )
    district = NamedChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )

    def __init__(self, *args: Any, districts: QuerySet[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts

    def verified(self) -> bool | None:
        status = self.cleaned_data.get("status") if self.is_valid() else ""
        return {"verified": True, "unverified": False}.get(status or "")
