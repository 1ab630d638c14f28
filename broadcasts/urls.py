from django.urls import path

from broadcasts import webhook_views

app_name = "broadcasts"
urlpatterns = [
    path("webhooks/whatsapp", webhook_views.whatsapp_webhook, name="whatsapp_webhook"),
]
