"""The review report's period and scope form (GET parameters, so a report is bookmarkable)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import AnyUser
from portal.widgets import DateInput
from reports import periods
from reports.periods import Period, PeriodError
from stations.models import District, Station


class ReviewForm(forms.Form):
    """Period (this month, last month, custom from/to) and scope (district, stations).

    The district and station choices are the user's own: anything else is refused as an
    invalid choice, with the same message whether it exists or not.
    """

    period = forms.ChoiceField(
        label=_("Period"),
        choices=periods.PERIOD_CHOICES,
        required=False,
        initial=periods.THIS_MONTH,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    district = forms.IntegerField(label=_("District"), required=False, min_value=1)
    stations: forms.ModelMultipleChoiceField[Station] = forms.ModelMultipleChoiceField(
        label=_("Stations"), queryset=Station.objects.none(), required=False
    )

    def __init__(self, data: Any = None, *, user: AnyUser, **kwargs: Any) -> None:
        if data is not None:
            # Accept ?from=&to= (the API's and bookmarks' names) as well as the field names.
            data = data.copy()
            for short, name in (("from", "date_from"), ("to", "date_to")):
                if short in data and name not in data:
                    data[name] = data[short]
            if "stations" in data and hasattr(data, "getlist"):
                ids = [p for v in data.getlist("stations") for p in str(v).split(",") if p.strip()]
                data.setlist("stations", ids)
        super().__init__(data, **kwargs)
        self.user = user
        self.districts = list(access.districts_for(user).order_by("name"))
        stations_field: Any = self.fields["stations"]
        stations_field.queryset = (
            access.stations_for(user).select_related("district").order_by("district__name", "name")
        )
        self.fields["district"].widget = forms.Select(
            choices=[("", _("All my stations"))] + [(d.pk, d.name) for d in self.districts],
            attrs={"class": "form-select"},
        )
        stations_field.label_from_instance = lambda s: s.display_name
        self.fields["stations"].widget.attrs.update({"size": 4, "class": "form-select"})
        for name in ("period", "date_from", "date_to"):
            self.fields[name].widget.attrs.setdefault(
                "class", "form-select" if name == "period" else "form-control"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["report_period"] = self._period(data)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error
        return data

    def _period(self, data: dict[str, Any]) -> Period:
        kind = data.get("period") or periods.THIS_MONTH
        if kind == periods.LAST_MONTH:
            return periods.last_month()
        if kind == periods.CUSTOM or data.get("date_from") or data.get("date_to"):
            return periods.custom(data.get("date_from"), data.get("date_to"))
        return periods.this_month()

    def chosen_district(self) -> District | None:
        """The chosen district if the user oversees it; Http404 otherwise (same for missing)."""
        pk = self.cleaned_data.get("district")
        return access.get_district_for_user(self.user, pk) if pk else None

    def report_arguments(self) -> dict[str, Any]:
        """review_report keyword arguments from a valid form (district still to be resolved)."""
        data = self.cleaned_data
        return {
            "period": data["report_period"],
            "station_ids": [station.pk for station in data.get("stations") or []] or None,
        }

    def as_params(self) -> dict[str, Any]:
        """The GET parameters that reproduce this report (for export links and the API)."""
        data = self.cleaned_data
        params: dict[str, Any] = dict(data["report_period"].as_params())
        if data.get("district"):
            params["district"] = data["district"]
        if data.get("stations"):
            params["stations"] = ",".join(str(s.pk) for s in data["stations"])
        return params
