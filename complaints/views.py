"""Complaint intake pages: queue, registration, detail (identity behind a reason), status
changes, and the citizens' public status look-up."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.services import client_ip
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
)
from complaints.forms import (
    AssignForm,
    ComplaintForm,
    CounsellingForm,
    PublicComplaintForm,
    RevealIdentityForm,
    StatusForm,
    StatusLookupForm,
)
from complaints.models import COMPLAINT_TRANSITIONS, Complaint, VictimIdentity
from people.models import REPLY_WINDOW
from stations.models import Station


@login_required
def complaint_queue(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:40]
    rows = intake_selectors.complaint_queue(
        request.user, query=query, include_closed=request.GET.get("all") == "1"
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    can_register = access.stations_for_registering(request.user).exists()
    context = {
        "page": page,
        "query": query,
        "today": timezone.localdate(),
        "can_register": can_register,
    }
    return render(request, "complaints/queue.html", context)


@login_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    stations = access.stations_for_registering(request.user)
    if not stations.exists():
        raise Http404("No station to register at.")
    form = ComplaintForm(request.POST or None, stations=stations)
    token = request.POST.get("token") or uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        key = f"complaints:submit:{request.user.pk}:{token[:64]}"
        if not cache.add(key, 0, 24 * 3600):  # a double submit: show the first one
            existing = cache.get(key)
            return (
                redirect("complaints:complaint_detail", existing)
                if existing
                else redirect("complaints:complaint_queue")
            )
        data = form.cleaned_data
        try:
            complaint = services.register_complaint(
                station=data["station"],
                by=request.user,  # type: ignore[arg-type]
                channel=data["channel"],
                category=data["category"],
                description=data["description"],
                priority=data["priority"],
                is_sos=data["is_sos"],
                occurred_on=data["occurred_on"],
                identity=services.IdentityData(
                    name=data["victim_name"],
                    phone=data["victim_phone"],
                    address=data["victim_address"],
                    family=data["victim_family"],
                    school_or_workplace=data["victim_school_or_workplace"],
                ),
                request=request,
            )
        except ValidationError as exc:
            cache.delete(key)
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            cache.set(key, complaint.pk, 24 * 3600)
            messages.success(
                request,
                _("Complaint %(number)s registered.") % {"number": complaint.tracking_number},
            )
            return redirect("complaints:complaint_detail", complaint.pk)
    return render(request, "complaints/form.html", {"form": form, "token": token})


def _casework_context(
    request: HttpRequest, complaint: Complaint, can_work: bool, forms: dict[str, Any]
) -> dict[str, Any]:
    """The case file and the quick-action forms of the casework section."""
    case = casework_selectors.case_file(complaint)
    officers = intake_selectors.station_officers(complaint)
    district_stations = Station.objects.filter(
        district_id=complaint.station.district_id, is_active=True
    )
    # What the user may do now and why the rest is not available yet (casework.next_actions).
    actions = casework.next_actions(complaint, has_fir=case.fir is not None) if can_work else {}
    return {
        "case": case,
        "actions": actions,
        "next_step": services.next_step(complaint.status) if can_work else "",
        "can_counsel": can_work and actions["counselling"].available,
        "can_fir": can_work and actions["fir"].available,
        "can_arrest": can_work and actions["arrest"].available,
        "can_refer": can_work and actions["referral"].available,
        "can_close": can_work and actions["closure"].available,
        "fir_form": forms.get("fir_form") or FirForm(stations=district_stations),
        "fir_correction_form": forms.get("fir_correction_form")
        or (FirCorrectionForm(stations=district_stations, fir=case.fir) if case.fir else None),
        "arrest_form": forms.get("arrest_form")
        or ArrestForm(officers=officers, initial={"arrested_by": request.user.pk}),
        "referral_form": forms.get("referral_form") or ReferralForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "follow_up_for": forms.get("follow_up_for"),
        "blank_follow_up_form": FollowUpForm(),
        "closure_form": forms.get("closure_form") or ClosureForm(),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "whatsapp": _whatsapp_context(complaint, can_work, forms.get("reply_form")),
    }


def _whatsapp_context(
    complaint: Complaint, can_work: bool, reply_form: ReplyForm | None
) -> dict[str, Any] | None:
    """The complainant on WhatsApp: whether they shared a number, and the reply form while
    WhatsApp's 24-hour window is open."""
    citizen = complaint.whatsapp_citizen
    if citizen is None:
        return None
    return {
        "no_phone": not citizen.phone,
        "window_open": citizen.reply_window_open,
        "window_closes": citizen.last_inbound_at + REPLY_WINDOW
        if citizen.last_inbound_at
        else None,
        "may_reply": can_work and complaint.is_open and citizen.opted_out_at is None,
        "form": reply_form or ReplyForm(),
    }


