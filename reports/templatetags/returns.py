"""`return_status_label`: a monthly return's status as the dashboard and returns page show it.

A missing return says since when it is overdue ("Missing · overdue since 5 Dec"), one not yet
due says by when ("Due by 5 Dec"); submitted ones say on time or late.

    {{ due|return_status_label }}   {# anything with .status and .due_on #}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

RETURN_STATUS_LABELS = {
    "on_time": gettext_lazy("Submitted on time"),
    "late": gettext_lazy("Submitted late"),
    "missing": gettext_lazy("Missing"),
    "not_due": gettext_lazy("Not due yet"),
}


def return_status_label(status: str, due_on: Any) -> str:
    """The status in words, with the due date for a missing or not yet due return."""
    if due_on is not None and status == "missing":
        return _("Missing · overdue since %(day)s") % {"day": date_format(due_on, "j M")}
    if due_on is not None and status == "not_due":
        return _("Due by %(day)s") % {"day": date_format(due_on, "j M")}
    return str(RETURN_STATUS_LABELS.get(status, status))


@register.filter(name="return_status_label")
def return_status_label_filter(due: Any) -> str:
    """`due` has .status and .due_on (reports.dashboard's ReturnDue and ReturnMonth)."""
    return return_status_label(due.status, getattr(due, "due_on", None))
