"""Schemathesis over the whole DRF API: every operation in /api/schema/, fuzzed through the
real Django WSGI stack (middleware, session auth, CSRF, DRF) on PostgreSQL as a signed-in
district head whose district holds the demo world, so detail and action endpoints reach real
objects and not only 404s. Zero 5xx is the bar.

It runs in `make test`'s first (parallel, `not engine`) phase: it needs no outside process, only
the test database of its own xdist worker, so running it beside the rest costs nothing extra,
whereas the serial engine phase is kept for tests that start real servers and workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import get_token
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from groups.models import Membership, Nomination
from tests.security.conftest import SEED_SECONDS, known_ids

MAX_EXAMPLES_PER_MODE = 5  # per operation and per mode (valid and invalid input)


def _test_database_friendly(app: WSGIHandler) -> Callable[..., Iterable[bytes]]:
    """The WSGI app without Django's per-request connection recycling (as Django's own test
    client does), so requests run inside the test's transaction and see its data."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = app(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return wsgi


def _session_cookies(login: Callable[[User], Any], user: User) -> dict[str, str]:
    """Session and CSRF cookies of a signed-in session whose second factor is verified (the
    `login` fixture), so the fuzzer passes SessionAuthentication and the CSRF check for real."""
    client = login(user)
    request = RequestFactory().get("/")
    csrf_token = get_token(request)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return {**cookies, "_csrf_header": csrf_token}


@dataclass
class Tally:
    """What the fuzzer saw, across every operation."""

    cases: int = 0
    server_errors: list[str] = field(default_factory=list)
    per_status: dict[int, int] = field(default_factory=dict)


def _fuzz(
    operation: Any,
    mode: schemathesis.GenerationMode,
    real_ids: list[int],
    cookies: dict[str, str],
    csrf_header: str,
    tally: Tally,
) -> None:
    """Run one operation's bounded, derandomised batch; path ids are half the time real."""

    @settings(
        max_examples=MAX_EXAMPLES_PER_MODE,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def fuzz(case: Any, data: st.DataObject) -> None:
        if real_ids and case.path_parameters and "id" in case.path_parameters:
            if data.draw(st.booleans()):
                case.path_parameters["id"] = data.draw(st.sampled_from(real_ids))
        tally.cases += 1
        try:
            response = case.call(cookies=cookies, headers={"X-CSRFToken": csrf_header})
        except Exception as error:  # an exception escaping the WSGI app is a 500 in production
            tally.per_status[500] = tally.per_status.get(500, 0) + 1
            tally.server_errors.append(
                f"{case.method} {case.formatted_path} headers={case.headers!r} "
                f"media_type={case.media_type!r} body={case.body!r} -> {error!r}"
            )
            return
        tally.per_status[response.status_code] = tally.per_status.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            tally.server_errors.append(
                f"{case.method} {case.formatted_path} headers={case.headers!r} "
                f"query={case.query!r} body={case.body!r} "
                f"-> {response.status_code}: {response.content[:300]!r}"
            )

    fuzz()


def _schema_dict(response: Any) -> dict[str, Any]:
    import json

    import yaml

    text = response.content.decode()
    return json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)


def test_fuzzing_every_api_operation_finds_no_server_error(demo_world, login) -> None:
    user = demo_world
    cookies = _session_cookies(login, user)
    print(f"seeded in {SEED_SECONDS}")
    csrf_header = cookies.pop("_csrf_header")
    app = _test_database_friendly(WSGIHandler())
    browser = login(user)
    # The schema is for signed-in users only; werkzeug's client (from_wsgi) drops a Cookie
    # header, so the schema is fetched as the signed-in user and its operations run on `app`.
    fetched = browser.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert fetched.status_code == 200, fetched.content[:200]
    schema = schemathesis.openapi.from_dict(_schema_dict(fetched))
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50, "the schema lost operations"

    def get(path: str) -> Any:
        return browser.get(path)

    known = known_ids(get, {op.path for op in operations})
    known["/api/v1/groups/nominations/{id}/"] = list(
        Nomination.objects.values_list("id", flat=True)[:20]
    )
    for suffix in ("approve/", "reject/"):
        known[f"/api/v1/groups/nominations/{{id}}/{suffix}"] = known[
            "/api/v1/groups/nominations/{id}/"
        ]
    known["/api/v1/groups/memberships/{id}/"] = list(
        Membership.objects.values_list("id", flat=True)[:20]
    )

    tally = Tally()
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _fuzz(operation, mode, known.get(operation.path) or [], cookies, csrf_header, tally)
    cases_run, server_errors, per_status = tally.cases, tally.server_errors, tally.per_status

    print(
        f"FUZZ schemathesis: operations={len(operations)} cases={cases_run} "
        f"server_errors={len(server_errors)} statuses={dict(sorted(per_status.items()))}"
    )
    assert server_errors == [], "\n".join(server_errors[:20])
    assert per_status.get(200, 0) + per_status.get(201, 0) > len(operations), (
        "the fuzzer must reach real objects, not only errors"
    )
