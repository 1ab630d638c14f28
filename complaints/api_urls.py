from django.urls import path

from complaints import api, casework_api, enforcement_api

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
    # Casework (issue 5).
    path(
        "complaints/sos-alerts/",
        casework_api.SosAlertListApi.as_view(),
        name="complaints-sos-alert-list",
    ),
    path(
        "complaints/unassigned/",
        casework_api.UnroutedListApi.as_view(),
        name="complaints-unrouted-list",
    ),
    path(
        "complaints/unassigned/<int:pk>/route/",
        casework_api.UnroutedRouteApi.as_view(),
        name="complaints-unrouted-route",
    ),
    path(
        "complaints/<int:pk>/casework/",
        casework_api.CaseFileApi.as_view(),
        name="complaints-case-file",
    ),
    path("complaints/<int:pk>/fir/", casework_api.FirCreateApi.as_view(), name="complaints-fir"),
    path(
        "complaints/<int:pk>/fir/correct/",
        casework_api.FirCorrectApi.as_view(),
        name="complaints-fir-correct",
    ),
    path(
        "complaints/<int:pk>/arrests/",
        casework_api.ArrestCreateApi.as_view(),
        name="complaints-arrest-create",
    ),
    path(
        "complaints/<int:pk>/referrals/",
        casework_api.ReferralCreateApi.as_view(),
        name="complaints-referral-create",
    ),
    path(
        "complaints/<int:pk>/referrals/<int:referral_pk>/follow-up/",
        casework_api.ReferralFollowUpApi.as_view(),
        name="complaints-referral-follow-up",
    ),
    path(
        "complaints/<int:pk>/close/",
        casework_api.CloseApi.as_view(),
        name="complaints-close",
    ),
]
