"""Citizens: tables arrive with this app's issue."""
