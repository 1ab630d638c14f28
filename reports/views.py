"""Pages of the review report: the report, its exports, and export jobs' progress."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import access
from reports import exports, selectors, services
from reports.forms import ReviewForm
from reports.models import ReportExport


def _form(request: HttpRequest) -> ReviewForm:
    """The period/scope form; 404 for a user with no police jurisdiction at all."""
    if not access.stations_for(request.user).exists():
        raise Http404("No stations.")
    return ReviewForm(request.GET if request.GET else {"period": "this_month"}, user=request.user)


def _page(request: HttpRequest, form: ReviewForm, report: Any, status: int = 200) -> HttpResponse:
    query = urlencode(form.as_params()) if report is not None else ""
    context = {
        "form": form,
        "report": report,
        "charts": selectors.chart_data(report) if report is not None else None,
        "query": query,
        "formats": exports.FORMATS,
    }
    return render(request, "reports/review.html", context, status=status)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _page(request, form, None, status=400)
    report = selectors.review_report(
        user=request.user, district=form.chosen_district(), **form.report_arguments()
    )
    return _page(request, form, report)


@login_required
def review_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report as a file now, or, over the station limit, as a job for a worker."""
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    form = _form(request)
    if not form.is_valid():
        return _page(request, form, None, status=400)
    district, arguments = form.chosen_district(), form.report_arguments()
    stations = selectors.report_stations(
        user=request.user, station_ids=arguments["station_ids"], district=district
    )
    count = stations.count()
    if count > services.sync_export_limit():
        export = services.request_export(
            user=request.user,
            params=form.as_params(),
            fmt=fmt,
            period=arguments["period"],
            district=district,
            station_count=count,
            request=request,
        )
        return redirect("reports:export_status", pk=export.pk)
    report = selectors.review_report(user=request.user, district=district, **arguments)
    content = exports.render(report, fmt)
    services.record_export(user=request.user, report=report, fmt=fmt, request=request)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(report, fmt)}"'
    return response


def _own_export(request: HttpRequest, pk: int) -> ReportExport:
    """The user's own export; 404 for anybody else's, exactly as for a missing one."""
    return get_object_or_404(ReportExport, pk=pk, requested_by=request.user)


@login_required
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx polls the fragment until the file is ready."""
    export = _own_export(request, pk)
    template = "reports/_export_status.html" if request.htmx else "reports/export_status.html"
    return render(request, template, {"export": export})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _own_export(request, pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404("Not ready.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type=exports.CONTENT_TYPES[export.file_format],
    )
