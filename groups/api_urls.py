from django.urls import path

from groups import api

urlpatterns = [
    path("groups/", api.GroupListApi.as_view(), name="groups-group-list"),
    path("groups/<int:pk>/", api.GroupDetailApi.as_view(), name="groups-group-detail"),
    path(
        "groups/<int:pk>/nominations/",
        api.NominationListApi.as_view(),
        name="groups-nomination-list",
    ),
    path(
        "groups/<int:pk>/nominations/create/",
        api.NominationCreateApi.as_view(),
        name="groups-nomination-create",
    ),
    path(
        "groups/<int:pk>/memberships/",
        api.MembershipListApi.as_view(),
        name="groups-membership-list",
    ),
    path(
        "groups/nominations/<int:pk>/",
        api.NominationDetailApi.as_view(),
        name="groups-nomination-detail",
    ),
    path(
        "groups/nominations/<int:pk>/approve/",
        api.NominationApproveApi.as_view(),
        name="groups-nomination-approve",
    ),
    path(
        "groups/nominations/<int:pk>/reject/",
        api.NominationRejectApi.as_view(),
        name="groups-nomination-reject",
    ),
    path(
        "groups/memberships/<int:pk>/",
        api.MembershipDetailApi.as_view(),
        name="groups-membership-detail",
    ),
]
