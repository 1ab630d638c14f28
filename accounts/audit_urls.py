"""/audit/: the audit log viewer (district heads, state HQ, system admins)."""

from django.urls import path

from accounts import audit_views

app_name = "audit"

urlpatterns = [
    path("audit/", audit_views.audit_list, name="list"),
    path("audit/export.csv", audit_views.audit_export, name="export"),
    path("audit/identity-access/", audit_views.identity_access_list, name="identity_access"),
]
