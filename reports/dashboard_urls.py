"""Addresses of the landing dashboards (the review report has its own, in reports/urls.py)."""

from django.urls import path

from reports import dashboard_views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", dashboard_views.station_home, name="station"),
    path("stations/<int:pk>/returns/", dashboard_views.station_returns, name="station_returns"),
    path("reports/state/", dashboard_views.state_view, name="state"),
]
