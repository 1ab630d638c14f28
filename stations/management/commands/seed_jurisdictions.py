"""``manage.py seed_jurisdictions``: demo jurisdictions and one login per role (via seed_demo).

Loads ``stations.demo_data`` (four states, six districts/commissionerates, their police stations)
and the demo users with their postings, all inside one transaction.

Idempotent: rows are matched by code (units) or username (users). A row whose fields already
match the demo data is not saved again, so a second run writes nothing (and adds no
django-simple-history rows); a row that differs is brought back to the demo values. A user's
password is set only when the user is created: someone may have changed it since.

Refuses to run with DEBUG off unless ``--allow-production`` is given, because every demo user
shares the published ``settings.DEMO_PASSWORD``.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from accounts.models import Posting, Role, User
from stations import demo_data
from stations.models import District, State, Station

ModelT = TypeVar("ModelT", bound=models.Model)
Unit = State | District | Station


class Outcome(enum.StrEnum):
    """What seeding did to one row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Units:
    """The seeded units, by code, so users can be posted to them."""

    states: dict[str, State] = field(default_factory=dict)
    districts: dict[str, District] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)

    def get(self, level: str, code: str) -> Unit:
        """The unit at ``level`` ("state", "district" or "station") with this code."""
        by_level: dict[str, dict[str, State] | dict[str, District] | dict[str, Station]] = {
            "state": self.states,
            "district": self.districts,
            "station": self.stations,
        }
        try:
            return by_level[level][code]
        except KeyError:
            raise CommandError(f"Demo data names an unknown {level} {code!r}.") from None


@dataclass
class Login:
    """One row of the logins table printed at the end."""

    username: str
    role: str
    unit: str
    password: str

    def cells(self) -> tuple[str, str, str, str]:
        """The table cells, in column order."""
        return (self.username, self.role, self.unit, self.password)


@dataclass
class Report:
    """What the run did, for the summary."""

    outcomes: dict[str, Counter[Outcome]] = field(default_factory=dict)
    postings_created: int = 0
    postings_existing: int = 0
    logins: list[Login] = field(default_factory=list)

    def count(self, kind: str, outcome: Outcome) -> None:
        """Record the outcome for one row of ``kind`` (states, districts, ...)."""
        self.outcomes.setdefault(kind, Counter())[outcome] += 1


# --- Generic upsert ----------------------------------------------------------------------------


def _differs(current: Any, wanted: Any) -> bool:
    """Whether a stored value differs from the demo value.

    Uses ``==`` from the stored side, so phone numbers (``PhoneNumber`` compares equal to its
    E.164 string) and decimals (``Decimal("25.3") == Decimal("25.300000")``) compare by value.
    """
    return not (current == wanted)


