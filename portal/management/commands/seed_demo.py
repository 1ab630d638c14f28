"""``manage.py seed_demo``: the whole demo, app by app (idempotent; refuses production).

Jurisdictions and logins come first (stations' seed_jurisdictions); then every app with a
`<app>/demo.py` defining `seed(*, stdout) -> None` adds its demo content, in DEMO_APPS order.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

DEMO_APPS = [
    "people",
    "broadcasts",
    "groups",
    "complaints",
    "outreach",
    "stations",
    "reports",
    "accounts",  # last: enrols the second factor of every demo login the others created
]


class Command(BaseCommand):
    help = (
        "Seed demo jurisdictions, logins (one per role) and each app's demo content. "
        "Safe to run again. Refuses to run with DEBUG off unless --allow-production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        passthrough = ["--allow-production"] if options["allow_production"] else []
        call_command("seed_jurisdictions", *passthrough, stdout=self.stdout, stderr=self.stderr)
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            if hasattr(module, "seed"):
                module.seed(stdout=self.stdout)
