"""Outreach and NGOs: tables arrive with this app's issue."""
