"""Broadcast pages: list, compose, preview and approve, live delivery dashboard, sandbox phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from broadcasts import audience, figures, lifecycle, selectors, templates_sync
from broadcasts.forms import BroadcastForm, CampaignDayForm, ReasonForm, SubmitForm
from broadcasts.models import Broadcast
from stations.models import District


def _broadcast_districts(request: HttpRequest):  # type: ignore[no-untyped-def]
    return District.objects.filter(
        pk__in=lifecycle.districts_user_may_broadcast_to(request.user)
    ).order_by("name")


@login_required
def broadcast_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.broadcast_list(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    may_create = _broadcast_districts(request).exists()
    return render(
        request,
        "broadcasts/list.html",
        {
            "page": page,
            "may_create": may_create,
            "daily": figures.daily_figures(user=request.user) if may_create else [],
        },
    )


@login_required
def broadcast_create(request: HttpRequest) -> HttpResponse:
    districts = _broadcast_districts(request)
    if not districts.exists():
        raise Http404("No district to broadcast to.")
    form = BroadcastForm(
        request.POST or None,
        districts=districts,
        templates=selectors.approved_templates(),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            broadcast = lifecycle.create_broadcast(
                district=data["district"],
                title=data["title"],
                template=data["template"],
                parameters=data["parameters"],
                by=request.user,
                stations=data["stations"],
                tags=data["tags"],
                languages=data["languages"],
                topic=data["topic"],
                recurrence=data.get("recurrence") or "",
                send_time=data.get("send_time"),
                sources=data["sources"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("broadcasts:detail", pk=broadcast.pk)
    if len(districts) == 1:
        form.fields["district"].initial = districts[0]
    return render(request, "broadcasts/create.html", {"form": form})


def _context(request: HttpRequest, broadcast: Broadcast) -> dict[str, object]:
    may_act = broadcast.district_id in lifecycle.districts_user_may_broadcast_to(request.user)
    shown = audience.preview(broadcast) if broadcast.status in _PREVIEW_STATES else None
    funnel = audience.funnel(broadcast)
    total = sum(funnel.values())
    done = total - funnel["pending"] - funnel["sending"] - funnel["unknown"]
    return {
        "broadcast": broadcast,
        "preview": shown,
        "funnel": funnel,
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "failures": audience.failures_by_reason(broadcast) if funnel["failed"] else [],
        "may_act": may_act,
        "may_approve": may_act and broadcast.created_by_id != request.user.pk,
        "submit_form": SubmitForm(),
        "reason_form": ReasonForm(),
        "poll_seconds": _poll_seconds(broadcast),
        "audience_total": total + broadcast.suppressed_count if total else 0,
        "suppressed": broadcast.suppressed_count + funnel["skipped"],
        "sample_text": broadcast.template.render([str(p) for p in broadcast.parameters]),
        "stop_advice": lifecycle.stop_advice(broadcast),
    }


_PREVIEW_STATES = {Broadcast.Status.DRAFT, Broadcast.Status.AWAITING_APPROVAL}

# The page follows a broadcast on its own from approval to its end: fast while it is about to
# start or sending, slowly while it waits for an approver, its time or a resume.
_FOLLOWED_STATES = {
    Broadcast.Status.AWAITING_APPROVAL,
    Broadcast.Status.SCHEDULED,
    Broadcast.Status.PREPARING,
    Broadcast.Status.SENDING,
    Broadcast.Status.PAUSED,
}
_POLL_FAST_SECONDS = 2
_POLL_SLOW_SECONDS = 15
_STARTS_SOON = dt.timedelta(minutes=2)


def _poll_seconds(broadcast: Broadcast) -> int | None:
    """How often the progress card asks again; None once the broadcast can change no more."""
    if broadcast.status not in _FOLLOWED_STATES:
        return None
    if broadcast.status in {Broadcast.Status.PREPARING, Broadcast.Status.SENDING}:
        return _POLL_FAST_SECONDS
    if broadcast.status == Broadcast.Status.SCHEDULED and (
        broadcast.scheduled_for is None or broadcast.scheduled_for <= timezone.now() + _STARTS_SOON
    ):
        return _POLL_FAST_SECONDS
    return _POLL_SLOW_SECONDS


@login_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = selectors.get_broadcast_for_user(request.user, pk)
    return render(request, "broadcasts/detail.html", _context(request, broadcast))


@login_required
def broadcast_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX fragment polled from approval to the end: funnel and progress bar.

    The card carries the status it was drawn for; once the broadcast has moved on (scheduled ->
    sending -> completed) the whole page is reloaded, so its status, reason and buttons follow.
    """
    broadcast = selectors.get_broadcast_for_user(request.user, pk)
    shown = request.GET.get("shown")
    if shown and shown != broadcast.status:
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(request, "broadcasts/_progress.html", _context(request, broadcast))


