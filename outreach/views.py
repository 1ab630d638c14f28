"""Outreach pages: awareness drives, NGO registry, NGO activity log, campaigns and progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from outreach import selectors, services
from outreach.forms import (
    ActivityFilterForm,
    ActivityForm,
    DriveForm,
    NgoForm,
    PeriodFilterForm,
    PhotoForm,
    VerifyForm,
)
from outreach.models import NgoActivity
from stations import selectors as station_selectors
from stations.forms import add_service_errors
from stations.idempotency import submission_token
from stations.models import Hotspot
from stations.views import private_file_response

# --- Awareness drives -------------------------------------------------------------------------


@login_required
def drive_list(request: HttpRequest) -> HttpResponse:
    stations = station_selectors.station_list(user=request.user)
    filters = PeriodFilterForm(request.GET or None, stations=stations)
    data = filters.cleaned_data if filters.is_valid() else {}
    period = {"date_from": data.get("date_from"), "date_to": data.get("date_to")}
    station = data.get("station")
    totals = list(
        selectors.drive_totals(
            user=request.user,
            stations=stations.filter(pk=station.pk) if station else None,
            **period,
        )
    )
    drives = selectors.drive_list(user=request.user, station=station, **period)
    context = {
        "filters": filters,
        "totals": totals,
        "sum": {k: sum(getattr(r, k) for r in totals) for k in selectors.DRIVE_TOTAL_FIELDS},
        "page": Paginator(drives, 25).get_page(request.GET.get("page")),
        "may_record": station_selectors.fieldwork_stations_for(request.user).exists(),
    }
    return render(request, "outreach/drive_list.html", context)


def _drive_form(request: HttpRequest) -> DriveForm:
    stations = station_selectors.fieldwork_stations_for(request.user).select_related("district")
    only = list(stations[:2])
    return DriveForm(
        request.POST or None,
        request.FILES or None,
        stations=stations.order_by("name"),
        hotspots=Hotspot.objects.filter(station__in=stations, is_active=True)
        .select_related("station")
        .order_by("station__name", "name"),
        campaigns=selectors.campaigns_for(request.user),
        ngos=selectors.ngos_visible_to(request.user).filter(is_active=True).order_by("name"),
        initial={"station": only[0]} if len(only) == 1 else None,
    )


@login_required
def drive_create(request: HttpRequest) -> HttpResponse:
    form = _drive_form(request)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = dict(form.cleaned_data)
        token = submission_token(user=request.user, key=values.pop("token"))
        try:
            drive = services.record_awareness_drive(by=request.user, client_token=token, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Awareness drive recorded."))
            return redirect("outreach:drive_detail", pk=drive.pk)
    return render(request, "outreach/drive_form.html", {"form": form})


@login_required
def drive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drive = selectors.get_drive_for_user(request.user, pk)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_drive_photos(
                drive=drive, photos=form.cleaned_data["photos"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Photos added."))
            return redirect("outreach:drive_detail", pk=drive.pk)
    context = {
        "drive": drive,
        "photo_form": form,
        "may_record": station_selectors.may_record_at(request.user, drive.station),
    }
    return render(request, "outreach/drive_detail.html", context)


@login_required
def drive_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    photo = selectors.get_drive_photo_for_user(request.user, pk, photo_pk)
    return private_file_response(photo.image, download_name=f"drive-photo-{photo.pk}")


# --- NGOs -------------------------------------------------------------------------------------


@login_required
def ngo_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    ngos = selectors.ngo_list(user=request.user, search=search)
    context = {
        "page": Paginator(ngos, 25).get_page(request.GET.get("page")),
        "search": search,
        "may_register": _may_register_ngos(request),
    }
    return render(request, "outreach/ngo_list.html", context)


def _may_register_ngos(request: HttpRequest) -> bool:
    return access.is_system_admin(request.user) or access.has_role(
        request.user, access.Role.STATE_HQ
    )


@login_required
def ngo_create(request: HttpRequest) -> HttpResponse:
    if not _may_register_ngos(request):
        raise PermissionDenied
    districts = access.districts_for(request.user).order_by("state__name", "name")
    form = NgoForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ngo = services.register_ngo(
                by=request.user, **{**data, "districts": list(data["districts"])}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("NGO registered."))
            return redirect("outreach:ngo_detail", pk=ngo.pk)
    return render(request, "outreach/ngo_form.html", {"form": form})


@login_required
def ngo_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ngo = selectors.get_ngo_for_user(request.user, pk)
    context = {
        "ngo": ngo,
        "members": selectors.ngo_members(ngo=ngo),
        "activities": selectors.ngo_activity_list(user=request.user, ngo=ngo)[:20],
        "is_member": selectors.is_ngo_member(request.user, ngo),
    }
    return render(request, "outreach/ngo_detail.html", context)


# --- NGO activities ---------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    districts = selectors.police_district_ids(request.user) | selectors.ngo_districts(request.user)
    filters = ActivityFilterForm(
        request.GET or None, districts=districts.distinct().order_by("name")
    )
    data = filters.cleaned_data if filters.is_valid() else {}
    activities = selectors.ngo_activity_list(
        user=request.user,
        kind=data.get("kind", ""),
        district=data.get("district"),
        verified=filters.verified(),
    )
    context = {
        "filters": filters,
        "page": Paginator(activities, 25).get_page(request.GET.get("page")),
        "may_log": selectors.ngos_for(request.user).exists(),
    }
    return render(request, "outreach/activity_list.html", context)


def _activity_form(request: HttpRequest, instance: NgoActivity | None = None) -> ActivityForm:
    ngos = selectors.ngos_for(request.user).order_by("name")
    districts = selectors.ngo_districts(request.user)
    initial = None
    if instance is not None:
        initial = {
            f: getattr(instance, f)
            for f in (
                "ngo",
                "kind",
                "held_on",
                "district",
                "station",
                "campaign",
                "place",
                "persons_reached",
                "persons_rescued",
                "description",
            )
        }
    return ActivityForm(
        request.POST or None,
        ngos=ngos,
        districts=districts,
        stations=selectors.ngo_stations(districts=districts),
        campaigns=selectors.campaigns_for(request.user),
        initial=initial,
    )


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    if not selectors.ngos_for(request.user).exists():
        raise PermissionDenied(_("Only an NGO coordinator bound to an NGO may log activities."))
    form = _activity_form(request)
    if request.method == "POST" and form.is_valid():
        token = submission_token(user=request.user, key=form.cleaned_data["token"])
        try:
            activity = services.record_ngo_activity(
                ngo=form.cleaned_data["ngo"],
                by=request.user,
                client_token=token,
                **form.service_values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Activity logged. The police of the district will verify it.")
            )
            return redirect("outreach:activity_detail", pk=activity.pk)
    return render(request, "outreach/activity_form.html", {"form": form})


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_ngo_activity_for_user(request.user, pk)
    context = {
        "activity": activity,
        "may_verify": not activity.is_verified and selectors.may_verify(request.user, activity),
        "may_edit": selectors.may_edit(request.user, activity),
        "verify_form": VerifyForm(),
    }
    return render(request, "outreach/activity_detail.html", context)


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_ngo_activity_for_user(request.user, pk)
    if not selectors.may_edit(request.user, activity):
        raise PermissionDenied(_("A verified entry cannot be changed."))
    form = _activity_form(request, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_ngo_activity(
                activity=activity, by=request.user, **form.service_values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Entry updated."))
            return redirect("outreach:activity_detail", pk=activity.pk)
    return render(request, "outreach/activity_form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_verify(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_ngo_activity_for_user(request.user, pk)
    form = VerifyForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.verify_ngo_activity(activity=activity, by=request.user, note=note)
    messages.success(request, _("Entry verified."))
    return redirect("outreach:activity_detail", pk=activity.pk)


# --- Campaigns --------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    progress = list(selectors.campaign_progress(user=request.user))
    for target in progress:
        target.percent = selectors.progress_percent(target)  # type: ignore[attr-defined]
    context = {"campaigns": selectors.campaigns_for(request.user), "progress": progress}
    return render(request, "outreach/campaign_list.html", context)
