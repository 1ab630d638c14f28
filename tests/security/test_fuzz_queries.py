"""Hostile query parameters on every API list and search, and on every HTML page and search
form: zero server errors (issue 21).

Schemathesis (test_fuzz_api.py) draws values from the schema, so it rarely sends an integer
beyond bigint and never a NUL, and it only knows the parameters the schema declares. Here each
parameter is sent, one at a time and then all together, with every value of VALUES: integers
beyond PostgreSQL's range, NUL and other control characters, invalid UTF-8, very long strings.

Which parameters? Those the schema declares, those of every GET form on the pages, those in
the pages' own links (`?status=closed`), and, the net under all of them, every name a view
actually read: while crawling, reads of request.GET (request.query_params, django-filter,
forms bound to GET) are recorded, so a parameter no document mentions is fuzzed too.

As the district head of the demo world (and, for pages, a station IC and an NGO coordinator,
who see other pages); object pages with real ids. Bounded: one request per parameter and value.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import User
from tests.security.conftest import SEED_SECONDS, known_ids

HUGE = "100000000000000000000"  # beyond bigint
VALUES: list[str | bytes] = [
    HUGE,
    "-9223372036854775809",
    "9" * 5000,  # more digits than int() accepts
    "-1",
    "0",
    "1.5e309",
    "\x00",
    "a\x00b\x01\x1f\x7f",
    "\t\r\n",
    b"\xed\xa0\x80\xff",  # invalid UTF-8: a lone surrogate's bytes and a stray byte
    "\u202e\U0001f600",
    "x" * 5000,
    "'\"<script>%_\\",
    "2026-02-30",
    "",
]
# Routes not to crawl: the API (fuzzed from the schema), the admin site, and ones that act.
SKIP_PREFIXES = ("api:", "admin:")
SKIP_ROUTES = {"logout", "set_language", "broadcasts:whatsapp_webhook", "api-schema"}
MAX_PAGES_PER_USER = 250


# --- recording which query parameters the views read --------------------------------------


class _Reads:
    """Names read from any QueryDict while recording (request.GET is one)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.active = False

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        self.names, self.active = set(), True
        try:
            yield self.names
        finally:
            self.active = False


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> _Reads:
    record = _Reads()

    def spy(method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if record.active and isinstance(key, str):
                record.names.add(key)
            return method(self, key, *args, **kwargs)

        return wrapper

    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, spy(getattr(QueryDict, name)))
    return record


# --- sending, counting ---------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)


def _query(params: dict[str, str | bytes]) -> str:
    return urlencode({k: v for k, v in params.items()})


def _send(client: Client, path: str, query: str, tally: Tally) -> int:
    """GET path?query in a savepoint (a failed query must not poison the next requests)."""
    tally.requests += 1
    try:
        with transaction.atomic():
            status = client.get(path, QUERY_STRING=query).status_code
    except Exception as error:  # escaping the view: a 500 in production
        status = 500
        tally.server_errors.append(f"GET {path}?{query[:120]} -> {error!r}"[:400])
    else:
        if status >= 500:
            tally.server_errors.append(f"GET {path}?{query[:120]} -> {status}")
    tally.statuses[status] += 1
    return status


def _fuzz_target(client: Client, path: str, names: set[str], tally: Tally) -> None:
    """Each name alone with each value, then all names together with each value."""
    for name in sorted(names):
        for value in VALUES:
            _send(client, path, _query({name: value}), tally)
    if len(names) > 1:
        for value in VALUES:
            _send(client, path, _query(dict.fromkeys(names, value)), tally)


# --- the API -------------------------------------------------------------------------------


