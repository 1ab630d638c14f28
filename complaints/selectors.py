"""Reads of the complaints app, scoped through accounts.access.

The anti-Romeo enforcement register's reads live in complaints.enforcement_selectors; they are
re-exported here so callers (the review report) can use `complaints.selectors.<name>`.
Complaint intake adds its own selectors below.
"""

from __future__ import annotations

from complaints.enforcement_selectors import (
    TOTAL_FIELDS,
    EnforcementSummary,
    enforcement_totals,
    get_romeo_action_for_user,
    romeo_action_list,
    romeo_actions_for,
    romeo_cases_for,
    summarize_enforcement,
)

__all__ = [
    "TOTAL_FIELDS",
    "EnforcementSummary",
    "enforcement_totals",
    "get_romeo_action_for_user",
    "romeo_action_list",
    "romeo_actions_for",
    "romeo_cases_for",
    "summarize_enforcement",
]
