"""Community groups: tables arrive with this app's issue."""
