"""The district exclusion register: restricted pages, never linked from anything public."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import rules, selectors, services
from groups.forms import ExclusionEntryForm, ReasonForm
from groups.models import ExclusionEntry
from groups.services import GroupsError, NotAllowed


@login_required
def register_list(request: HttpRequest) -> HttpResponse:
    if rules.register_district_ids(request.user) == set():
        raise PermissionDenied
    search = request.GET.get("q", "")[:100]
    entries = selectors.register_entries(user=request.user, search=search).order_by("-created_at")
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    can_add = rules.register_district_ids(request.user, editing=True) != set()
    return render(
        request,
        "groups/register_list.html",
        {"page": page, "search": search, "can_add": can_add},
    )


@login_required
def register_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_register_entry_for_user(request.user, pk)
    context = {
        "entry": entry,
        "can_edit": rules.may_edit_register(request.user, entry.district_id),
        "matching": selectors.nominations_matching(user=request.user, entry=entry),
        "withdraw_form": ReasonForm(),
    }
    return render(request, "groups/register_detail.html", context)


def _save(request: HttpRequest, entry: ExclusionEntry | None) -> HttpResponse:
    districts = selectors.register_districts(user=request.user, editing=True)
    initial = {}
    if entry is not None:
        initial = {
            "district": entry.district,
            "category": entry.category,
            "names": "\n".join(n.name for n in entry.names.all()),
            "phones": "\n".join(p.phone for p in entry.phones.all()),
            "note": entry.note,
            "expires_on": entry.expires_on,
        }
    form = ExclusionEntryForm(request.POST or None, initial=initial, districts=districts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_exclusion_entry(
                district=data["district"],
                by=request.user,
                category=data["category"],
                names=data["names"],
                phones=data["phones"],
                note=data["note"],
                expires_on=data["expires_on"],
                entry=entry,
                request_token=data["token"],
                request=request,
            )
        except GroupsError as error:
            if isinstance(error, NotAllowed):
                raise PermissionDenied(error.message) from error
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The register entry is saved."))
            return redirect("groups:register_detail", pk=saved.pk)
    return render(request, "groups/register_form.html", {"form": form, "entry": entry})


@login_required
def register_create(request: HttpRequest) -> HttpResponse:
    if rules.register_district_ids(request.user, editing=True) == set():
        raise PermissionDenied
    return _save(request, None)


@login_required
def register_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_register_entry_for_user(request.user, pk)
    if not rules.may_edit_register(request.user, entry.district_id) or entry.withdrawn_at:
        raise PermissionDenied
    return _save(request, entry)


@require_POST
@login_required
def register_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_register_entry_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the withdrawal."))
        return redirect("groups:register_detail", pk=entry.pk)
    try:
        services.withdraw_exclusion_entry(
            entry=entry, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The entry is withdrawn; it no longer blocks anyone."))
    return redirect("groups:register_detail", pk=entry.pk)
