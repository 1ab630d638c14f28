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
    """▲ +n / ▼ -n / = with screen-reader words and the previous value as a tooltip.

    The arrow shows which way the figure moved; the colour whether that is good news, by
    the column's `better` (the cell's verdict): a rise in overdue complaints is red, a rise
    in disposals green, a rise in complaints received grey.
    """
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
    verdict: str = cell.get("verdict") or "neutral"
    if verdict not in {"good", "bad"}:
        verdict = "neutral"
    spoken = {
        (True, "good"): _("up, better"),
        (True, "bad"): _("up, worse"),
        (True, "neutral"): _("up"),
        (False, "good"): _("down, better"),
        (False, "bad"): _("down, worse"),
        (False, "neutral"): _("down"),
    }[(up, verdict)]
    return format_html(
        '<div class="review-change {} {}" title="{}: {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span> {}{}</div>',
        "up" if up else "down",
        verdict,
        _("Previous period"),
        cell.get("previous"),
        "▲" if up else "▼",
        spoken,
        "+" if up else "",
        change,
    )