def _submit(request: HttpRequest, broadcast: Broadcast) -> Broadcast:
    form = SubmitForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors.get("send_at", [_("Invalid time.")])[0])
    return lifecycle.submit_broadcast(
        broadcast=broadcast, by=request.user, send_at=form.cleaned_data["send_at"]
    )


def _reason(request: HttpRequest) -> str:
    return str(request.POST.get("reason", ""))[:300]


ACTIONS: dict[str, tuple[Callable[[HttpRequest, Broadcast], Broadcast], object]] = {
    "submit": (_submit, gettext_lazy("Submitted.")),
    "approve": (
        lambda r, b: lifecycle.approve_broadcast(broadcast=b, by=r.user),
        gettext_lazy("Approved."),
    ),
    "return": (
        lambda r, b: lifecycle.return_to_draft(broadcast=b, by=r.user, reason=_reason(r)),
        gettext_lazy("Sent back to its maker."),
    ),
    "pause": (
        lambda r, b: lifecycle.pause_broadcast(broadcast=b, by=r.user),
        gettext_lazy("Paused."),
    ),
    "resume": (
        lambda r, b: lifecycle.resume_broadcast(broadcast=b, by=r.user),
        gettext_lazy("Resumed."),
    ),
    "cancel": (
        lambda r, b: lifecycle.cancel_broadcast(broadcast=b, by=r.user, reason=_reason(r)),
        gettext_lazy("Cancelled."),
    ),
}


@login_required
@require_POST
def broadcast_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    broadcast = selectors.get_broadcast_for_user(request.user, pk)
    if action not in ACTIONS:
        raise Http404("No such action.")
    handler, done_message = ACTIONS[action]
    try:
        handler(request, broadcast)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(done_message))
    return redirect("broadcasts:detail", pk=broadcast.pk)


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    if not _broadcast_districts(request).exists():
        raise Http404("Templates are for the cyber cell.")
    return render(
        request,
        "broadcasts/templates.html",
        {
            "templates": selectors.all_templates(),
            "provider": settings.WHATSAPP_PROVIDER,
            "numbers": selectors.whatsapp_numbers(),
        },
    )


@login_required
@require_POST
def template_sync(request: HttpRequest) -> HttpResponse:
    if not _broadcast_districts(request).exists():
        raise Http404("Templates are for the cyber cell.")
    try:
        result = templates_sync.sync_templates(by=request.user)
    except templates_sync.SyncFailed as error:
        messages.error(request, _("WhatsApp did not answer: %(error)s") % {"error": error})
    else:
        messages.success(
            request,
            _("Templates synced: %(created)d new, %(updated)d updated.")
            % {"created": result.created, "updated": result.updated},
        )
    return redirect("broadcasts:templates")


@login_required
def sandbox_phone(request: HttpRequest) -> HttpResponse:
    """What the sandbox provider 'sent' (embedded mode only; broadcasters and admins).

    Only messages to citizens of the user's districts (selectors.sandbox_messages), a page of
    selectors.SANDBOX_PAGE_SIZE at a time; the phone filter stays on every page's links."""
    from urllib.parse import urlencode

    if settings.WHATSAPP_PROVIDER != "sandbox" or not (
        _broadcast_districts(request).exists() or request.user.is_staff
    ):
        raise Http404("The sandbox phone exists only in the embedded setup.")
    to = request.GET.get("to", "").strip()[:140]
    messages_ = selectors.sandbox_messages(user=request.user, to=to)
    page = Paginator(messages_, selectors.SANDBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = urlencode({"to": to}) if to else ""
    return render(
        request,
        "broadcasts/sandbox_phone.html",
        {"page": page, "to": to, "querystring": querystring},
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The content calendar: what each day's broadcast says, per district."""
    districts = _broadcast_districts(request)
    if not districts.exists():
        raise Http404("The calendar is for the cyber cell.")
    form = CampaignDayForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        day = form.save(commit=False)
        day.created_by = request.user
        try:
            day.validate_constraints()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            day.save()
            messages.success(request, _("Added to the calendar."))
            return redirect("broadcasts:calendar")
    days = selectors.calendar_days(user=request.user)
    return render(request, "broadcasts/calendar.html", {"form": form, "days": days})
