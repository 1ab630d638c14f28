"""Form widgets every app shares.

A browser's `<input type="date">` accepts only ISO values (`2026-12-07`); anything else, such as
the day-first `07/12/2026` Django renders from DATE_INPUT_FORMATS in English, Hindi and Bengali,
is silently dropped and the first save fails "This field is required". These widgets always
render ISO, whatever the language; forms parse ISO in every language too.
"""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.pop("format", None)
        super().__init__(attrs=attrs, format=ISO_DATE, **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.pop("format", None)
        super().__init__(attrs=attrs, format=ISO_DATETIME_LOCAL, **kwargs)
