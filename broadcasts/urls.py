from django.urls import path

from broadcasts import compose_views, views, webhook_views

app_name = "broadcasts"
urlpatterns = [
    path("webhooks/whatsapp", webhook_views.whatsapp_webhook, name="whatsapp_webhook"),
    path("broadcasts/", views.broadcast_list, name="list"),
    path("broadcasts/new/", views.broadcast_create, name="create"),
    path("broadcasts/new/template/", compose_views.template_panel, name="compose_template"),
    path("broadcasts/new/preview/", compose_views.template_preview, name="compose_preview"),
    path("broadcasts/<int:pk>/", views.broadcast_detail, name="detail"),
    path("broadcasts/<int:pk>/progress/", views.broadcast_progress, name="progress"),
    path("broadcasts/<int:pk>/<slug:action>/", views.broadcast_action, name="action"),
    path("broadcasts/templates/", views.template_list, name="templates"),
    path("broadcasts/templates/sync/", views.template_sync, name="template_sync"),
    path("broadcasts/sandbox-phone/", views.sandbox_phone, name="sandbox_phone"),
    path("broadcasts/calendar/", views.calendar, name="calendar"),
]
