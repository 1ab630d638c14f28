from django.urls import path

from complaints import api, enforcement_api

urlpatterns = [
    # Anti-Romeo squad enforcement register.
    path(
        "anti-romeo/actions/",
        enforcement_api.RomeoActionListApi.as_view(),
        name="complaints-romeo-action-list",
    ),
    path(
        "anti-romeo/actions/create/",
        enforcement_api.RomeoActionCreateApi.as_view(),
        name="complaints-romeo-action-create",
    ),
    path(
        "anti-romeo/actions/<int:pk>/",
        enforcement_api.RomeoActionDetailApi.as_view(),
        name="complaints-romeo-action-detail",
    ),
    path(
        "anti-romeo/totals/",
        enforcement_api.EnforcementTotalsApi.as_view(),
        name="complaints-enforcement-totals-list",
    ),
    # Complaint intake (issue 5).
    path("complaints/", api.ComplaintListApi.as_view(), name="complaints-complaint-list"),
    path(
        "complaints/create/",
        api.ComplaintCreateApi.as_view(),
        name="complaints-complaint-create",
    ),
    path(
        "complaints/<int:pk>/",
        api.ComplaintDetailApi.as_view(),
        name="complaints-complaint-detail",
    ),
]
