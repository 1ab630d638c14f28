"""A member's page and the actions on a seat: conduct, removal, leaving, invite, re-vetting."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import rules, selectors, services
from groups.forms import ApproveForm, IncidentForm, RemoveForm
from groups.models import Membership
from groups.services import ExclusionRequest, GroupsError, NotAllowed
from people.phones import whatsapp_id


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    incident_form: IncidentForm | None = None,
    remove_form: RemoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    incidents = list(selectors.incidents_of(membership=membership))
    for incident in incidents:  # open WhatsApp with the warning typed in, on the admin's phone
        incident.wa_link = (  # type: ignore[attr-defined]
            f"https://wa.me/{whatsapp_id(membership.citizen.phone)}?text="
            + quote(incident.warning_text)
        )
    context = {
        "group": membership.group,
        "can": rules.abilities(request.user, membership.group),
        "m": membership,
        "incidents": incidents,
        "incident_form": incident_form or IncidentForm(),
        "remove_form": remove_form or RemoveForm(),
        "revet_form": ApproveForm(),
    }
    return render(request, "groups/membership_detail.html", context, status=status)


def _done(request: HttpRequest, membership: Membership, note: str) -> HttpResponse:
    messages.success(request, note)
    return redirect("groups:membership_detail", pk=membership.pk)


def _failed(request: HttpRequest, membership: Membership, error: GroupsError) -> HttpResponse:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)
    messages.error(request, error.message)
    return redirect("groups:membership_detail", pk=membership.pk)


@login_required
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.get_membership_for_user(request.user, pk))


@require_POST
@login_required
def incident_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk)
    form = IncidentForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, incident_form=form, status=400)
    try:
        incident = services.log_incident(
            membership=membership,
            by=request.user,
            kind=form.cleaned_data["kind"],
            occurred_on=form.cleaned_data["occurred_on"],
            description=form.cleaned_data["description"],
            request_token=form.cleaned_data["token"],
            request=request,
        )
    except GroupsError as error:
        return _failed(request, membership, error)
    note = _("Strike %(n)s logged. Send the warning below to the member.") % {
        "n": incident.strike_number
    }
    return _done(request, membership, note)


@require_POST
@login_required
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, remove_form=form, status=400)
    data = form.cleaned_data
    exclude = ExclusionRequest(data["category"], data["note"]) if data["exclude"] else None
    try:
        services.remove_member(
            membership=membership,
            by=request.user,
            reason=data["reason"],
            exclude=exclude,
            request=request,
        )
    except GroupsError as error:
        return _failed(request, membership, error)
    return _done(request, membership, _("Removed. Remove the person from the WhatsApp group too."))


@require_POST
@login_required
def membership_left(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk)
    try:
        services.record_member_left(membership=membership, by=request.user, request=request)
    except GroupsError as error:
        return _failed(request, membership, error)
    return _done(request, membership, _("Recorded: the member left and the seat is free."))


@require_POST
@login_required
def membership_invite(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk)
    try:
        problem = services.resend_invite(membership=membership, by=request.user, request=request)
    except GroupsError as error:
        return _failed(request, membership, error)
    if problem:
        messages.error(request, services.invite_problem_text(problem))
        return redirect("groups:membership_detail", pk=membership.pk)
    return _done(request, membership, _("The invite is queued."))


@require_POST
@login_required
def membership_revet(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, status=400)
    try:
        hits = services.revet_membership(
            membership=membership,
            by=request.user,
            revet_on=form.cleaned_data["revet_on"],
            request=request,
        )
    except GroupsError as error:
        return _failed(request, membership, error)
    membership.nomination.refresh_from_db()
    if membership.nomination.is_blocked:
        messages.warning(
            request,
            _("%(n)s exclusion-register match(es) found: consider removing the member.")
            % {"n": len(hits)},
        )
        return redirect("groups:membership_detail", pk=membership.pk)
    return _done(request, membership, _("Re-vetted: no register match."))
