from django.urls import path

from complaints import casework_views, enforcement_views, views

app_name = "complaints"
urlpatterns = [
    # Anti-Romeo squad enforcement register.
    path("anti-romeo/", enforcement_views.romeo_register, name="romeo_register"),
    path("anti-romeo/new/", enforcement_views.romeo_action_create, name="romeo_action_create"),
    path("anti-romeo/person-row/", enforcement_views.romeo_person_row, name="romeo_person_row"),
    path("anti-romeo/<int:pk>/", enforcement_views.romeo_action_detail, name="romeo_action_detail"),
    # Complaint intake (issue 5).
    path("complaints/", views.complaint_queue, name="complaint_queue"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/status/", views.status_lookup, name="status_lookup"),
    path("complaints/report/", views.public_complaint, name="public_complaint"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/identity/", views.complaint_identity, name="complaint_identity"),
    path("complaints/<int:pk>/status/", views.complaint_status, name="complaint_status"),
    path("complaints/<int:pk>/assign/", views.complaint_assign, name="complaint_assign"),
    path(
        "complaints/<int:pk>/counselling/",
        views.complaint_counselling,
        name="complaint_counselling",
    ),
    # Casework quick actions and the district's unassigned WhatsApp queue.
    path("complaints/<int:pk>/fir/", casework_views.complaint_fir, name="complaint_fir"),
    path(
        "complaints/<int:pk>/fir/correct/",
        casework_views.complaint_fir_correct,
        name="complaint_fir_correct",
    ),
    path("complaints/<int:pk>/arrest/", casework_views.complaint_arrest, name="complaint_arrest"),
    path(
        "complaints/<int:pk>/referral/",
        casework_views.complaint_referral,
        name="complaint_referral",
    ),
    path(
        "complaints/<int:pk>/referral/<int:referral_pk>/follow-up/",
        casework_views.referral_follow_up,
        name="referral_follow_up",
    ),
    path("complaints/referrals/due/", casework_views.referrals_due, name="referrals_due"),
    path("complaints/<int:pk>/close/", casework_views.complaint_close, name="complaint_close"),
    path("complaints/<int:pk>/reply/", casework_views.complaint_reply, name="complaint_reply"),
    path("complaints/<int:pk>/photo/", casework_views.complaint_photo, name="complaint_photo"),
    path("complaints/unassigned/", casework_views.unrouted_queue, name="unrouted_queue"),
    path(
        "complaints/unassigned/<int:pk>/route/",
        casework_views.unrouted_route,
        name="unrouted_route",
    ),
]
