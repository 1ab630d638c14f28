"""Community group pages for officers: thin views (access helper -> form -> service -> page).

Every object comes from a `selectors.get_*_for_user` helper, so a user outside the group's
jurisdiction gets the same 404 as for a missing one. Actions the user may see but not take
answer 403. HTMX requests to the decision endpoints get the updated row (plus the seats-left
badge out of band) instead of a redirect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import exports, rules, selectors, services
from groups.forms import ApproveForm, GroupForm, NominationForm, ReasonForm
from groups.models import CommunityGroup, Nomination
from groups.services import GroupsError, NominatorDetails, NotAllowed
from groups.texts import NO_ID_CARD_NOTICE


def _context(request: HttpRequest, group: CommunityGroup, **extra: Any) -> dict[str, Any]:
    return {
        "group": group,
        "can": rules.abilities(request.user, group),
        "no_id_card_notice": NO_ID_CARD_NOTICE,
        **extra,
    }


def _refuse(error: GroupsError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)


# --- groups ---------------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.group_list(user=request.user)
    can_create = bool(rules.head_units(request.user))
    return render(request, "groups/group_list.html", {"groups": groups, "can_create": can_create})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    counts = selectors.group_counts(group=group)
    return render(request, "groups/group_detail.html", _context(request, group, counts=counts))


def _group_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: data[k]
        for k in (
            "name",
            "kind",
            "purpose",
            "rules_text",
            "capacity",
            "invite_link",
            "accepts_applications",
        )
    } | {"admins": list(data["admins"])}


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    units = dict(selectors.head_unit_choices(user=request.user))
    if not units:
        raise PermissionDenied
    admins = selectors.eligible_admins(units=list(units.values()))
    form = GroupForm(
        request.POST or None, units=[(k, str(u)) for k, u in units.items()], admins=admins
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                unit=units[form.cleaned_data["unit"]],
                by=request.user,
                request=request,
                **_group_fields(form.cleaned_data),
            )
        except GroupsError as error:
            _refuse(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The group is created."))
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/group_form.html", {"form": form})


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    if not rules.may_edit_group(request.user, group):
        raise PermissionDenied
    initial = {
        "name": group.name,
        "kind": group.kind,
        "purpose": group.purpose,
        "rules_text": group.rules,
        "capacity": group.capacity,
        "invite_link": group.invite_link,
        "accepts_applications": group.accepts_applications,
        "is_active": group.is_active,
        "admins": list(group.admins.all()),
    }
    admins = selectors.eligible_admins(units=[group.unit])
    form = GroupForm(request.POST or None, initial=initial, units=None, admins=admins)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_group(
                group=group,
                by=request.user,
                is_active=form.cleaned_data["is_active"],
                request=request,
                **_group_fields(form.cleaned_data),
            )
        except GroupsError as error:
            _refuse(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The group is saved."))
            return redirect("groups:group_detail", pk=group.pk)
    return render(request, "groups/group_form.html", _context(request, group, form=form))


# --- vetting --------------------------------------------------------------------------------


@login_required
def vetting_queue(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    context = _context(
        request,
        group,
        queue=selectors.vetting_queue(group=group),
        waiting=selectors.waiting_list(group=group),
        decided=selectors.recent_decisions(group=group),
        approve_form=ApproveForm(),
        reason_form=ReasonForm(),
    )
    return render(request, "groups/vetting_queue.html", context)


@login_required
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    if not rules.may_nominate(request.user, group):
        raise PermissionDenied
    districts = selectors.districts_of_state(group=group)
    form = NominationForm(
        request.POST or None, nominators=selectors.nominators_of(group=group), districts=districts
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = None
        if data["nominator_name"] and data["nominator_phone"]:
            details = NominatorDetails(
                kind=data["source"],
                name=data["nominator_name"],
                phone=data["nominator_phone"],
                organisation=data["nominator_organisation"],
            )
        try:
            services.submit_nomination(
                group=group,
                source=data["source"],
                nominee_name=data["nominee_name"],
                nominee_phone=data["nominee_phone"],
                nominee_consent=data["nominee_consent"],
                nominee_language=data["nominee_language"],
                nominee_locality=data["nominee_locality"],
                nominee_district=data.get("nominee_district"),
                note=data["note"],
                nominator=data["nominator"],
                nominator_details=details,
                by=request.user,
                request=request,
            )
        except GroupsError as error:
            _refuse(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The nomination is recorded and screened."))
            return redirect("groups:vetting_queue", pk=group.pk)
    return render(request, "groups/nomination_form.html", _context(request, group, form=form))


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.get_nomination_for_user(request.user, pk)
    context = _context(
        request,
        nomination.group,
        nomination=nomination,
        approve_form=ApproveForm(),
        reason_form=ReasonForm(),
        history=nomination.history.select_related("history_user").order_by("-history_date")[:20],
    )
    return render(request, "groups/nomination_detail.html", context)


def _after_decision(
    request: HttpRequest, nomination: Nomination, *, error: str = "", note: str = ""
) -> HttpResponse:
    """The updated row for HTMX, else a message and a redirect back to the queue."""
    if request.htmx:  # type: ignore[attr-defined]
        group = selectors.get_group_for_user(request.user, nomination.group_id)
        nomination.refresh_from_db()
        pending = selectors.vetting_queue(group=group).count()
        context = _context(
            request, group, n=nomination, error=error, note=note, oob=True, pending=pending
        )
        context |= {"approve_form": ApproveForm(), "reason_form": ReasonForm()}
        return render(request, "groups/_nomination_row.html", context)
    if error:
        messages.error(request, error)
    elif note:
        messages.success(request, note)
    back = request.POST.get("next", "")
    if back != "detail":
        return redirect("groups:vetting_queue", pk=nomination.group_id)
    return redirect("groups:nomination_detail", pk=nomination.pk)


_OUTCOME_NOTES = {
    "approved": lambda: _("Approved: a seat is taken and the invite is queued."),
    "waitlisted": lambda: _("The group is full: the nominee is on the waiting list."),
    "blocked": lambda: _(
        "Not approved: the nominee matches the exclusion register. Only the station "
        "in-charge can override it, with a reason."
    ),
}


@require_POST
@login_required
def nomination_approve(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.get_nomination_for_user(request.user, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _after_decision(request, nomination, error=" ".join(form.errors["revet_on"]))
    try:
        decision = services.approve_nomination(
            nomination=nomination,
            by=request.user,
            revet_on=form.cleaned_data["revet_on"],
            request=request,
        )
    except GroupsError as error:
        _refuse(error)
        return _after_decision(request, nomination, error=error.message)
    problem = services.invite_problem_text(decision.invite_problem)
    if decision.outcome == "blocked":
        return _after_decision(request, nomination, error=_OUTCOME_NOTES["blocked"]())
    return _after_decision(request, nomination, note=problem or _OUTCOME_NOTES[decision.outcome]())


@require_POST
@login_required
def nomination_reject(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.get_nomination_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _after_decision(request, nomination, error=_("Give the reason for the rejection."))
    try:
        services.reject_nomination(
            nomination=nomination,
            by=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except GroupsError as error:
        _refuse(error)
        return _after_decision(request, nomination, error=error.message)
    return _after_decision(request, nomination, note=_("Rejected."))


@require_POST
@login_required
def nomination_override(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.get_nomination_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _after_decision(request, nomination, error=_("Give the reason for the override."))
    try:
        services.override_screening(
            nomination=nomination,
            by=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except GroupsError as error:
        _refuse(error)
        return _after_decision(request, nomination, error=error.message)
    return _after_decision(
        request, nomination, note=_("Override recorded: the nomination can now be approved.")
    )


# --- roster, conduct, nominators ------------------------------------------------------------


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    context = _context(
        request,
        group,
        members=selectors.roster(group=group),
        former=selectors.former_members(group=group),
        today=timezone.localdate(),
    )
    return render(request, "groups/roster.html", context)


@login_required
def roster_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    try:
        export = services.export_roster(group=group, by=request.user, fmt=fmt, request=request)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    response = HttpResponse(export.body, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def conduct_log(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.get_group_for_user(request.user, pk)
    context = _context(
        request,
        group,
        incidents=selectors.conduct_log(group=group)[:200],
        strike_limit=settings.GROUPS_STRIKES_BEFORE_REMOVAL,
    )
    return render(request, "groups/conduct_log.html", context)


@login_required
def nominators(request: HttpRequest) -> HttpResponse:
    group = None
    if request.GET.get("group"):
        group = selectors.get_group_for_user(request.user, request.GET["group"])
    rows = selectors.nominator_quality(user=request.user, group=group)
    return render(request, "groups/nominators.html", {"rows": rows, "group": group})
