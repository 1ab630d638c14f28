"""Complaints and casework: tables arrive with this app's issue."""
