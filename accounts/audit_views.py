"""The audit log viewer: who did what, where and when, for the people who oversee a unit.

District heads see the events of their district (events tied to the district itself or to one
of its stations), state HQ the events of their state, system administrators everything. Nobody
else has these pages: they get 404, as for any page outside their jurisdiction. The identity
access log (each showing of a victim's identity) is listed read-only beside it, scoped the same
way through the complaint's station; it shows tracking numbers, never identities.

Exporting the log as CSV is itself an audit event, written before the first row is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts import access
from accounts.access import AnyUser
from accounts.models import AuditEvent, Role, User
from accounts.services import record_event
from complaints.models import IdentityAccessLog
from portal.widgets import DateInput
from stations.spreadsheet_safety import safe_csv_writer

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000  # a year of a busy district; narrow the filters for more
VIEWER_ROLES = frozenset({Role.DISTRICT_HEAD, Role.STATE_HQ})


# --- selectors ---------------------------------------------------------------------------------


def _overseen(user: AnyUser) -> tuple[bool, set[int], set[int]]:
    """(is admin, district ids, state ids) whose audit log this user may read.

    Only district heads, state HQ and system admins read the audit log: a cyber cell posting
    also reaches the district's data, but the log of what colleagues did is for the head.
    """
    if access.is_system_admin(user):
        return True, set(), set()
    postings = [p for p in access.active_postings(user) if p.role in VIEWER_ROLES]
    district_ids = {p.district_id for p in postings if p.role == Role.DISTRICT_HEAD}
    state_ids = {p.state_id for p in postings if p.role == Role.STATE_HQ}
    return False, {i for i in district_ids if i}, {i for i in state_ids if i}


def may_view_audit_log(user: AnyUser) -> bool:
    is_admin, district_ids, state_ids = _overseen(user)
    return is_admin or bool(district_ids or state_ids)


def audit_events_for(user: AnyUser) -> QuerySet[AuditEvent]:
    """Audit events inside the user's jurisdiction, newest first; none for anyone else."""
    is_admin, district_ids, state_ids = _overseen(user)
    events = AuditEvent.objects.select_related("actor", "station", "district")
    if is_admin:
        return events.all()
    if not (district_ids or state_ids):
        return events.none()
    return events.filter(
        Q(district_id__in=district_ids)
        | Q(station__district_id__in=district_ids)
        | Q(district__state_id__in=state_ids)
        | Q(station__district__state_id__in=state_ids)
    )


def identity_access_for(user: AnyUser) -> QuerySet[IdentityAccessLog]:
    """Identity access log rows of complaints at stations in the user's jurisdiction."""
    is_admin, district_ids, state_ids = _overseen(user)
    rows = IdentityAccessLog.objects.select_related("user", "complaint__station")
    if is_admin:
        return rows.all()
    if not (district_ids or state_ids):
        return rows.none()
    return rows.filter(
        Q(complaint__station__district_id__in=district_ids)
        | Q(complaint__station__district__state_id__in=state_ids)
    )


# --- filters -----------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    """Who, what, when and on which object; every field optional."""

    actor = forms.CharField(label=_("Who (username)"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=100,
        help_text=_("The start of an action code, e.g. complaints. or groups.nomination"),
    )
    target = forms.CharField(
        label=_("Object"),
        required=False,
        max_length=200,
        help_text=_("A tracking number, name of the object or its id"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events matching the valid filters (all of them when the form is unbound)."""
        if not self.is_bound or not self.is_valid():
            return events if not self.is_bound else events.none()
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor__username__iexact=data["actor"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["target"]:
            text = data["target"].strip()
            events = events.filter(Q(target_id=text) | Q(target_repr__icontains=text))
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(
                created_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=zone)
            )
        if data["date_to"]:
            events = events.filter(
                created_at__lte=datetime.combine(data["date_to"], time.max, tzinfo=zone)
            )
        return events

    def as_record(self) -> dict[str, str]:
        """The filters as given, for the export's own audit event."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _require_viewer(user: AnyUser) -> None:
    if not may_view_audit_log(user):
        raise Http404("No audit log for this user.")


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- views -------------------------------------------------------------------------------------


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    form = AuditFilterForm(request.GET or None)
    events = form.apply(audit_events_for(request.user))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_list.html",
        {"form": form, "page": page, "querystring": _querystring(request)},
    )


class _Echo:
    """A file-like object whose write returns the line, for csv.writer into a stream."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "time",
    "actor",
    "action",
    "target_type",
    "target_id",
    "target",
    "district",
    "station",
    "ip_address",
]


def _csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The export's lines, every cell escaped against spreadsheet formulas."""
    writer = safe_csv_writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events:
        yield writer.writerow(
            [
                event.created_at.isoformat(),
                event.actor.get_username() if event.actor else "",
                event.action,
                event.target_type,
                event.target_id,
                event.target_repr,
                event.district.code if event.district else "",
                event.station.code if event.station else "",
                event.ip_address or "",
            ]
        )


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _require_viewer(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        page = Paginator(AuditEvent.objects.none(), PAGE_SIZE).get_page(1)
        context = {"form": form, "page": page, "querystring": _querystring(request)}
        return render(request, "accounts/audit_list.html", context, status=400)
    events = form.apply(audit_events_for(request.user))
    count = min(events.count(), EXPORT_MAX_ROWS)
    assert isinstance(request.user, User)  # login_required
    record_event(
        actor=request.user,
        action="accounts.audit.exported",
        data={"filters": form.as_record(), "rows": count},
        request=request,
        district=_single_district(request.user),
    )
    rows = events.order_by("-created_at", "-id")[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _single_district(user: AnyUser) -> Any:
    """The district to file the export event under, when the viewer heads exactly one
    (so that district's head sees who exported its log); None otherwise."""
    _is_admin, district_ids, _state_ids = _overseen(user)
    if len(district_ids) == 1:
        return access.districts_for(user).filter(pk__in=district_ids).first()
    return None


@login_required
@require_GET
def identity_access_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request.user)
    rows = identity_access_for(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_identity_access.html",
        {"page": page, "querystring": _querystring(request)},
    )
