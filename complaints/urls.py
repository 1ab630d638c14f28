from django.urls import path

from complaints import enforcement_views, views

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
]
