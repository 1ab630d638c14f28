from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadcasts import audience_sources
from broadcasts.models import Broadcast, CampaignDay, MessageTemplate
from people.models import Tag
from portal.widgets import DateInput, DateTimeInput
from stations.models import District, Station

TOPICS = [
    ("cyber_fraud", _("Cyber fraud")),
    ("women_safety", _("Crimes against women")),
    ("child_safety", _("Crimes against children")),
    ("traffic", _("Traffic rules")),
    ("other", _("Other")),
]
MAX_PARAMETERS = 6


class BroadcastForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none(), label=_("District"))
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=TOPICS)
    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(), label=_("Approved WhatsApp template")
    )
    stations = forms.ModelMultipleChoiceField(
        queryset=Station.objects.none(),
        required=False,
        label=_("Only these stations (leave empty for the whole district)"),
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), required=False, label=_("Only citizens with these tags")
    )
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        label=_("Only these languages"),
        widget=forms.CheckboxSelectMultiple,
    )
    recurrence = forms.ChoiceField(
        label=_("Repeat"), choices=Broadcast.Recurrence.choices, required=False
    )
    send_time = forms.TimeField(
        label=_("Daily sending time (for a daily broadcast)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    def __init__(
        self, *args: Any, districts: Any, templates: Any, user: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["template"].queryset = templates
        self.fields["stations"].queryset = Station.objects.filter(district__in=districts)
        # One multiple choice per registered audience source (lists, community groups...),
        # offering only what this user may pick: a foreign id is "not one of the choices".
        self.source_fields: list[str] = []
        self._source_districts: dict[str, dict[int, int | None]] = {}
        # A source with nothing to offer this user still gets a (hidden) field: an id posted for
        # it is then refused as "not one of the choices" instead of being silently ignored,
        # which would widen the broadcast to the whole district.
        for source in audience_sources.sources() if user is not None else []:
            choices = source.choices(user)
            name = f"source_{source.key}"
            self.fields[name] = forms.TypedMultipleChoiceField(
                choices=[(c.id, c.label) for c in choices],
                coerce=int,
                required=False,
                label=source.label,
                help_text=_("Only members of the picked ones (after the filters above)."),
                widget=forms.SelectMultiple if choices else forms.MultipleHiddenInput,
            )
            self.source_fields.append(name)
            self._source_districts[source.key] = {c.id: c.district_id for c in choices}
        self.fields["template"].label_from_instance = MessageTemplate.display_label
        # The boxes are labelled by what the chosen template's variables mean (never "{{1}}").
        self.chosen_template = self._chosen_template(templates)
        chosen = self.chosen_template
        labels = chosen.variable_labels() if chosen else []
        examples = chosen.variable_examples() if chosen else []
        for index in range(1, MAX_PARAMETERS + 1):
            label = labels[index - 1] if index <= len(labels) else _("Value %(n)d") % {"n": index}
            field = forms.CharField(label=label, required=False, max_length=500)
            if index <= len(examples) and examples[index - 1]:
                field.widget.attrs["placeholder"] = _("e.g. %(example)s") % {
                    "example": examples[index - 1]
                }
            self.fields[f"parameter_{index}"] = field
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxSelectMultiple)
                else (
                    "form-select"
                    if isinstance(field.widget, forms.Select | forms.SelectMultiple)
                    else "form-control"
                )
            )
            field.widget.attrs.setdefault("class", css)

    def _chosen_template(self, templates: Any) -> MessageTemplate | None:
        """The template picked in the posted (or initial) data, if it is one of the choices."""
        raw = self.data.get("template") if self.is_bound else self.initial.get("template")
        if isinstance(raw, MessageTemplate):
            return raw
        try:
            return templates.filter(pk=int(str(raw))).first() if raw else None
        except (TypeError, ValueError):
            return None

    def _compose_fields(self) -> list[forms.BoundField]:
        return [f for f in self if not f.name.startswith("parameter_")]

    def head_fields(self) -> list[forms.BoundField]:
        """The fields up to the template pick (its text and variables follow it)."""
        fields = self._compose_fields()
        return fields[: [f.name for f in fields].index("template") + 1]

    def tail_fields(self) -> list[forms.BoundField]:
        """The fields after the template pick, its variables left out."""
        fields = self._compose_fields()
        return fields[[f.name for f in fields].index("template") + 1 :]

    def variable_fields(self) -> list[forms.BoundField]:
        """The chosen template's variable boxes, in order."""
        count = self.chosen_template.parameter_count if self.chosen_template else 0
        return [self[f"parameter_{i}"] for i in range(1, min(count, MAX_PARAMETERS) + 1)]

    def preview_parts(self) -> list[Any]:
        """The chosen template's body with the values typed so far in place."""
        if self.chosen_template is None:
            return []
        values = [str(f.value() or "") for f in self.variable_fields()]
        return self.chosen_template.parts(values)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        template = data.get("template")
        if template is not None:
            values = [data.get(f"parameter_{i}", "").strip() for i in range(1, MAX_PARAMETERS + 1)]
            needed = values[: template.parameter_count]
            missing = [
                label
                for label, value in zip(template.variable_labels(), needed, strict=False)
                if not value
            ]
            if missing:
                raise forms.ValidationError(
                    _("This template needs %(n)d value(s); fill in: %(missing)s.")
                    % {"n": template.parameter_count, "missing": ", ".join(missing)}
                )
            data["parameters"] = needed
        if data.get("recurrence") and not data.get("send_time"):
            self.add_error("send_time", _("A daily broadcast needs a sending time."))
        district, stations = data.get("district"), data.get("stations") or []
        if district is not None and any(s.district_id != district.pk for s in stations):
            self.add_error("stations", _("Pick stations of the chosen district only."))
        data["sources"] = {}
        for key, districts in self._source_districts.items():
            if not districts and f"source_{key}" in self.errors:
                raise forms.ValidationError(_("That audience is not available to you."))
            ids = data.get(f"source_{key}") or []
            allowed = (None, getattr(district, "pk", None))
            if district is not None and any(districts.get(i) not in allowed for i in ids):
                self.add_error(f"source_{key}", _("Pick only audiences of the chosen district."))
            if ids:
                data["sources"][key] = ids
        return data


class SubmitForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at (leave empty to send now)"),
        required=False,
        widget=DateTimeInput(attrs={"class": "form-control"}),
    )

    def clean_send_at(self) -> Any:
        value = self.cleaned_data.get("send_at")
        if value is not None and value < timezone.now() - dt.timedelta(minutes=1):
            raise forms.ValidationError(_("The sending time is in the past."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class CampaignDayForm(forms.ModelForm):
    """One day of the content calendar."""

    class Meta:
        model = CampaignDay
        fields = ["district", "date", "topic", "template", "note"]
        widgets = {"date": DateInput()}

    parameter_1 = forms.CharField(label=_("Value 1"), required=False, max_length=500)
    parameter_2 = forms.CharField(label=_("Value 2"), required=False, max_length=500)

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            status=MessageTemplate.Status.APPROVED
        )
        self.fields["template"].label_from_instance = MessageTemplate.display_label
        self.fields["topic"] = forms.ChoiceField(label=_("Topic"), choices=TOPICS)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        template = data.get("template")
        values = [data.get("parameter_1", "").strip(), data.get("parameter_2", "").strip()]
        if template is not None:
            if template.parameter_count > len(values) or any(
                not v for v in values[: template.parameter_count]
            ):
                raise forms.ValidationError(
                    _("This template needs %(n)d value(s).") % {"n": template.parameter_count}
                )
            self.instance.parameters = values[: template.parameter_count]
        return data
