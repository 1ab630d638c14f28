"""Casework quick actions on the complaint page (FIR, arrest, referral and follow-up, closure,
victim's photo) and the district's queue of unassigned WhatsApp complaints.

Each action is a small POST form that works with htmx (the page's casework section is swapped)
and without it (a redirect back to the page). A complaint outside the user's area is a 404;
a user who may see but not work on it gets 403; bad input re-shows the form with its errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from complaints import access, casework, casework_selectors, intake_selectors, services
from complaints.casework_forms import (
    ArrestForm,
    ClosureForm,
    FirCorrectionForm,
    FirForm,
    FollowUpForm,
    PhotoForm,
    ReferralForm,
    ReplyForm,
    RouteForm,
)
from complaints.models import Complaint, Referral, UnroutedMessage
from complaints.views import _detail
from stations.models import Station


def _complaint_to_work_on(request: HttpRequest, pk: int) -> Complaint:
    complaint = access.get_complaint_for_user(request.user, pk)
    if not access.can_work_on(request.user, complaint):
        raise PermissionDenied
    return complaint


def _apply(
    request: HttpRequest,
    complaint: Complaint,
    form: forms.Form,
    form_key: str,
    action: Callable[[dict[str, Any]], object],
    done: str,
    **extra: Any,
) -> HttpResponse:
    """Run the service with the form's data; errors go back onto the form (nothing saved)."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                form.add_error(None, exc.messages)
            else:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, done)
            return redirect("complaints:complaint_detail", complaint.pk)
    return _detail(request, complaint, status=400, **{form_key: form}, **extra)


def _fir_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The FIR's fields of a cleaned FirForm (or FirCorrectionForm), as the services take them."""
    names = ("fir_number", "cctns_number", "registered_on", "bns_sections", "station")
    return {name: data[name] for name in names}


