"""Forms of the groups pages. Phone fields use people.phones, so errors come translated."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlparse

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import (
    MAX_CAPACITY,
    ExclusionCategory,
    GroupKind,
    IncidentKind,
    NominationSource,
    Nominator,
)
from groups.texts import DEFAULT_RULES
from people.phones import normalize_mobile
from portal.widgets import DateInput
from stations.models import District

TEXTAREA = {"rows": 3, "class": "form-control"}


def language_choices() -> list[tuple[str, str]]:
    """The portal's languages, each named in itself (English, हिंदी, বাংলা)."""
    return [(code, str(get_language_info(code)["name_local"])) for code, _ in settings.LANGUAGES]


class PhoneField(forms.CharField):
    """A mobile number in any format people write; cleaned to E.164."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return normalize_mobile(text) if text else ""


class BootstrapMixin:
    """Adds Bootstrap classes to every widget (no template tag library needed)."""

    fields: dict[str, forms.Field]

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _future(value: date | None) -> date | None:
    if value is not None and value <= timezone.localdate():
        raise forms.ValidationError(_("Choose a date in the future."))
    return value


class NominationForm(BootstrapMixin, forms.Form):
    """An officer records a nomination (from a volunteer, a representative, or their own)."""

    source = forms.ChoiceField(
        label=_("Nominated by"),
        choices=[
            (s.value, s.label)
            for s in NominationSource
            if s is not NominationSource.SELF_APPLICATION
        ],
    )
    nominator = forms.ModelChoiceField(
        label=_("Nominator on record"), queryset=Nominator.objects.none(), required=False
    )
    nominator_name = forms.CharField(label=_("or a new nominator: name"), required=False)
    nominator_phone = PhoneField(label=_("new nominator's phone"), required=False)
    nominator_organisation = forms.CharField(
        label=_("party or organisation"), required=False, max_length=200
    )
    nominee_name = forms.CharField(label=_("Nominee's name (any script)"), max_length=200)
    nominee_phone = PhoneField(label=_("Nominee's mobile number"))
    nominee_locality = forms.CharField(label=_("Locality"), max_length=200, required=False)
    nominee_district = forms.ModelChoiceField(
        label=_("Nominee's district"), queryset=District.objects.none(), required=False
    )
    nominee_language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices)
    note = forms.CharField(
        label=_("Why this person"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    nominee_consent = forms.BooleanField(
        label=_("The nominee agreed to join the group and to be contacted on WhatsApp.")
    )

    def __init__(
        self,
        *args: Any,
        nominators: QuerySet[Nominator],
        districts: QuerySet[District] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominator"].queryset = nominators  # type: ignore[attr-defined]
        if districts is None:
            del self.fields["nominee_district"]
        else:
            self.fields["nominee_district"].queryset = districts  # type: ignore[attr-defined]
            self.fields["nominee_district"].required = True
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_nominator = data.get("source") in (
            NominationSource.CIVIC_VOLUNTEER,
            NominationSource.PARTY_REPRESENTATIVE,
        )
        has_new = data.get("nominator_name") and data.get("nominator_phone")
        if needs_nominator and not data.get("nominator") and not has_new:
            self.add_error(
                "nominator",
                _("Choose the nominator on record, or enter a new nominator's name and phone."),
            )
        return data


class ApplicationForm(BootstrapMixin, forms.Form):
    """The public self-application form (no login)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    phone = PhoneField(label=_("Your WhatsApp mobile number"))
    locality = forms.CharField(label=_("Your locality"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language for messages"), choices=language_choices)
    note = forms.CharField(
        label=_("Anything the station should know (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    consent = forms.BooleanField(
        label=_("I want to join this group and agree that the police may contact me on WhatsApp.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ApproveForm(BootstrapMixin, forms.Form):
    revet_on = forms.DateField(
        label=_("Re-vet on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the usual period."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_revet_on(self) -> date | None:
        return _future(self.cleaned_data.get("revet_on"))


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class IncidentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_occurred_on(self) -> date:
        value: date = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class RemoveForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for removal"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    exclude = forms.BooleanField(
        label=_("Also add this person to the district's exclusion register"), required=False
    )
    category = forms.ChoiceField(
        label=_("Register reason"),
        choices=ExclusionCategory.choices,
        initial=ExclusionCategory.REMOVED_FOR_MISCONDUCT,
    )
    note = forms.CharField(
        label=_("Register note (restricted)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class GroupForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Run by"))
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rules_text = forms.CharField(
        label=_("Rules shown to members"),
        widget=forms.Textarea(attrs={"rows": 6}),
        initial=DEFAULT_RULES,
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("WhatsApp allows up to 1,024 members."),
    )
    invite_link = forms.URLField(
        label=_("WhatsApp invite link"),
        required=False,
        assume_scheme="https",
        help_text=_("https://chat.whatsapp.com/... : only the group's admins see it."),
    )
    accepts_applications = forms.BooleanField(
        label=_("Take applications through a public form"), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    admins = forms.ModelMultipleChoiceField(
        label=_("Admins"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]] | None,
        admins: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].choices = units  # type: ignore[attr-defined]
            del self.fields["is_active"]
        self.fields["admins"].queryset = admins  # type: ignore[attr-defined]
        self.fields["capacity"].initial = settings.GROUPS_DEFAULT_CAPACITY
        self._style()

    def clean_invite_link(self) -> str:
        link: str = self.cleaned_data.get("invite_link") or ""
        if link and (urlparse(link).scheme, urlparse(link).hostname) != (
            "https",
            "chat.whatsapp.com",
        ):
            raise forms.ValidationError(
                _("Paste the group's invite link; it starts with https://chat.whatsapp.com/")
            )
        return link


class ExclusionEntryForm(BootstrapMixin, forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())
    category = forms.ChoiceField(label=_("Reason"), choices=ExclusionCategory.choices)
    names = forms.CharField(
        label=_("Names and aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in any script."),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    note = forms.CharField(
        label=_("Note (restricted)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the district's heads and station in-charges."),
    )
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, districts: QuerySet[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        if districts.count() == 1:
            self.fields["district"].initial = districts.first()
        self._style()

    def clean_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]

    def clean_phones(self) -> list[str]:
        phones = []
        for line in self.cleaned_data["phones"].splitlines():
            if not line.strip():
                continue
            try:
                phones.append(normalize_mobile(line))
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("%(number)s: %(problem)s"),
                    params={"number": line.strip(), "problem": " ".join(error.messages)},
                ) from error
        return phones

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("names") and not data.get("phones"):
            raise forms.ValidationError(_("Give at least one name or phone number."))
        return data
