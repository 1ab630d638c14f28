from django.urls import path

from stations.api import StationDetailApi, StationListApi

urlpatterns = [
    path("stations/", StationListApi.as_view(), name="station-list"),
    path("stations/<int:pk>/", StationDetailApi.as_view(), name="station-detail"),
]
