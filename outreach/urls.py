from django.urls import path

from outreach import views

app_name = "outreach"
urlpatterns = [
    path("outreach/drives/", views.drive_list, name="drive_list"),
    path("outreach/drives/new/", views.drive_create, name="drive_create"),
    path("outreach/drives/<int:pk>/", views.drive_detail, name="drive_detail"),
    path("outreach/drives/<int:pk>/photos/<int:photo_pk>/", views.drive_photo, name="drive_photo"),
    path("outreach/ngos/", views.ngo_list, name="ngo_list"),
    path("outreach/ngos/new/", views.ngo_create, name="ngo_create"),
    path("outreach/ngos/<int:pk>/", views.ngo_detail, name="ngo_detail"),
    path("outreach/activities/", views.activity_list, name="activity_list"),
    path("outreach/activities/new/", views.activity_create, name="activity_create"),
    path("outreach/activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("outreach/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("outreach/activities/<int:pk>/verify/", views.activity_verify, name="activity_verify"),
    path("outreach/campaigns/", views.campaign_list, name="campaign_list"),
]
