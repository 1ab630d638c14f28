from django.urls import path

from reports import api

urlpatterns = [
    path("reports/review/", api.ReviewReportApi.as_view(), name="reports-review"),
]
