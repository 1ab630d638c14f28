from django.urls import path

from stations import views

app_name = "stations"
urlpatterns = [
    path("stations/", views.station_list, name="station_list"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("districts/<int:pk>/", views.district_detail, name="district_detail"),
    # Field work: hotspots and patrols, CCTV coverage, resource audits and their action items.
    path("hotspots/", views.hotspot_list, name="hotspot_list"),
    path("stations/<int:pk>/hotspots/new/", views.hotspot_create, name="hotspot_create"),
    path("hotspots/<int:pk>/", views.hotspot_detail, name="hotspot_detail"),
    path("hotspots/<int:pk>/patrols/new/", views.patrol_create, name="patrol_create"),
    path("hotspots/<int:pk>/cctv/", views.cctv_update, name="cctv_update"),
    path("hotspots/<int:pk>/active/", views.hotspot_set_active, name="hotspot_set_active"),
    path("resource-audits/", views.resource_overview, name="resource_overview"),
    path("stations/<int:pk>/resource-audits/new/", views.audit_create, name="audit_create"),
    path("resource-audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("action-items/", views.action_item_list, name="action_item_list"),
    path("action-items/<int:pk>/", views.action_item_detail, name="action_item_detail"),
    path(
        "action-items/<int:pk>/reassign/",
        views.action_item_reassign,
        name="action_item_reassign",
    ),
    path(
        "action-items/<int:pk>/evidence/",
        views.action_item_evidence,
        name="action_item_evidence",
    ),
]
