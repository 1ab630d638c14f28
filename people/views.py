"""Citizen and subscriber-import pages for the cyber cell, district heads and station officers."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.access import AnyUser
from people import selectors, services
from people.forms import CitizenFilterForm, EraseForm, ImportUploadForm
from people.models import Citizen, ImportJob, ImportRejectedRow, OptOutSource, RejectReason
from people.spreadsheets import FIELDS
from stations.spreadsheet_safety import safe_csv_writer


def _require_police(user: AnyUser) -> None:
    """Citizen pages exist only for police postings (and admins): everyone else gets 404."""
    if access.police_scope(user).is_empty:
        raise Http404("No citizen pages for this user.")


def _require_district_level(user: AnyUser) -> None:
    """Import pages: district and state roles (and admins) only."""
    if not access.districts_for(user).exists():
        raise Http404("No import pages for this user.")


# --- citizens ----------------------------------------------------------------------------------


@login_required
@require_GET
def citizen_list(request: HttpRequest) -> HttpResponse:
    _require_police(request.user)
    form = CitizenFilterForm(request.GET, user=request.user)
    citizens = selectors.citizen_list(user=request.user, **form.filters())
    page = Paginator(citizens, 25).get_page(request.GET.get("page"))
    template = "people/_citizen_rows.html" if request.htmx else "people/citizen_list.html"
    may_import = selectors.districts_managed_by(request.user).exists()
    return render(request, template, {"page": page, "form": form, "may_import": may_import})


@login_required
@require_GET
def citizen_detail(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = selectors.citizen_detail(user=request.user, pk=pk)
    return render(request, "people/citizen_detail.html", _detail_context(request, citizen))


HISTORY_LABELS = {
    "people.citizen.registered": _lazy("Registered"),
    "people.citizen.updated": _lazy("Details updated"),
    "people.citizen.opted_out": _lazy("Opted out"),
    "people.citizen.resumed": _lazy("Messages resumed"),
    "people.citizen.phone_viewed": _lazy("Phone number viewed"),
    "people.citizen.erased": _lazy("Personal data erased"),
}


def _detail_context(request: HttpRequest, citizen: Citizen, **extra: object) -> dict[str, object]:
    sources = dict(OptOutSource.choices)
    history = [
        {
            "at": event.created_at,
            "label": HISTORY_LABELS.get(event.action, event.action),
            "actor": event.actor,
            "source": sources.get(event.data.get("source", ""), ""),
        }
        for event in selectors.citizen_history(citizen)[:50]
    ]
    return {
        "citizen": citizen,
        "history": history,
        "may_opt_out": selectors.may_opt_out_citizen(request.user, citizen),
        "may_erase": selectors.may_manage_citizen(request.user, citizen),
        **extra,
    }


@login_required
@require_POST
def citizen_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full number (audited); an htmx request gets just the number fragment."""
    citizen = selectors.citizen_detail(user=request.user, pk=pk)
    phone = services.reveal_phone(citizen=citizen, by=request.user, request=request)
    if request.htmx:
        return render(request, "people/_phone.html", {"citizen": citizen, "phone": phone})
    context = _detail_context(request, citizen, phone=phone)
    return render(request, "people/citizen_detail.html", context)


@login_required
@require_POST
def citizen_opt_out(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = selectors.citizen_detail(user=request.user, pk=pk)
    if services.opt_out_on_request(citizen=citizen, by=request.user, request=request):
        messages.success(request, _("The citizen is opted out: no more messages will be sent."))
    else:
        messages.info(request, _("The citizen had already opted out."))
    return redirect("people:citizen_detail", pk=citizen.pk)


@login_required
@require_http_methods(["GET", "POST"])
def citizen_erase(request: HttpRequest, pk: int) -> HttpResponse:
    citizen = selectors.citizen_detail(user=request.user, pk=pk)
    if not selectors.may_manage_citizen(request.user, citizen) or citizen.erased_at:
        raise Http404("Nothing to erase here.")
    form = EraseForm(request.POST or None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        services.erase_citizen(citizen=citizen, by=request.user, reason=reason, request=request)
        messages.success(request, _("The citizen's personal data was erased."))
        return redirect("people:citizen_detail", pk=citizen.pk)
    return render(request, "people/citizen_erase.html", {"citizen": citizen, "form": form})


# --- imports -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a list (district managers) and see the district's imports."""
    _require_district_level(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job, _created = services.create_import_job(
                district=form.cleaned_data["district"],
                upload=form.cleaned_data["file"],
                by=request.user,
                client_key=form.cleaned_data["token"],
                request=request,
                list_name=form.cleaned_data["list_name"],
                sheet_name=form.cleaned_data["sheet"],
            )
        except ValidationError as error:
            form.add_import_error(error)
        else:
            return redirect("people:import_detail", pk=job.pk)
    jobs = selectors.import_list(user=request.user)[:30]
    context = {"form": form, "jobs": jobs, "may_import": form.may_import}
    return render(request, "people/import_list.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.get_import_for_user(request.user, pk)
    reason = request.GET.get("reason", "")
    reason = reason if reason in RejectReason.values else ""
    page = Paginator(selectors.rejected_rows(job, reason=reason), 50).get_page(
        request.GET.get("page")
    )
    counts = selectors.rejected_counts(job) if job.is_final else []
    context = {"job": job, "page": page, "counts": counts, "reason": reason}
    return render(request, "people/import_detail.html", context)


@login_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls; once the job is over the page reloads itself."""
    job = selectors.get_import_for_user(request.user, pk)
    if request.GET.get("poll") and job.is_final:
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(request, "people/_import_status.html", {"job": job})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rejected_lines(job: ImportJob) -> Iterator[str]:
    """The CSV's lines; every cell escaped, the uploaded header's too (it is the file's text)."""
    writer = safe_csv_writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 (Devanagari, Bengali) correctly only with a BOM
    yield writer.writerow([*job.header, "row", "reason", "reason_text"])
    width = len(job.header)
    row: ImportRejectedRow
    for row in selectors.rejected_rows(job).iterator(chunk_size=2000):
        values = [*row.values, *([""] * (width - len(row.values)))][:width]
        yield writer.writerow([*values, row.row_number, row.reason, row.reason_text])


@login_required
@require_GET
def import_rejected_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The rejected rows as CSV: the file's own columns, then row, reason and its text."""
    job = selectors.get_import_for_user(request.user, pk)
    services.record_rejected_download(job=job, by=request.user, request=request)
    response = StreamingHttpResponse(_rejected_lines(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
    return response


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty list with the column names, to fill in."""
    _require_district_level(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subscribers-template.csv"'
    response.write("\ufeff" + ",".join(name for name, _required in FIELDS) + "\r\n")
    return response


# --- saved lists -------------------------------------------------------------------------------


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    """The district's saved lists (from imports), with member and reachable counts."""
    _require_district_level(request.user)
    lists = selectors.citizen_list_index(user=request.user)[:100]
    return render(request, "people/list_index.html", {"lists": lists})


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One saved list and its members; a list of another district is a 404."""
    citizen_list = selectors.get_citizen_list_for_user(request.user, pk)
    page = Paginator(selectors.citizen_list_members(citizen_list), 50).get_page(
        request.GET.get("page")
    )
    context = {"citizen_list": citizen_list, "page": page}
    return render(request, "people/list_detail.html", context)