@login_required
@require_POST
def complaint_fir(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    stations = Station.objects.filter(district_id=complaint.station.district_id, is_active=True)
    form = FirForm(request.POST, stations=stations)
    return _apply(
        request,
        complaint,
        form,
        "fir_form",
        lambda data: casework.register_fir(
            complaint=complaint,
            by=request.user,  # type: ignore[arg-type]
            request=request,
            **_fir_fields(data),
        ),
        _("FIR recorded."),
    )


@login_required
@require_POST
def complaint_reply(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    return _apply(
        request,
        complaint,
        ReplyForm(request.POST),
        "reply_form",
        lambda data: services.reply_on_whatsapp(
            complaint=complaint,
            by=request.user,  # type: ignore[arg-type]
            text=data["text"],
            request=request,
        ),
        _("Reply sent to WhatsApp."),
    )


@login_required
@require_POST
def complaint_fir_correct(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    stations = Station.objects.filter(district_id=complaint.station.district_id, is_active=True)
    form = FirCorrectionForm(request.POST, stations=stations)
    return _apply(
        request,
        complaint,
        form,
        "fir_correction_form",
        lambda data: casework.correct_fir(
            complaint=complaint,
            by=request.user,  # type: ignore[arg-type]
            reason=data["reason"],
            request=request,
            **_fir_fields(data),
        ),
        _("FIR corrected."),
    )


@login_required
@require_POST
def complaint_arrest(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    form = ArrestForm(request.POST, officers=intake_selectors.station_officers(complaint))
    return _apply(
        request,
        complaint,
        form,
        "arrest_form",
        lambda data: casework.record_arrest(
            complaint=complaint,
            by=request.user,
            request=request,
            **data,  # type: ignore[arg-type]
        ),
        _("Arrest recorded."),
    )


@login_required
@require_POST
def complaint_referral(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    form = ReferralForm(request.POST)
    return _apply(
        request,
        complaint,
        form,
        "referral_form",
        lambda data: casework.refer(
            complaint=complaint,
            by=request.user,
            request=request,
            **data,  # type: ignore[arg-type]
        ),
        _("Referral recorded."),
    )


@login_required
@require_POST
def referral_follow_up(request: HttpRequest, pk: int, referral_pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    referral = get_object_or_404(Referral, pk=referral_pk, complaint=complaint)
    form = FollowUpForm(request.POST)
    return _apply(
        request,
        complaint,
        form,
        "follow_up_form",
        lambda data: casework.follow_up_referral(
            referral=referral,
            by=request.user,  # type: ignore[arg-type]
            outcome=data["outcome"],
            followed_up_on=data["followed_up_on"],
            notes=data["notes"],
            next_follow_up_on=data.get("next_follow_up_on"),
            request=request,
        ),
        _("Follow-up recorded."),
        follow_up_for=referral.pk,
    )


@login_required
@require_POST
def complaint_close(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _complaint_to_work_on(request, pk)
    form = ClosureForm(request.POST)
    return _apply(
        request,
        complaint,
        form,
        "closure_form",
        lambda data: casework.close_complaint(
            complaint=complaint,
            by=request.user,
            request=request,
            **data,  # type: ignore[arg-type]
        ),
        _("Complaint closed."),
    )


@login_required
@require_POST
@never_cache
def complaint_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the victim's photo to the protected identity (identity roles only)."""
    complaint = access.get_complaint_for_user(request.user, pk)
    if not access.can_see_identity(request.user, complaint):
        raise PermissionDenied
    form = PhotoForm(request.POST, request.FILES)
    return _apply(
        request,
        complaint,
        form,
        "photo_form",
        lambda data: services.attach_identity_photo(
            complaint=complaint,
            by=request.user,  # type: ignore[arg-type]
            upload=data["photo"],
            request=request,
        ),
        _("Photo added to the protected identity."),
    )


# --- Referrals due for follow-up ----------------------------------------------------------


@login_required
@never_cache
def referrals_due(request: HttpRequest) -> HttpResponse:
    """Referrals of the user's complaints whose follow-up date has come (anyone else: none)."""
    today = timezone.localdate()
    page = Paginator(casework_selectors.referrals_due(user=request.user, until=today), 25)
    page = page.get_page(request.GET.get("page"))
    for referral in page:
        referral.overdue_days = (today - referral.follow_up_on).days  # type: ignore[attr-defined]
    return render(request, "complaints/referrals_due.html", {"page": page})


# --- District queue of unassigned WhatsApp complaints ----------------------------------------


@login_required
@never_cache
def unrouted_queue(request: HttpRequest) -> HttpResponse:
    """Messages whose station is unknown, for the district head and Mission Shakti in-charges
    of the district (anyone else: 404)."""
    if not access.routing_district_ids(request.user):
        raise Http404("No district queue.")
    rows = list(casework_selectors.unrouted_queue(user=request.user))
    forms_by_row = {
        row.pk: RouteForm(stations=casework_selectors.routing_stations(row), prefix=f"m{row.pk}")
        for row in rows
    }
    context = {"rows": [(row, forms_by_row[row.pk]) for row in rows]}
    response = render(request, "complaints/unrouted_queue.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def unrouted_route(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        UnroutedMessage, pk=pk, district_id__in=access.routing_district_ids(request.user)
    )
    form = RouteForm(
        request.POST, stations=casework_selectors.routing_stations(message), prefix=f"m{pk}"
    )
    if form.is_valid():
        try:
            complaint = services.route_unrouted(
                message=message,
                station=form.cleaned_data["station"],
                by=request.user,  # type: ignore[arg-type]
                category=form.cleaned_data["category"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Given to %(station)s as %(number)s.")
                % {"station": complaint.station.name, "number": complaint.tracking_number},
            )
            return redirect("complaints:unrouted_queue")
    else:
        messages.error(request, _("Choose a station of this district and a category."))
    return redirect("complaints:unrouted_queue")