def upsert(
    model: type[ModelT],
    lookup: dict[str, Any],
    values: dict[str, Any],
    on_create: Callable[[ModelT], None] | None = None,
) -> tuple[ModelT, Outcome]:
    """Create the row matching ``lookup``, or bring its ``values`` up to date.

    Unlike ``update_or_create``, an existing row that already holds ``values`` is not saved, so
    re-running writes nothing. ``on_create`` may prepare a new object before its first save.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        if on_create is not None:
            on_create(obj)
        obj.save(force_insert=True)
        return obj, Outcome.CREATED
    changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
    if not changed:
        return obj, Outcome.UNCHANGED
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    return obj, Outcome.UPDATED


# --- Jurisdictions -----------------------------------------------------------------------------


def seed_states(units: Units, report: Report) -> None:
    """Create or update the demo states."""
    for row in demo_data.STATES:
        values = {
            "name": row["name"],
            "name_local": row["name_local"],
            "headquarters": row["headquarters"],
        }
        state, outcome = upsert(State, {"code": row["code"]}, values)
        units.states[state.code] = state
        report.count("states", outcome)


def seed_districts(units: Units, report: Report) -> None:
    """Create or update the demo districts and commissionerates."""
    for row in demo_data.DISTRICTS:
        values = {
            "state_id": units.get("state", row["state"]).pk,
            "name": row["name"],
            "name_local": row["name_local"],
            "kind": District.Kind(row["kind"]).value,
        }
        district, outcome = upsert(District, {"code": row["code"]}, values)
        units.districts[district.code] = district
        report.count("districts", outcome)


def station_values(row: demo_data.StationRow, district: District) -> dict[str, Any]:
    """The Station field values for one demo row (``is_active`` is left to the admins)."""
    return {
        "district_id": district.pk,
        "name": row["name"],
        "name_local": row["name_local"],
        "address": row["address"],
        "phone": row["phone"],
        "whatsapp_number": row["whatsapp_number"],
        "latitude": Decimal(row["latitude"]),
        "longitude": Decimal(row["longitude"]),
        "is_women_station": row["is_women_station"],
        "has_shakti_centre": row["has_shakti_centre"],
    }


def seed_stations(units: Units, report: Report) -> None:
    """Create or update the demo police stations."""
    for row in demo_data.STATIONS:
        district = units.get("district", row["district"])
        assert isinstance(district, District)
        station, outcome = upsert(Station, {"code": row["code"]}, station_values(row, district))
        units.stations[station.code] = station
        report.count("stations", outcome)


# --- Users and postings ------------------------------------------------------------------------


def user_values(row: demo_data.DemoUserRow) -> dict[str, Any]:
    """Profile fields kept in line with the demo data.

    Staff/superuser flags are only asserted for the superuser row, so that a privilege an admin
    grants a demo user later is not silently revoked by the next seed.
    """
    values: dict[str, Any] = {
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "rank": row["rank"],
        "preferred_language": row["preferred_language"],
    }
    if row["is_superuser"]:
        values |= {"is_staff": True, "is_superuser": True}
    return values


def seed_user(row: demo_data.DemoUserRow, password: str) -> tuple[User, Outcome]:
    """Create or update one demo user; the password is set only when the user is new."""
    return upsert(
        User,
        {"username": row["username"]},
        user_values(row),
        on_create=lambda user: user.set_password(password),
    )


def posting_units(role: str, level: str | None, code: str | None, units: Units) -> dict[str, Any]:
    """The state/district/station keyword arguments of a Posting for this role and unit.

    Exactly one of the three is set, as the ``posting_unit_matches_role`` constraint demands.
    """
    allowed = demo_data.ROLE_UNIT_LEVELS.get(role, frozenset())
    if level is None or code is None or level not in allowed:
        raise CommandError(f"Demo data posts role {role!r} to a {level!r}; allowed: {allowed}.")
    unit_kwargs: dict[str, Any] = {"state": None, "district": None, "station": None}
    unit_kwargs[level] = units.get(level, code)
    return unit_kwargs


def seed_posting(user: User, row: demo_data.DemoUserRow, units: Units) -> tuple[Unit, bool]:
    """Give the user the posting the demo data names; returns the unit and whether it is new."""
    role = Role(row["role"]).value
    unit_kwargs = posting_units(role, row["unit_level"], row["unit_code"], units)
    _, created = Posting.objects.get_or_create(user=user, role=role, **unit_kwargs)
    return unit_kwargs[str(row["unit_level"])], created


def unit_label(unit: Unit | None) -> str:
    """How the logins table shows a unit: code and English name."""
    if unit is None:
        return "(superuser: every unit)"
    return f"{unit.code}  {unit.name}"


def login_password(user: User, outcome: Outcome, password: str) -> str:
    """The password to show for a login: the demo password while it still works."""
    if outcome is Outcome.CREATED or user.check_password(password):
        return password
    return "(changed since seeding; not reset)"


def seed_users(units: Units, report: Report, password: str) -> None:
    """Create or update the demo users and their postings, noting each login for the summary."""
    for row in demo_data.DEMO_USERS:
        user, outcome = seed_user(row, password)
        report.count("users", outcome)
        unit: Unit | None = None
        if row["role"] is not None:
            unit, created = seed_posting(user, row, units)
            if created:
                report.postings_created += 1
            else:
                report.postings_existing += 1
        report.logins.append(
            Login(
                username=user.username,
                role=row["role"] or "superuser",
                unit=unit_label(unit),
                password=login_password(user, outcome, password),
            )
        )


# --- The command -------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Load demo states, districts, police stations and one login per role "
        "(password: settings.DEMO_PASSWORD). Safe to run again: nothing is duplicated and "
        "existing passwords are kept. Refuses to run with DEBUG off unless --allow-production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off (only for a throwaway staging or training server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.refuse_in_production(allow=bool(options["allow_production"]))
        password = self.demo_password()
        problems = demo_data.check()
        if problems:
            raise CommandError("Demo data is inconsistent:\n  " + "\n  ".join(problems))
        report = Report()
        units = Units()
        with transaction.atomic():
            seed_states(units, report)
            seed_districts(units, report)
            seed_stations(units, report)
            seed_users(units, report, password)
        self.print_summary(report)

    def refuse_in_production(self, *, allow: bool) -> None:
        """Stop unless DEBUG is on or the operator explicitly allowed production."""
        if settings.DEBUG or allow:
            if not settings.DEBUG:
                self.stderr.write(
                    self.style.WARNING(
                        "DEBUG is off and --allow-production was given: demo users with a "
                        "published password are being created. Delete them before going live."
                    )
                )
            return
        raise CommandError(
            "Refusing to seed demo data: DEBUG is off, so this looks like production. "
            "Demo users share a published password (settings.DEMO_PASSWORD) and must never "
            "exist in production. Pass --allow-production only for a throwaway staging or "
            "training server."
        )

    def demo_password(self) -> str:
        """settings.DEMO_PASSWORD, which must be set."""
        password = str(getattr(settings, "DEMO_PASSWORD", "") or "")
        if not password:
            raise CommandError("settings.DEMO_PASSWORD is empty; set DEMO_PASSWORD first.")
        return password

    def print_summary(self, report: Report) -> None:
        """Counts per kind of row, then the table of logins."""
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        for kind in ("states", "districts", "stations", "users"):
            counts = report.outcomes.get(kind, Counter())
            self.stdout.write(
                f"  {kind:<10} {counts[Outcome.CREATED]:>3} created, "
                f"{counts[Outcome.UPDATED]:>3} updated, "
                f"{counts[Outcome.UNCHANGED]:>3} already up to date"
            )
        self.stdout.write(
            f"  {'postings':<10} {report.postings_created:>3} created, "
            f"{report.postings_existing:>3} already existed"
        )
        self.print_logins(report.logins)

    def print_logins(self, logins: list[Login]) -> None:
        """An aligned table: username, role, unit, password."""
        header = ("username", "role", "unit", "password")
        rows = [header, *(login.cells() for login in logins)]
        widths = [max(len(row[col]) for row in rows) for col in range(len(header) - 1)]

        def line(cells: tuple[str, str, str, str]) -> str:
            padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
            return "  " + "  ".join([*padded, cells[-1]])

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins:"))
        self.stdout.write(self.style.MIGRATE_LABEL(line(header)))
        for login in logins:
            self.stdout.write(line(login.cells()))
        self.stdout.write(
            self.style.WARNING("  These passwords are published: never run this in production.")
        )
