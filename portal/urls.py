from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.api import MeApi
from portal import views
from stations.api import StationDetailApi, StationListApi

admin.site.site_header = "Thana Connect"
admin.site.site_title = "Thana Connect"

api_v1 = [
    path("me/", MeApi.as_view(), name="me"),
    path("stations/", StationListApi.as_view(), name="station-list"),
    path("stations/<int:pk>/", StationDetailApi.as_view(), name="station-detail"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("stations.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
