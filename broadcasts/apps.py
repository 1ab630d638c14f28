from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "broadcasts"
    verbose_name = _("WhatsApp broadcasts")

    def ready(self) -> None:
        # Registers the built-in "uploaded list" audience source.
        from broadcasts import audience_sources  # noqa: F401
