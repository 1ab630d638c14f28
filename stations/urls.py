from django.urls import path

from stations import views

app_name = "stations"
urlpatterns = [
    path("stations/", views.station_list, name="station_list"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("districts/<int:pk>/", views.district_detail, name="district_detail"),
]
