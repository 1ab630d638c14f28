from django.urls import path

from reports import views

app_name = "reports"
urlpatterns: list = [
    path("reports/review/", views.review, name="review"),
    path("reports/review/export/<str:fmt>/", views.review_export, name="review_export"),
    path("reports/review/exports/<int:pk>/", views.export_status, name="export_status"),
    path(
        "reports/review/exports/<int:pk>/download/",
        views.export_download,
        name="export_download",
    ),
]