def _detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    identity: VictimIdentity | None = None,
    reveal_form: RevealIdentityForm | None = None,
    status_form: StatusForm | None = None,
    counselling_form: CounsellingForm | None = None,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    can_work = access.can_work_on(request.user, complaint)
    # Closing goes through the closure form (summary and feedback), not the status menu.
    allowed = sorted(COMPLAINT_TRANSITIONS.get(complaint.status, frozenset()) - {"closed"})
    context = {
        "complaint": complaint,
        "events": intake_selectors.timeline(complaint),
        "can_work": can_work,
        "can_see_identity": access.can_see_identity(request.user, complaint),
        "identity": identity,
        "reveal_form": reveal_form or RevealIdentityForm(),
        "status_form": status_form or StatusForm(allowed=allowed),
        "assign_form": AssignForm(
            officers=intake_selectors.station_officers(complaint),
            initial={"officer": complaint.assigned_to_id},
        )
        if can_work and complaint.is_open
        else None,
        "has_transitions": bool(allowed),
        "sessions": complaint.counselling_sessions.all(),
        "counselling_form": counselling_form or CounsellingForm(),
        "today": timezone.localdate(),
        "identity_photo": services.identity_photo_data_uri(identity) if identity else "",
        **_casework_context(request, complaint, can_work, forms),
    }
    if status == 400 and request.headers.get("HX-Request"):
        status = 200  # htmx swaps only successful answers; the form shows its errors
    response = render(request, "complaints/detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_complaint_for_user(request.user, pk))


@login_required
@require_POST
@never_cache
def complaint_identity(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, pk)
    if not access.can_see_identity(request.user, complaint):
        raise PermissionDenied
    form = RevealIdentityForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, reveal_form=form, status=400)
    identity = services.reveal_identity(
        complaint=complaint,
        by=request.user,  # type: ignore[arg-type]
        reason=form.cleaned_data["reason"],
        request=request,
    )
    return _detail(request, complaint, identity=identity)


@login_required
@require_POST
def complaint_status(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(
                complaint=complaint,
                status=form.cleaned_data["status"],
                by=request.user,  # type: ignore[arg-type]
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Status updated."))
            return redirect("complaints:complaint_detail", complaint.pk)
    return _detail(request, complaint, status_form=form, status=400)


@login_required
@require_POST
def complaint_assign(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, pk)
    form = AssignForm(request.POST, officers=intake_selectors.station_officers(complaint))
    if form.is_valid():
        try:
            services.assign_complaint(
                complaint=complaint,
                officer=form.cleaned_data["officer"],
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Officer assigned."))
    else:
        messages.error(request, _("Choose an officer posted at this station."))
    return redirect("complaints:complaint_detail", complaint.pk)


def _lookup_allowed(request: HttpRequest, kind: str = "lookup") -> bool:
    key = f"complaints:{kind}:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        count = 1
    return count <= settings.COMPLAINTS_STATUS_LOOKUPS_PER_HOUR


@never_cache
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Public: tracking number + phone -> the status only. Wrong number or wrong phone get the
    same answer, and each IP gets a few tries an hour."""
    form = StatusLookupForm(request.POST or None)
    result = None
    not_found = limited = False
    if request.method == "POST" and form.is_valid():
        if not _lookup_allowed(request):
            limited = True
        else:
            complaint = services.public_status(
                tracking_number=form.cleaned_data["tracking_number"],
                phone=form.cleaned_data["phone"],
            )
            result = complaint
            not_found = complaint is None
    context = {"form": form, "result": result, "not_found": not_found, "limited": limited}
    return render(request, "complaints/status_lookup.html", context, status=429 if limited else 200)


@login_required
@require_POST
def complaint_counselling(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, pk)
    if not access.can_work_on(request.user, complaint):
        raise PermissionDenied
    form = CounsellingForm(request.POST)
    if form.is_valid():
        try:
            services.log_counselling(
                complaint=complaint,
                by=request.user,  # type: ignore[arg-type]
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Counselling session recorded."))
            return redirect("complaints:complaint_detail", complaint.pk)
    return _detail(request, complaint, counselling_form=form, status=400)


@never_cache
def public_complaint(request: HttpRequest) -> HttpResponse:
    """Public web form (rate-limited per address; double submits make one complaint)."""
    form = PublicComplaintForm(request.POST or None)
    token = request.POST.get("token") or uuid.uuid4().hex
    if request.method == "POST" and not _lookup_allowed(request, "web"):
        context = {"form": form, "token": token, "limited": True}
        return render(request, "complaints/public_form.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        key = f"complaints:web:{token[:64]}"
        if not cache.add(key, "", 24 * 3600):
            number = cache.get(key)
            return render(request, "complaints/public_done.html", {"tracking_number": number})
        data = form.cleaned_data
        complaint = services.register_complaint(
            station=data["station"],
            by=None,
            channel="web",
            category=data["category"],
            description=data["description"],
            occurred_on=data["occurred_on"],
            identity=services.IdentityData(name=data["victim_name"], phone=data["victim_phone"]),
            request=request,
        )
        cache.set(key, complaint.tracking_number, 24 * 3600)
        context = {"tracking_number": complaint.tracking_number}
        return render(request, "complaints/public_done.html", context)
    return render(request, "complaints/public_form.html", {"form": form, "token": token})
