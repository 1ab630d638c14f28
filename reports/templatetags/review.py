"""The change-against-the-previous-period marker of a review report cell.

A tag, not an {% include %}: a state-wide report has thousands of cells, and an include per
cell costs a template render each.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def review_change(cell: dict[str, Any]) -> SafeString | str:
    """▲ +n / ▼ -n / = with screen-reader words and the previous value as a tooltip."""
    change = cell.get("change")
    if change is None:
        return ""
    if change == 0:
        return format_html(
            '<div class="review-change same"><span aria-hidden="true">=</span>'
            '<span class="visually-hidden">{}</span></div>',
            _("unchanged"),
        )
    up = change > 0
    return format_html(
        '<div class="review-change {}" title="{}: {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span> {}{}</div>',
        "up" if up else "down",
        _("Previous period"),
        cell.get("previous"),
        "▲" if up else "▼",
        _("up") if up else _("down"),
        "+" if up else "",
        change,
    )
