"""Pages of the anti-Romeo squad register: totals and list, record an action, one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints import enforcement_selectors as selectors
from complaints import enforcement_services as services
from complaints.enforcement_forms import (
    MAX_PERSON_ROWS,
    PersonFormSet,
    RegisterFilterForm,
    RomeoActionForm,
)
from stations import selectors as station_selectors
from stations.forms import add_service_errors
from stations.idempotency import submission_token
from stations.models import Hotspot


@login_required
def romeo_register(request: HttpRequest) -> HttpResponse:
    stations = station_selectors.station_list(user=request.user)
    filters = RegisterFilterForm(request.GET or None, stations=stations)
    data = filters.cleaned_data if filters.is_valid() else {}
    period = {"date_from": data.get("date_from"), "date_to": data.get("date_to")}
    station = data.get("station")
    totals = list(
        selectors.enforcement_totals(
            user=request.user,
            stations=stations.filter(pk=station.pk) if station else None,
            **period,
        )
    )
    actions = selectors.romeo_action_list(
        user=request.user, station=station, action_type=data.get("action_type", ""), **period
    )
    context = {
        "filters": filters,
        "totals": totals,
        "summary": selectors.summarize_enforcement(totals),
        "page": Paginator(actions, 25).get_page(request.GET.get("page")),
        "may_record": station_selectors.fieldwork_stations_for(request.user).exists(),
    }
    return render(request, "complaints/romeo_register.html", context)


def _action_form(request: HttpRequest) -> RomeoActionForm:
    stations = station_selectors.fieldwork_stations_for(request.user).order_by("name")
    only = list(stations[:2])
    return RomeoActionForm(
        request.POST or None,
        stations=stations,
        hotspots=Hotspot.objects.filter(station__in=stations, is_active=True)
        .select_related("station")
        .order_by("station__name", "name"),
        cases=selectors.romeo_cases_for(user=request.user).filter(station__in=stations)[:300],
        initial={"station": only[0]} if len(only) == 1 else None,
    )


@login_required
def romeo_action_create(request: HttpRequest) -> HttpResponse:
    form = _action_form(request)
    persons = PersonFormSet(request.POST or None, prefix="persons")
    valid = [form.is_valid(), persons.is_valid()]  # both, so every error shows at once
    if request.method == "POST" and all(valid):
        data = form.cleaned_data
        try:
            action = services.record_romeo_action(
                station=data["station"],
                acted_on=data["acted_on"],
                squad=data["squad"],
                action_type=data["action_type"],
                hotspot=data["hotspot"],
                place=data["place"],
                notes=data["notes"],
                case=form.case_input(),
                existing_case=form.existing_case(),
                persons=persons.persons(),
                by=request.user,
                client_token=submission_token(user=request.user, key=data["token"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Action recorded in the register."))
            return redirect("complaints:romeo_action_detail", pk=action.pk)
    return render(request, "complaints/romeo_action_form.html", {"form": form, "persons": persons})


@login_required
def romeo_person_row(request: HttpRequest) -> HttpResponse:
    """HTMX: one more empty person row, and the formset's new TOTAL_FORMS (out of band)."""
    try:
        index = int(request.GET.get("persons-TOTAL_FORMS", "1"))
    except ValueError:
        index = 1
    index = max(0, min(index, MAX_PERSON_ROWS - 1))
    form = PersonFormSet(prefix="persons").empty_form
    form.prefix = f"persons-{index}"
    context = {"person": form, "index": index, "total": index + 1}
    return render(request, "complaints/_person_row.html", context)


@login_required
def romeo_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_romeo_action_for_user(request.user, pk)
    return render(request, "complaints/romeo_action_detail.html", {"action": action})
