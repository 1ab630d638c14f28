"""Jurisdiction pages: the stations and districts a user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stations import selectors


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    page = Paginator(selectors.station_list(user=request.user, search=search), 25).get_page(
        request.GET.get("page")
    )
    template = "stations/_station_rows.html" if request.htmx else "stations/station_list.html"
    return render(request, template, {"page": page, "search": search})


@login_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.station_detail(user=request.user, pk=pk)
    return render(request, "stations/station_detail.html", {"station": station})


@login_required
def district_detail(request: HttpRequest, pk: int) -> HttpResponse:
    district = selectors.district_detail(user=request.user, pk=pk)
    stations = selectors.stations_of_district(user=request.user, district=district)
    return render(
        request, "stations/district_detail.html", {"district": district, "stations": stations}
    )
