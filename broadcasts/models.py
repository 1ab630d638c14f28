"""WhatsApp broadcasts: tables arrive with this app's issue."""
