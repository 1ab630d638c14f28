from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import AnyUser


def items(user: AnyUser, kind: str) -> list[dict[str, object]]:
    """Broadcasts for district and state roles; the sandbox phone in embedded mode."""
    if kind not in {"state", "district"}:
        return []
    entries: list[dict[str, object]] = [
        {"label": _("Broadcasts"), "url": reverse("broadcasts:list"), "icon": "megaphone"}
    ]
    if settings.WHATSAPP_PROVIDER == "sandbox" and kind == "district":
        entries.append(
            {
                "label": _("Sandbox phone"),
                "url": reverse("broadcasts:sandbox_phone"),
                "icon": "phone",
            }
        )
    return entries
