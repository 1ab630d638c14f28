from django.urls import path

from broadcasts import api

urlpatterns = [
    path("templates/", api.TemplateListApi.as_view(), name="broadcasts-template-list"),
    path("broadcasts/", api.BroadcastListApi.as_view(), name="broadcasts-broadcast-list"),
    path("broadcasts/new/", api.BroadcastCreateApi.as_view(), name="broadcasts-broadcast-create"),
    path(
        "broadcasts/<int:pk>/", api.BroadcastDetailApi.as_view(), name="broadcasts-broadcast-detail"
    ),
    path(
        "broadcasts/<int:pk>/<slug:action>/",
        api.BroadcastActionApi.as_view(),
        name="broadcasts-broadcast-action",
    ),
]
