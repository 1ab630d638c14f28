from django.urls import path

from people.api import CitizenDetailApi, CitizenListApi, ImportCreateApi, ImportDetailApi

urlpatterns = [
    path("citizens/", CitizenListApi.as_view(), name="people-citizen-list"),
    path("citizens/<int:pk>/", CitizenDetailApi.as_view(), name="people-citizen-detail"),
    path("citizen-imports/", ImportCreateApi.as_view(), name="people-import-create"),
    path("citizen-imports/<int:pk>/", ImportDetailApi.as_view(), name="people-import-detail"),
]
