from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("citizens/", views.citizen_list, name="citizen_list"),
    path("citizens/<int:pk>/", views.citizen_detail, name="citizen_detail"),
    path("citizens/<int:pk>/phone/", views.citizen_phone, name="citizen_phone"),
    path("citizens/<int:pk>/opt-out/", views.citizen_opt_out, name="citizen_opt_out"),
    path("citizens/<int:pk>/erase/", views.citizen_erase, name="citizen_erase"),
    path("citizens/imports/", views.import_list, name="import_list"),
    path("citizens/imports/template.csv", views.import_template, name="import_template"),
    path("citizens/lists/", views.list_index, name="list_index"),
    path("citizens/lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("citizens/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("citizens/imports/<int:pk>/status/", views.import_status, name="import_status"),
    path(
        "citizens/imports/<int:pk>/rejected.csv",
        views.import_rejected_csv,
        name="import_rejected_csv",
    ),
]
