"""Portal-wide pages: the landing page by role, and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access
from portal import health
from reports.dashboard_views import render_station_dashboard
from stations import selectors as station_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the user's postings put in front of them.

    Station roles get the IC dashboard (reports.dashboard); district and state roles their
    districts (state HQ also a link to the State HQ view); NGO coordinators a pointer.
    """
    user = request.user
    kind = access.home_kind(user)
    if kind == "station":
        return render_station_dashboard(request)
    context = {
        "kind": kind,
        "postings": access.active_postings(user),
        "districts": station_selectors.district_list(user=user)
        if kind in {"state", "district"}
        else [],
    }
    return render(request, "portal/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON state of database, cache and broker: 200 when all are ok, 503 otherwise."""
    checks = health.run_checks()
    healthy = all(result["status"] == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
