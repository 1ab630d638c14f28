"""Pages of the landing dashboards: the station IC dashboard, monthly returns, State HQ view.

Thin views: the reads live in reports.dashboard and reports.state, the one write (submitting a
return) in stations.services.submit_return. Every page starts from accounts.access, so a user
outside the station or state gets a 404, never someone else's figures.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from reports import dashboard, periods, state
from reports.templatetags.returns import RETURN_STATUS_LABELS
from stations import selectors as station_selectors
from stations.services import submit_return


def render_station_dashboard(request: HttpRequest) -> HttpResponse:
    """The IC dashboard (also what `home` shows station roles)."""
    board = dashboard.station_dashboard(user=request.user)
    context = {
        "board": board,
        "postings": access.active_postings(request.user),
        "status_labels": RETURN_STATUS_LABELS,
        # The names the first slice of this page used (portal.views.home), kept for its tests.
        "kind": "station",
        "my_stations": board.stations,
        "districts": [],
        "groups": board.groups,
        "unpatrolled": board.unpatrolled,
        "open_deficits": board.open_deficits,
    }
    return render(request, "reports/dashboard_station.html", context)


@login_required
def station_home(request: HttpRequest) -> HttpResponse:
    """/dashboard/: the station dashboard by its own address (404 without a station posting)."""
    if not dashboard.is_station_user(request.user):
        raise Http404("No station posting.")
    return render_station_dashboard(request)


class ReturnForm(forms.Form):
    """Submitting a month's return: the month is fixed by the page, remarks are optional."""

    month = forms.DateField(widget=forms.HiddenInput)
    remarks = forms.CharField(
        label=gettext_lazy("Remarks (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


def _month_from(value: str | None, default: date) -> date:
    """A `YYYY-MM` (or ISO date) query value as the first day of its month; default if absent."""
    if not value:
        return default
    try:
        return date.fromisoformat(value if len(value) > 7 else f"{value}-01").replace(day=1)
    except ValueError as exc:
        raise Http404("No such month.") from exc


@login_required
def station_returns(request: HttpRequest, pk: int) -> HttpResponse:
    """A station's monthly returns: the chosen (default: last) month's figures and the history.

    Everyone who may see the station sees the page; only its IC or Mission Shakti in-charge
    gets the submit form (the service checks again).
    """
    station = access.get_station_for_user(request.user, pk)
    today = timezone.localdate()
    last_month = station_selectors.previous_month(station_selectors.month_start(today))
    month = _month_from(request.GET.get("month"), last_month)
    if month > last_month:
        raise Http404("That month has not ended.")
    may_submit = station_selectors.return_stations_for(request.user).filter(pk=station.pk).exists()
    submitted = station_selectors.return_for_month(station=station, month=month)
    form = ReturnForm(request.POST if request.method == "POST" else None, initial={"month": month})
    if request.method == "POST":
        if not may_submit:
            raise PermissionDenied
        if form.is_valid():
            try:
                submit_return(
                    user=request.user,
                    station=station,
                    month=form.cleaned_data["month"],
                    remarks=form.cleaned_data["remarks"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("The return for %(month)s is submitted.")
                    % {"month": date_format(form.cleaned_data["month"], "F Y")},
                )
                return redirect("dashboard:station_returns", pk=station.pk)
    context = {
        "station": station,
        "month": month,
        "due_on": station_selectors.return_due_on(month),
        "submitted": submitted,
        "may_submit": may_submit,
        "form": form,
        "figures": dashboard.month_figures(user=request.user, station=station, month=month),
        "history": dashboard.return_history(station=station, today=today),
        "status_labels": RETURN_STATUS_LABELS,
    }
    return render(request, "reports/returns_station.html", context)


def _period_from(request: HttpRequest) -> tuple[periods.Period, str]:
    """The period the GET parameters ask for (last month by default) and any error to show."""
    kind = request.GET.get("period", periods.LAST_MONTH)
    if kind == periods.THIS_MONTH:
        return periods.this_month(), ""
    if kind == periods.CUSTOM:

        def parse(name: str) -> date | None:
            try:
                return date.fromisoformat(request.GET.get(name, ""))
            except ValueError:
                return None

        try:
            return periods.custom(parse("from"), parse("to")), ""
        except periods.PeriodError as exc:
            return periods.last_month(), str(exc)
    return periods.last_month(), ""


@login_required
def state_view(request: HttpRequest) -> HttpResponse:
    """/reports/state/: the State HQ's districts and campaign progress (404 for anyone else)."""
    chosen = state.pick_state(request.user, request.GET.get("state"))
    period, period_error = _period_from(request)
    overview = state.state_overview(user=request.user, state=chosen, period=period)
    context = {
        "overview": overview,
        "states": list(state.states_overseen(request.user)),
        "period_error": period_error,
        "period_choices": periods.PERIOD_CHOICES,
        "columns": state.STATE_COLUMNS,
    }
    return render(request, "reports/state_overview.html", context)
