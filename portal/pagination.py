"""The one pagination of every API list: `?limit=` and `?offset=`, with a largest page.

DRF's LimitOffsetPagination has no maximum unless told, so a large valid limit returned a whole
list at once, and a limit beyond PostgreSQL's bigint (`?limit=100000000000000000000`) was a
server error. Here a limit above settings.API_MAX_PAGE_SIZE is lowered to it (the `next` link
continues from there), an offset past the end is an empty page, and a limit or offset that is
not a whole number (negative, decimal, words; a limit of 0) is a 400 naming the parameter.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = 18  # any longer is beyond every count and page size (and bigint's 19 digits)


def _whole_number(raw: str) -> int | None:
    """The number in `raw` (ASCII digits only; huge ones capped at 10**18), None if it is not
    a whole number >= 0."""
    if not _DIGITS.fullmatch(raw):
        return None
    return int(raw) if len(raw) <= _MAX_DIGITS else 10**_MAX_DIGITS


class Pagination(LimitOffsetPagination):
    """Limit/offset pages of at most settings.API_MAX_PAGE_SIZE results."""

    @staticmethod
    def largest_page() -> int:
        """settings.API_MAX_PAGE_SIZE, read per request (tests change it)."""
        return int(settings.API_MAX_PAGE_SIZE)

    def get_limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param, "")
        if raw == "":
            return min(int(self.default_limit or self.largest_page()), self.largest_page())
        limit = _whole_number(raw)
        if not limit:
            raise ValidationError(
                {
                    self.limit_query_param: [
                        _(
                            "Give the number of results per page as a whole number from 1 "
                            "upwards (at most %(maximum)s are returned at once)."
                        )
                        % {"maximum": self.largest_page()}
                    ]
                }
            )
        return min(limit, self.largest_page())

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param, "")
        if raw == "":
            return 0
        offset = _whole_number(raw)
        if offset is None:
            raise ValidationError(
                {self.offset_query_param: [_("Give the offset as a whole number from 0 upwards.")]}
            )
        return min(offset, getattr(self, "count", offset))  # past the end: the (empty) end

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"]["minimum"] = 1
        limit["description"] = _(
            "Number of results to return per page (default %(default)s; at most "
            "%(maximum)s, a larger limit returns %(maximum)s)."
        ) % {"default": self.default_limit, "maximum": self.largest_page()}
        offset["schema"]["minimum"] = 0
        return [limit, offset]