def _schema_get_operations(client: Client) -> dict[str, set[str]]:
    """GET paths of the schema with their declared query parameters."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return {
        path: {p["name"] for p in ops["get"].get("parameters", []) if p["in"] == "query"}
        for path, ops in schema["paths"].items()
        if "get" in ops
    }


def test_hostile_query_parameters_on_every_api_list_find_no_server_error(
    demo_world: User, login: Callable[[User], Client], reads: _Reads
) -> None:
    started = time.monotonic()
    client = login(demo_world)
    declared = _schema_get_operations(client)
    assert len(declared) >= 40, "the schema lost GET operations"
    ids = known_ids(lambda path: client.get(path), declared)
    targets: dict[str, set[str]] = {}
    plain: Counter[int] = Counter()
    for path, names in declared.items():
        concrete = path.replace("{id}", str((ids.get(path) or [1])[0]))
        with reads.recording() as read:
            plain[client.get(concrete).status_code] += 1
        targets[concrete] = names | read
    tally = Tally()
    for path, names in targets.items():
        _fuzz_target(client, path, names, tally)
    parameters = sum(len(names) for names in targets.values())
    print(
        f"\nFUZZ api-queries: operations={len(targets)} (plain GET: {dict(plain)}) "
        f"parameters={parameters} "
        f"values={len(VALUES)} requests={tally.requests} "
        f"server_errors={len(tally.server_errors)} statuses={dict(sorted(tally.statuses.items()))} "
        f"seconds={time.monotonic() - started:.0f} seeded={SEED_SECONDS}\n"
        f"names={sorted(set().union(*targets.values()))}"
    )
    assert tally.server_errors == [], "\n".join(tally.server_errors[:30])
    assert parameters >= 2 * len(targets), "too few parameters found"
    # Detail endpoints of kinds the demo world lacks (hotspots, audits) answer 404 at best.
    assert plain[200] >= 0.7 * len(targets), f"operations must reach real objects: {plain}"
    assert tally.statuses[200] > tally.requests // 4, "the fuzzer must get past validation"


# --- the HTML pages ------------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Internal links and GET forms (action, field names) of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, set[str]]] = []
        self._form: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "a" and attr.get("href", "").startswith("/"):
            self.links.append(attr["href"])
        elif tag == "form" and attr.get("method", "get").lower() == "get":
            self._form = (attr.get("action", ""), set())
            self.forms.append(self._form)
        elif tag in {"input", "select", "textarea"} and self._form and attr.get("name"):
            self._form[1].add(attr["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _named_routes(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _named_routes(pattern.url_patterns, inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def _route_of(path: str) -> str | None:
    try:
        name = resolve(path).view_name
    except Resolver404:
        return None
    if name in SKIP_ROUTES or name.startswith(SKIP_PREFIXES):
        return None
    return name


@dataclass
class Site:
    """What the crawl found: one concrete path per route, the parameters for it, its forms."""

    paths: dict[str, str] = field(default_factory=dict)  # route name -> path
    owner: dict[str, User] = field(default_factory=dict)  # route name -> who reached it
    names: dict[str, set[str]] = field(default_factory=dict)  # route name -> parameters
    forms: int = 0


def _crawl(client: Client, user: User, site: Site, reads: _Reads) -> None:
    """Breadth-first over the pages `user` reaches, from every route that takes no argument;
    one page per route (the first user to reach it), parameters noted from every link."""
    queue = [
        reverse(name)
        for name, pattern in _named_routes(get_resolver().url_patterns)
        if not name.startswith(SKIP_PREFIXES) and not pattern.pattern.regex.groups
    ]
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES_PER_USER:
        link = urlsplit(queue.pop(0))
        route = _route_of(link.path)
        if route is None:
            continue
        names = site.names.setdefault(route, set())
        names.update(key for key, _ in parse_qsl(link.query, keep_blank_values=True))
        if link.path in seen or route in site.paths:
            continue
        seen.add(link.path)
        with reads.recording() as read, transaction.atomic():
            response = client.get(link.path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        site.paths[route], site.owner[route] = link.path, user
        names.update(read)
        parser = _PageParser()
        parser.feed(response.content.decode(errors="replace"))
        for action, fields in parser.forms:
            target = urlsplit(action).path or link.path
            if _route_of(target) is not None:
                site.forms += 1
                site.names.setdefault(_route_of(target) or "", set()).update(fields)
                queue.append(target)
        queue.extend(parser.links)


def test_hostile_query_parameters_on_every_page_and_search_form_find_no_server_error(
    demo_world: User, login: Callable[[User], Client], reads: _Reads
) -> None:
    started = time.monotonic()
    users = [demo_world, *User.objects.filter(username__in=["demo_ic", "demo_ngo"])]
    clients = {user: login(user) for user in users}
    site = Site()
    for user, client in clients.items():
        _crawl(client, user, site, reads)
    assert len(site.paths) >= 60, f"the crawl reached only {sorted(site.paths)}"
    assert site.forms >= 10, "the crawl found too few search forms"
    for route in ("complaints:complaint_queue", "stations:station_list", "groups:register_list"):
        assert "q" in site.names.get(route, set()), f"{route}: its search was not found"

    tally = Tally()
    for route, path in sorted(site.paths.items()):
        _fuzz_target(clients[site.owner[route]], path, site.names[route], tally)
    parameters = sum(len(site.names[route]) for route in site.paths)
    print(
        f"\nFUZZ page-queries: pages={len(site.paths)} get_forms={site.forms} "
        f"parameters={parameters} values={len(VALUES)} requests={tally.requests} "
        f"server_errors={len(tally.server_errors)} statuses={dict(sorted(tally.statuses.items()))} "
        f"seconds={time.monotonic() - started:.0f}\n"
        f"names={sorted(set().union(*site.names.values()))}"
    )
    assert tally.server_errors == [], "\n".join(tally.server_errors[:30])
