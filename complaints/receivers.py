"""Signal receivers of complaint intake (connected in ComplaintsConfig.ready)."""

from __future__ import annotations

from typing import Any

from complaints import services


def on_inbound_message(sender: object, **kwargs: Any) -> None:
    """A citizen's WhatsApp text becomes one complaint (deduplicated on the message id), or
    waits in its district's unassigned queue when the station is not known."""
    if kwargs.get("message_type", "text") != "text":
        return
    services.complaint_from_whatsapp(
        message_id=str(kwargs.get("message_id", "")),
        from_phone=str(kwargs.get("from_phone", "")),
        text=str(kwargs.get("text", "")),
        citizen=kwargs.get("citizen"),
        received_at=kwargs.get("received_at"),
        to_phone_number_id=str(kwargs.get("to_phone_number_id", "") or ""),
        from_user_id=str(kwargs.get("from_user_id", "") or ""),
        sender_profile=kwargs.get("sender_profile"),
    )
