from django.urls import path

from stations import api
from stations.api import StationDetailApi, StationListApi

urlpatterns = [
    path("stations/", StationListApi.as_view(), name="station-list"),
    path("stations/<int:pk>/", StationDetailApi.as_view(), name="station-detail"),
    # Field work.
    path("hotspots/", api.HotspotListApi.as_view(), name="stations-hotspot-list"),
    path("hotspots/create/", api.HotspotCreateApi.as_view(), name="stations-hotspot-create"),
    path(
        "hotspots/unpatrolled/",
        api.HotspotUnpatrolledApi.as_view(),
        name="stations-hotspot-unpatrolled",
    ),
    path("hotspots/<int:pk>/", api.HotspotDetailApi.as_view(), name="stations-hotspot-detail"),
    path("hotspots/<int:pk>/patrols/", api.PatrolListApi.as_view(), name="stations-patrol-list"),
    path(
        "hotspots/<int:pk>/patrols/create/",
        api.PatrolCreateApi.as_view(),
        name="stations-patrol-create",
    ),
    path("hotspots/<int:pk>/cctv/", api.CctvSetApi.as_view(), name="stations-cctv-set"),
    path("cctv-coverage/", api.CctvSummaryApi.as_view(), name="stations-cctv-summary-list"),
    path(
        "resource-audits/",
        api.ResourceAuditListApi.as_view(),
        name="stations-resource-audit-list",
    ),
    path(
        "resource-audits/create/",
        api.ResourceAuditCreateApi.as_view(),
        name="stations-resource-audit-create",
    ),
    path(
        "resource-audits/status/",
        api.StationResourceStatusApi.as_view(),
        name="stations-resource-status-list",
    ),
    path(
        "resource-audits/<int:pk>/",
        api.ResourceAuditDetailApi.as_view(),
        name="stations-resource-audit-detail",
    ),
    path("action-items/", api.ActionItemListApi.as_view(), name="stations-action-item-list"),
    path(
        "action-items/<int:pk>/",
        api.ActionItemDetailApi.as_view(),
        name="stations-action-item-detail",
    ),
    path(
        "action-items/<int:pk>/close/",
        api.ActionItemCloseApi.as_view(),
        name="stations-action-item-close",
    ),
]
