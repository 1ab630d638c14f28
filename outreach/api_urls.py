from django.urls import path

from outreach import api

urlpatterns = [
    path("outreach/drives/", api.DriveListApi.as_view(), name="outreach-drive-list"),
    path("outreach/drives/create/", api.DriveCreateApi.as_view(), name="outreach-drive-create"),
    path("outreach/drives/totals/", api.DriveTotalsApi.as_view(), name="outreach-drive-totals"),
    path("outreach/drives/<int:pk>/", api.DriveDetailApi.as_view(), name="outreach-drive-detail"),
    path("outreach/ngos/", api.NgoListApi.as_view(), name="outreach-ngo-list"),
    path("outreach/ngos/create/", api.NgoCreateApi.as_view(), name="outreach-ngo-create"),
    path("outreach/ngos/<int:pk>/", api.NgoDetailApi.as_view(), name="outreach-ngo-detail"),
    path("outreach/activities/", api.ActivityListApi.as_view(), name="outreach-activity-list"),
    path(
        "outreach/activities/create/",
        api.ActivityCreateApi.as_view(),
        name="outreach-activity-create",
    ),
    path(
        "outreach/activities/<int:pk>/",
        api.ActivityDetailApi.as_view(),
        name="outreach-activity-detail",
    ),
    path(
        "outreach/activities/<int:pk>/update/",
        api.ActivityUpdateApi.as_view(),
        name="outreach-activity-update",
    ),
    path(
        "outreach/activities/<int:pk>/verify/",
        api.ActivityVerifyApi.as_view(),
        name="outreach-activity-verify",
    ),
    path("outreach/campaigns/", api.CampaignListApi.as_view(), name="outreach-campaign-list"),
    path(
        "outreach/campaigns/progress/",
        api.CampaignProgressApi.as_view(),
        name="outreach-campaign-progress",
    ),
]
