from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.api import MeApi
from portal import views

admin.site.site_header = "Thana Connect"
admin.site.site_title = "Thana Connect"

# Each app contributes its pages (`<app>/urls.py`, namespaced) and its API (`<app>/api_urls.py`,
# under /api/v1/ in the one "api" namespace).
DOMAIN_APPS = ["stations", "people", "groups", "broadcasts", "complaints", "outreach", "reports"]

api_v1 = [path("me/", MeApi.as_view(), name="me")]
for app in DOMAIN_APPS:
    api_v1.append(path("", include(f"{app}.api_urls")))

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("accounts.audit_urls")),
    path("", include("accounts.notification_urls")),
    *[path("", include(f"{app}.urls")) for app in DOMAIN_APPS],
    path("", include("reports.dashboard_urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
