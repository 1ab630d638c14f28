"""`duration_since` / `duration_until`: translated stand-ins for `|timesince` / `|timeuntil`.

    {% load durations %}{{ hotspot.last_patrolled_at|duration_since }}

Same arguments and the same empty answer on bad input as Django's filters, but the words come
from the portal's catalogue (portal.durations), which has Hindi and Bengali.
"""

from __future__ import annotations

from typing import Any

from django import template

from portal import durations

register = template.Library()


@register.filter(is_safe=False)
def duration_since(value: Any, arg: Any = None) -> str:
    """The time since `value` (until `arg` if given), e.g. "1 week, 3 days"."""
    if not value:
        return ""
    try:
        return durations.duration_since(value, arg or None)
    except (ValueError, TypeError):
        return ""


@register.filter(is_safe=False)
def duration_until(value: Any, arg: Any = None) -> str:
    """The time until `value` (from `arg` if given), e.g. "2 days, 4 hours"."""
    if not value:
        return ""
    try:
        return durations.duration_until(value, arg or None)
    except (ValueError, TypeError):
        return ""
