"""Signals the WhatsApp engine sends to apps above it (arrows point down; news goes up)."""

from django.dispatch import Signal

# Sent once per inbound WhatsApp message (after the webhook event is stored, in the processing
# task). Keyword arguments:
#   message_id: str   -- the wamid of the citizen's message (unique; receivers dedupe on it)
#   from_phone: str   -- E.164
#   text: str         -- the message text ('' for media)
#   message_type: str -- 'text', 'image', 'location', ...
#   received_at: datetime
#   to_phone_number_id: str -- which of our numbers received it
#   citizen: people.Citizen | None -- the known citizen with that phone, if any
inbound_message = Signal()
