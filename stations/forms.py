"""Forms for field work: hotspots, patrols, CCTV, resource audits, action items.

Forms check shapes and show translated errors; the rules live in stations.services, whose
ValidationErrors are put back on the form with add_service_errors().
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.widgets import DateInput, DateTimeInput
from stations.idempotency import new_form_token
from stations.models import CctvCoverage, Hotspot, ResourceCheck, ResourceItem, Station
from stations.services import CheckInput


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class BootstrapMixin:
    """Adds Bootstrap classes to every widget (select, check, file or text)."""

    def _style(self) -> None:
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for field in fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class TokenField(forms.CharField):
    """A hidden random token that makes a double submit record once (see stations.idempotency)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=100, widget=forms.HiddenInput, **kwargs)


class FieldForm(BootstrapMixin, forms.Form):
    """A form with Bootstrap styling and, when it has a `token` field, a fresh token."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "token" in self.fields and not self.is_bound:
            self.initial.setdefault("token", new_form_token())
        self._style()

    def add_error(self, field: str | None, error: Any) -> None:
        """Record the error and mark the field's widget invalid for Bootstrap."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()


def today() -> Any:
    return timezone.localdate()


def now_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class HotspotForm(FieldForm):
    name = forms.CharField(label=_("Name of the place"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of place"), choices=Hotspot.Kind.choices)
    address = forms.CharField(label=_("Address or landmark"), max_length=255, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class PatrolForm(FieldForm):
    patrolled_at = forms.DateTimeField(
        label=_("When"),
        widget=DateTimeInput(),
        initial=now_minute,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    team = forms.CharField(
        label=_("Patrol team"), max_length=200, help_text=_("Who went, e.g. SI Rekha, HC Mohan.")
    )
    observations = forms.CharField(
        label=_("Observations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    trouble_seen = forms.BooleanField(
        label=_("Trouble seen (eve-teasing, stalking, loitering)"), required=False
    )
    token = TokenField()


class CctvForm(FieldForm):
    status = forms.ChoiceField(label=_("CCTV"), choices=CctvCoverage.Status.choices)
    cameras = forms.IntegerField(label=_("Cameras"), min_value=0, max_value=999, initial=0)
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput(), initial=today)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class ResourceAuditForm(FieldForm):
    """The checklist: for every resource, OK or deficit, the count on hand and a note."""

    audited_on = forms.DateField(label=_("Audit date"), widget=DateInput(), initial=today)
    owner = forms.ModelChoiceField(
        label=_("Owner of the deficits"),
        queryset=Station.objects.none(),
        help_text=_("Who must make good the deficits found."),
    )
    due_on = forms.DateField(
        label=_("Fix by"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for the usual time limit."),
    )
    notes = forms.CharField(
        label=_("General notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        for item in ResourceItem:
            self.fields[f"{item.value}_status"] = forms.ChoiceField(
                label=item.label,
                choices=ResourceCheck.Status.choices,
                initial=ResourceCheck.Status.OK,
                widget=forms.RadioSelect,
            )
            self.fields[f"{item.value}_count"] = forms.IntegerField(
                label=_("Count on hand"), required=False, min_value=0, max_value=100000
            )
            self.fields[f"{item.value}_notes"] = forms.CharField(
                label=_("Notes"), required=False, max_length=300
            )
        self._style()

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """(label, status, count, notes) bound fields per resource, for the template."""
        return [
            (
                str(item.label),
                self[f"{item.value}_status"],
                self[f"{item.value}_count"],
                self[f"{item.value}_notes"],
            )
            for item in ResourceItem
        ]

    def checks(self) -> list[CheckInput]:
        """The checklist lines, for stations.services.record_resource_audit."""
        return [
            CheckInput(
                item=item.value,
                status=self.cleaned_data[f"{item.value}_status"],
                count=self.cleaned_data[f"{item.value}_count"],
                notes=self.cleaned_data[f"{item.value}_notes"] or "",
            )
            for item in ResourceItem
        ]


class CloseActionItemForm(FieldForm):
    note = forms.CharField(
        label=_("What was done (evidence)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. Two computers received from the district store on 12 March."),
    )
    evidence = forms.FileField(
        label=_("Photo or document (optional)"),
        required=False,
        help_text=_("JPEG, PNG, WebP or PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )


class ReassignActionItemForm(FieldForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Station.objects.none())
    due_on = forms.DateField(label=_("Fix by"), widget=DateInput())

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class HotspotFilterForm(FieldForm):
    station = forms.ModelChoiceField(
        label=_("Police station"), queryset=Station.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of place"),
        choices=[("", _("All kinds")), *Hotspot.Kind.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Not patrolled lately"), required=False)

    def __init__(self, *args: Any, stations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
