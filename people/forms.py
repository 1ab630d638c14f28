"""Forms of the people pages: list filters, the list upload, the erasure request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser
from people import selectors
from stations.idempotency import new_form_token


class CitizenFilterForm(forms.Form):
    """GET filters of the subscriber list; a value that does not fit is simply ignored."""

    q = forms.CharField(
        label=_("Name or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": _("Name or phone")}
        ),
    )
    station = forms.ModelChoiceField(
        label=_("Police station"), queryset=None, required=False, empty_label=_("All stations")
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    opted_out = forms.ChoiceField(
        label=_("Opted out"),
        required=False,
        choices=[("", _("Everyone")), ("no", _("Receiving messages")), ("yes", _("Opted out"))],
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=None, required=False, empty_label=_("All tags")
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("station", "language", "opted_out", "tag"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm citizen-filter"
        self.fields["station"].queryset = selectors.station_choices(user)  # type: ignore[attr-defined]
        self.fields["tag"].queryset = selectors.tag_choices(user)  # type: ignore[attr-defined]
        self.fields["language"].choices = [("", _("All languages")), *settings.LANGUAGES]  # type: ignore[attr-defined]

    def has_filters(self) -> bool:
        """True when a filter other than the search box is set (the filter panel stays open)."""
        return any(self.data.get(name) for name in ("station", "language", "opted_out", "tag"))

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.citizen_list from the valid fields."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        station, tag = data.get("station"), data.get("tag")
        return {
            "search": data.get("q") or "",
            "station_id": station.pk if station else None,
            "language": data.get("language") or "",
            "opted_out": data.get("opted_out") or "",
            "tag_id": tag.pk if tag else None,
        }


class ImportUploadForm(forms.Form):
    """The list upload: a district the user manages and the file (checked by the service)."""

    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=None,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_("Subscriber list (CSV or Excel .xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,.txt", "class": "form-control"}),
    )
    list_name = forms.CharField(
        label=_("Also save as a list named"),
        required=False,
        max_length=120,
        help_text=_("Optional. Every row imported joins this list, which broadcasts can target."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    # A workbook with several sheets holding a list: offered once the upload check asked
    # (the sheet names come from the file; the service checks the choice).
    sheet = forms.CharField(label=_("Sheet to import"), required=False, max_length=255)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    # Which field a refusal of create_import_job is about (anything else: the file).
    ERROR_FIELDS = {
        "list_name_taken": "list_name",
        "choose_sheet": "sheet",
        "unknown_sheet": "sheet",
    }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet_choices: list[str] = []
        self.sheet_selected = ""
        districts = selectors.districts_managed_by(user).order_by("name")
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        choices = list(districts)  # one query for the page; validation queries again on submit
        self.may_import = bool(choices)
        self.single_district = choices[0] if len(choices) == 1 else None
        self.fields["file"].help_text = _(
            "Up to %(rows)s rows and %(size)s. In a workbook, the visible sheet with the list "
            "is read."
        ) % {
            "rows": f"{settings.PEOPLE_IMPORT_MAX_ROWS:,}",
            "size": filesizeformat(settings.PEOPLE_IMPORT_MAX_BYTES),
        }
        if not self.is_bound:
            self.initial["token"] = new_form_token()
            self.initial.setdefault("district", choices[0].pk if choices else None)

    def clean_list_name(self) -> str:
        # Uniqueness is checked by the service, after a double submit has been recognised
        # (the replay must return the first job, not complain that its list name is taken).
        return " ".join((self.cleaned_data.get("list_name") or "").split())

    def add_import_error(self, error: ValidationError) -> None:
        """Show a refusal of the import service by its field; offer the sheets when it asks."""
        sheets = getattr(error, "sheets", None)
        if sheets:
            self.sheet_choices = list(sheets)
            chosen = self.data.get("sheet", "") if self.is_bound else ""
            self.sheet_selected = chosen if chosen in sheets else getattr(error, "preferred", "")
        self.add_error(self.ERROR_FIELDS.get(str(error.code), "file"), error)


class EraseForm(forms.Form):
    """Erasure needs a reason on record and an explicit confirmation."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("E.g. 'written request of 12 May, received at Lanka PS'. No personal data."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand the name, phone and locality are deleted for good."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
