"""HTMX fragments of the compose page: the chosen template's text, variables and live preview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from broadcasts import lifecycle, selectors
from broadcasts.forms import BroadcastForm
from stations.models import District


def _compose_form(request: HttpRequest) -> BroadcastForm:
    """The compose form bound to the query (template and values typed so far), never saved."""
    district_ids = lifecycle.districts_user_may_broadcast_to(request.user)
    if not district_ids:
        raise Http404("No district to broadcast to.")
    return BroadcastForm(
        request.GET,
        districts=District.objects.filter(pk__in=district_ids),
        templates=selectors.approved_templates(),
    )


@login_required
@require_GET
def template_panel(request: HttpRequest) -> HttpResponse:
    """The picked template's text with labelled variable boxes and the preview."""
    return render(request, "broadcasts/_template_panel.html", {"form": _compose_form(request)})


@login_required
@require_GET
def template_preview(request: HttpRequest) -> HttpResponse:
    """The message as the citizen will read it, in the template's language, values in place."""
    return render(request, "broadcasts/_template_preview.html", {"form": _compose_form(request)})
