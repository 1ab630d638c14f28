from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "groups"
    verbose_name = _("Community groups")

    def ready(self) -> None:
        # Offer "community group members" as a broadcast audience (broadcasts cannot import us).
        from groups.audience import register_source

        register_source()
