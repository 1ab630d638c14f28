"""Control characters are removed from every form field, query parameter and API body, once.

PostgreSQL refuses a NUL in any text value, so a `?q=%00` typed into a search box used to be a
server error on every view that searched. No view should have to remember that, so this module
cleans input before any view sees it:

* `InputCleaningMiddleware` replaces `request.GET` with a copy without control characters
  (C0 and DEL), and makes `request.POST` cleaned the same way whenever it is first parsed
  (lazily, so raw-body views such as the WhatsApp webhook keep `request.body`). Form bodies keep
  tab, line feed and carriage return: textareas need them.
* `CleaningContentNegotiation` (DRF's DEFAULT_CONTENT_NEGOTIATION_CLASS) hands every API view
  a parser whose result is cleaned the same way, whatever `parser_classes` the view chose:
  strings in JSON bodies (keys and values, at any depth) lose their control characters, and a
  lone surrogate (`"\\ud800"`, valid JSON but not encodable as UTF-8) becomes U+FFFD.

Files are never touched: an upload's bytes are the upload's business (see stations.uploads).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, DataAndFiles

# Everything below U+0020 and DEL; bodies keep \t \n \r (textareas), query strings do not.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_CONTROLS_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str, *, keep_whitespace: bool) -> str:
    """`text` without control characters (tab and line breaks kept if asked) or lone
    surrogates (replaced by U+FFFD)."""
    pattern = _CONTROLS_BUT_WHITESPACE if keep_whitespace else _CONTROLS
    text = pattern.sub("", text)
    return _LONE_SURROGATES.sub("\ufffd", text)


def clean_query_dict(data: QueryDict, *, keep_whitespace: bool) -> QueryDict:
    """A copy of `data` (immutable, like Django's) with every key and value cleaned; `data`
    itself when nothing needed cleaning, which is nearly always."""
    if not any(_needs_cleaning(key, values) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(
            clean_text(key, keep_whitespace=keep_whitespace),
            [clean_text(value, keep_whitespace=keep_whitespace) for value in values],
        )
    cleaned._mutable = False
    return cleaned


def _needs_cleaning(key: str, values: list[str]) -> bool:
    return any(_CONTROLS.search(text) or _LONE_SURROGATES.search(text) for text in [key, *values])


def clean_data(value: Any) -> Any:
    """A parsed JSON body (or any part of one) with every string cleaned, keys included."""
    if isinstance(value, str):
        return clean_text(value, keep_whitespace=True)
    if isinstance(value, dict):
        return {clean_data(key): clean_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    return value


class InputCleaningMiddleware:
    """Clean request.GET now and request.POST when something first reads it (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = clean_query_dict(request.GET, keep_whitespace=False)  # type: ignore[assignment]
        request.__class__ = _cleaning_request_class(request.__class__)
        return self.get_response(request)


_REQUEST_CLASSES: dict[type[HttpRequest], type[HttpRequest]] = {}
_PARSER_CLASSES: dict[type[BaseParser], type[BaseParser]] = {}


def _cleaning_request_class(request_class: type[HttpRequest]) -> type[HttpRequest]:
    """`request_class` whose POST is cleaned as it is parsed.

    request.POST is a property of the request class, filled by _load_post_and_files on first
    access (by the CSRF check, a view, or DRF); a subclass is the one place to hook it without
    parsing every body up front, which would take request.body away from raw-body views.
    """
    if getattr(request_class, "cleans_input", False):
        return request_class
    if request_class not in _REQUEST_CLASSES:

        def _load_post_and_files(self: HttpRequest) -> None:
            request_class._load_post_and_files(self)
            self._post = clean_query_dict(self._post, keep_whitespace=True)  # type: ignore[attr-defined]

        _REQUEST_CLASSES[request_class] = type(
            f"Cleaning{request_class.__name__}",
            (request_class,),
            {"cleans_input": True, "_load_post_and_files": _load_post_and_files},
        )
    return _REQUEST_CLASSES[request_class]


class _CleaningParser:
    """Mixed into the parser DRF chose: its result comes back cleaned."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        if isinstance(parsed, DataAndFiles):
            return DataAndFiles(clean_query_dict(parsed.data, keep_whitespace=True), parsed.files)
        if isinstance(parsed, QueryDict):
            return clean_query_dict(parsed, keep_whitespace=True)
        return clean_data(parsed)


def _cleaning_parser_class(parser_class: type[BaseParser]) -> type[BaseParser]:
    """`parser_class` with _CleaningParser mixed in (still an instance of it: DRF checks
    isinstance(parser, JSONParser) to keep request.body readable)."""
    if parser_class not in _PARSER_CLASSES:
        name = f"Cleaning{parser_class.__name__}"
        _PARSER_CLASSES[parser_class] = type(name, (_CleaningParser, parser_class), {})
    return _PARSER_CLASSES[parser_class]


class CleaningContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, handing out parsers that clean what they parse (see the module)."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        parser = super().select_parser(request, parsers)
        if parser is None or isinstance(parser, _CleaningParser):
            return parser
        return _cleaning_parser_class(type(parser))()
