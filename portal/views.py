"""Portal-wide pages: the landing page by role, and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access
from broadcasts import selectors as broadcast_selectors
from groups import selectors as group_selectors
from portal import health
from stations import selectors as station_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the user's postings put in front of them."""
    user = request.user
    kind = access.home_kind(user)
    context = {
        "kind": kind,
        "postings": access.active_postings(user),
        "my_stations": access.stations_where(
            user, [access.Role.STATION_IC, access.Role.STATION_OFFICER, access.Role.SHAKTI_INCHARGE]
        ).select_related("district")
        if kind == "station"
        else [],
        "districts": station_selectors.district_list(user=user)
        if kind in {"state", "district"}
        else [],
    }
    if kind == "station":
        context |= station_dashboard(user)
    return render(request, "portal/home.html", context)


def station_dashboard(user) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What a station's officers should see first, from each app's own selectors."""
    return {
        "groups": list(group_selectors.group_list(user=user)[:6]),
        "unpatrolled": list(
            station_selectors.hotspots_not_patrolled(user=user).select_related("station")[:6]
        ),
        "open_deficits": station_selectors.open_deficits_count(user=user),
        "recent_broadcasts": list(
            broadcast_selectors.broadcast_list(user=user).filter(
                status__in=["sending", "completed", "scheduled", "recurring"]
            )[:5]
        ),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON state of database, cache and broker: 200 when all are ok, 503 otherwise."""
    checks = health.run_checks()
    healthy = all(result["status"] == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
