"""Jurisdiction pages: the stations and districts a user may see."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations import selectors, services
from stations.forms import (
    CctvForm,
    CloseActionItemForm,
    HotspotFilterForm,
    HotspotForm,
    PatrolForm,
    ReassignActionItemForm,
    ResourceAuditForm,
    add_service_errors,
)
from stations.idempotency import submission_token
from stations.models import ActionItem
from stations.uploads import content_type_for


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    page = Paginator(selectors.station_list(user=request.user, search=search), 25).get_page(
        request.GET.get("page")
    )
    template = "stations/_station_rows.html" if request.htmx else "stations/station_list.html"
    return render(request, template, {"page": page, "search": search})


@login_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_detail(user=request.user, pk=pk)
    return render(request, "stations/station_detail.html", {"station": station})


@login_required
def district_detail(request: HttpRequest, pk: int) -> HttpResponse:
    district = selectors.district_detail(user=request.user, pk=pk)
    stations = selectors.stations_of_district(user=request.user, district=district)
    return render(
        request, "stations/district_detail.html", {"district": district, "stations": stations}
    )


# --- Field work: hotspots, patrols, CCTV, resource audits, action items ---------------------


def _token(request: HttpRequest, form: forms.Form) -> uuid.UUID | None:
    return submission_token(user=request.user, key=form.cleaned_data.get("token"))


@login_required
def hotspot_list(request: HttpRequest) -> HttpResponse:
    stations = selectors.station_list(user=request.user)
    filters = HotspotFilterForm(request.GET or None, stations=stations)
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("overdue"):
        hotspots = selectors.hotspots_not_patrolled(
            user=request.user,
            stations=stations.filter(pk=data["station"].pk) if data.get("station") else None,
        ).select_related("cctv")
        hotspots = hotspots.filter(kind=data["kind"]) if data.get("kind") else hotspots
    else:
        hotspots = selectors.hotspot_list(
            user=request.user, station=data.get("station"), kind=data.get("kind", "")
        )
    page = Paginator(hotspots, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "due_days": settings.HOTSPOT_PATROL_DUE_DAYS,
        "recordable": selectors.fieldwork_stations_for(request.user).order_by("name"),
    }
    return render(request, "stations/hotspot_list.html", context)


@login_required
def hotspot_create(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_detail(user=request.user, pk=pk)
    form = HotspotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hotspot = services.create_hotspot(station=station, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Hotspot added."))
            return redirect("stations:hotspot_detail", pk=hotspot.pk)
    return render(request, "stations/hotspot_form.html", {"station": station, "form": form})


@login_required
def hotspot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hotspot = selectors.get_hotspot_for_user(request.user, pk)
    coverage = getattr(hotspot, "cctv", None)
    context = {
        "hotspot": hotspot,
        "patrols": selectors.patrols_of(hotspot=hotspot)[:30],
        "coverage": coverage,
        "may_record": selectors.may_record_at(request.user, hotspot.station),
        "patrol_form": PatrolForm(),
        "cctv_form": CctvForm(
            initial={"status": coverage.status, "cameras": coverage.cameras} if coverage else None
        ),
    }
    return render(request, "stations/hotspot_detail.html", context)


@login_required
def patrol_create(request: HttpRequest, pk: int) -> HttpResponse:
    hotspot = selectors.get_hotspot_for_user(request.user, pk)
    form = PatrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        try:
            services.record_patrol(
                hotspot=hotspot, by=request.user, client_token=_token(request, form), **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Patrol logged."))
            return redirect("stations:hotspot_detail", pk=hotspot.pk)
    return render(request, "stations/patrol_form.html", {"hotspot": hotspot, "form": form})


@login_required
def cctv_update(request: HttpRequest, pk: int) -> HttpResponse:
    hotspot = selectors.get_hotspot_for_user(request.user, pk)
    form = CctvForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_cctv_coverage(hotspot=hotspot, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("CCTV coverage saved."))
            return redirect("stations:hotspot_detail", pk=hotspot.pk)
    return render(request, "stations/cctv_form.html", {"hotspot": hotspot, "form": form})


@login_required
@require_POST
def hotspot_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    hotspot = selectors.get_hotspot_for_user(request.user, pk)
    services.set_hotspot_active(
        hotspot=hotspot, active=request.POST.get("active") == "1", by=request.user
    )
    return redirect("stations:hotspot_detail", pk=hotspot.pk)


@login_required
def resource_overview(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": selectors.station_resource_status(user=request.user),
        "cctv": selectors.cctv_summary(user=request.user).filter(institutions__gt=0),
        "recordable": selectors.fieldwork_stations_for(request.user).order_by("name"),
        "open_count": selectors.open_deficits_count(user=request.user),
    }
    return render(request, "stations/resource_overview.html", context)


@login_required
def audit_create(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_detail(user=request.user, pk=pk)
    owners = selectors.station_staff(station=station)
    initial = {"owner": owners.filter(pk=request.user.pk).first()}
    form = ResourceAuditForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.record_resource_audit(
                station=station,
                audited_on=data["audited_on"],
                checks=form.checks(),
                owner=data["owner"],
                due_on=data["due_on"],
                notes=data["notes"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Audit saved; every deficit is now an action item."))
            return redirect("stations:audit_detail", pk=audit.pk)
    return render(request, "stations/audit_form.html", {"station": station, "form": form})


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.get_audit_for_user(request.user, pk)
    context = {"audit": audit, "checks": selectors.checks_of(audit=audit)}
    return render(request, "stations/audit_detail.html", context)


@login_required
def action_item_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ActionItem.Status.OPEN)
    status = status if status in ActionItem.Status.values else ActionItem.Status.OPEN
    mine = request.GET.get("mine") == "1"
    items = selectors.action_item_list(user=request.user, status=status, owner_only=mine)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "mine": mine, "today": timezone.localdate()}
    return render(request, "stations/action_item_list.html", context)


@login_required
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_action_item_for_user(request.user, pk)
    owners = selectors.station_staff(station=item.station)
    close_form = CloseActionItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and close_form.is_valid():
        try:
            services.close_action_item(
                item=item,
                note=close_form.cleaned_data["note"],
                evidence=close_form.cleaned_data["evidence"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(close_form, exc)
        else:
            messages.success(request, _("Action item closed."))
            return redirect("stations:action_item_detail", pk=item.pk)
    context = {
        "item": item,
        "close_form": close_form,
        "reassign_form": ReassignActionItemForm(
            owners=owners, initial={"owner": item.owner_id, "due_on": item.due_on}
        ),
        "may_manage": services.may_manage_action_item(user=request.user, item=item),
        "today": timezone.localdate(),
    }
    return render(request, "stations/action_item_detail.html", context)


@login_required
def action_item_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_action_item_for_user(request.user, pk)
    form = ReassignActionItemForm(
        request.POST or None, owners=selectors.station_staff(station=item.station)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reassign_action_item(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Action item reassigned."))
            return redirect("stations:action_item_detail", pk=item.pk)
    return render(request, "stations/action_item_reassign.html", {"item": item, "form": form})


@login_required
def action_item_evidence(request: HttpRequest, pk: int) -> FileResponse:
    item = selectors.get_action_item_for_user(request.user, pk)
    if not item.closure_file:
        raise Http404("No evidence file.")
    return private_file_response(item.closure_file, download_name=f"evidence-{item.pk}")


# An uploaded file is never a page of the portal: whatever got past stations.uploads, a browser
# that opens it gets no script, no plugin, no form, no same-origin access and nothing to load.
UPLOAD_CSP = "default-src 'none'; sandbox"


def private_file_response(field_file: FieldFile, *, download_name: str) -> FileResponse:
    """Serve a privately stored upload as a sandboxed download named `download_name` plus its
    extension, with the content type we chose when storing it. An <img> still shows a photo."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing.") from exc
    name = field_file.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{download_name}.{extension}",
        content_type=content_type_for(name),
    )
    response["Content-Security-Policy"] = UPLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
