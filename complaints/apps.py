from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "complaints"
    verbose_name = _("Complaints and casework")

    def ready(self) -> None:
        from broadcasts.signals import inbound_message
        from complaints import intake_admin, receivers  # noqa: F401 - registers the admin

        inbound_message.connect(
            receivers.on_inbound_message, dispatch_uid="complaints.on_inbound_message"
        )
