"""Small display helpers for the groups templates."""

from __future__ import annotations

from django import template

from groups.models import ExclusionCategory, NominationStatus

register = template.Library()

_STATUS_CLASS = {
    NominationStatus.SUBMITTED: "text-bg-secondary",
    NominationStatus.SCREENED: "text-bg-info",
    NominationStatus.APPROVED: "text-bg-success",
    NominationStatus.REJECTED: "text-bg-danger",
    NominationStatus.WAITLISTED: "text-bg-warning",
}
_DELIVERY_CLASS = {
    "pending": "text-bg-secondary",
    "sending": "text-bg-secondary",
    "unknown": "text-bg-warning",
    "sent": "text-bg-info",
    "delivered": "text-bg-primary",
    "read": "text-bg-success",
    "failed": "text-bg-danger",
    "skipped": "text-bg-dark",
}


@register.filter
def category_label(value: str) -> str:
    """The translated label of an exclusion category value."""
    try:
        return str(ExclusionCategory(value).label)
    except ValueError:
        return value


@register.filter
def status_class(value: str) -> str:
    return _STATUS_CLASS.get(value, "text-bg-light")  # type: ignore[call-overload]


@register.filter
def delivery_class(value: str) -> str:
    return _DELIVERY_CLASS.get(value, "text-bg-light")
