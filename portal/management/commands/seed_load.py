"""``manage.py seed_load``: a synthetic state at full scale, for benchmarks (issue 9).

    python manage.py seed_load --stations 1500 --complaints 1000000 --citizens 1000000

One State ("LOAD"), N districts, N stations with unique codes, one IC per station plus a district
head and a cyber-cell officer per district and a state HQ officer, citizens with unique valid
Indian mobiles and recorded consent, complaints spread over the stations and the last `--days`
days with realistic status / category / due-date mixes, the events, counselling sessions,
anti-Romeo actions (cases, arrests, preventive detentions, warnings), awareness drives, resource
audits with open deficits, one vetted community group per station with members and pending
nominations, and one completed district broadcast with delivered / read deliveries: every
section of the review report has data.

Why set-based SQL (INSERT ... SELECT from generate_series, inside one transaction) and not the
ORM: a million complaints through services would take hours; here PostgreSQL does the work and
checks every CHECK and UNIQUE constraint on every row (foreign keys too: row by row, or, when
the user is a superuser, set-based at the end, see handle()). Columns this command does not
set explicitly are filled with the model field's default, so a field added later with a
default does not break it.

What is not like real traffic, on purpose:
* Victim identities: Fernet encryption costs ~0.2 ms per field per row here, so a pool of
  `IDENTITY_POOL` encrypted identities is made once and each complaint's VictimIdentity row gets
  a copy of one of them (same ciphertext; each still decrypts to a valid identity).
* No simple-history rows and no audit events are written for bulk rows (like bulk_create).
* Each complaint has its "registered" timeline event; later status moves have no events.

Safety: refuses when DEBUG is off (unless --allow-production), when the database holds data
that is not load data (unless --force), and when load data is already there (a second run
changes nothing; --skip-if-loaded makes that a success for benchmark scripts). Everything is
one transaction: an error leaves nothing half-saved.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

STATE_CODE = "LOAD"
USER_PREFIX = "load_"
PHONE_BASE = 9_100_000_000  # +91 91xxxxxxxx: valid Indian mobiles, clear of other benches' ranges
IDENTITY_POOL = 1000
GROUP_CAPACITY = 256

# Realistic mixes: (value, weight). Weights need not add up to 100.
CATEGORY_MIX = [
    ("eve_teasing", 14),
    ("stalking", 8),
    ("molestation", 6),
    ("sexual_assault", 2),
    ("domestic_violence", 20),
    ("dowry_harassment", 8),
    ("cyber_harassment", 10),
    ("cyber_fraud", 12),
    ("snatching", 6),
    ("child_related", 3),
    ("missing_person", 4),
    ("trafficking", 1),
    ("other", 6),
]
CHANNEL_MIX = [("desk", 45), ("phone", 20), ("web", 10), ("whatsapp", 20), ("group_report", 5)]
HIGH_PRIORITY = ("sexual_assault", "trafficking", "missing_person", "child_related")
COUNSELLING_CATEGORIES = ("domestic_violence", "dowry_harassment", "missing_person", "other")
COUNSELLING_MIX = [
    ("reconciled", 35),
    ("family_reunited", 15),
    ("referred", 15),
    ("fir_advised", 10),
    ("no_settlement", 25),
]
ROMEO_MIX = [("case_registered", 10), ("accused_arrested", 5), ("preventive", 35), ("warned", 50)]
AUDIENCE_MIX = [("women", 35), ("girl_students", 35), ("boys", 10), ("mixed", 20)]
DELIVERY_MIX = [("read", 45), ("delivered", 33), ("sent", 12), ("failed", 5), ("skipped", 5)]
RESOURCE_ITEMS = [
    "rooms",
    "women_toilets",
    "registers",
    "furniture",
    "computers",
    "mobile_phones",
    "sim_cards",
    "vehicles",
    "cctv",
    "helpdesk_signage",
]


# Models insert_select wrote to in this process (their foreign keys are checked at the end).
WRITTEN: list[type[models.Model]] = []


def weighted_case(mix: list[tuple[str, int]], random_expr: str) -> str:
    """A SQL CASE picking a value of `mix` by the weights from one uniform draw in [0, 1)."""
    total = sum(weight for _, weight in mix)
    parts, cumulative = [], 0
    for value, weight in mix[:-1]:
        cumulative += weight
        parts.append(f"WHEN {random_expr} < {cumulative / total:.6f} THEN '{value}'")
    return f"(CASE {' '.join(parts)} ELSE '{mix[-1][0]}' END)"


def sql_text_array(values: list[str] | tuple[str, ...]) -> str:
    """ARRAY['a','b'] for fixed, known-safe identifiers written in this module."""
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def insert_select(
    model: type[models.Model], values: dict[str, str], tail: str, params: list[Any] | None = None
) -> int:
    """INSERT INTO model's table SELECT <values> <tail>; other columns get the field default.

    `values` maps column names to SQL expressions without placeholders; `tail` is the FROM ...
    part (placeholders allowed, filled from `params`). Returns the number of rows inserted.
    """
    columns, expressions, default_params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in values:
            # Expressions carry no placeholders, so a % is always the modulo operator.
            expressions.append(values[field.column].replace("%", "%%"))
            continue
        default = field.get_default()
        if default is None and not field.null:
            raise CommandError(f"seed_load does not know how to fill {model.__name__}.{field.name}")
        expressions.append("%s")
        default_params.append(field.get_db_prep_save(default, connection))
    unknown = set(values) - set(columns)
    if unknown:
        raise CommandError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {tail}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*default_params, *(params or [])])
        WRITTEN.append(model)
        return int(cursor.rowcount)


def execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.rowcount)


def scalar(sql: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


class Command(BaseCommand):
    help = (
        "Create a synthetic state at benchmark scale (set-based SQL): stations, citizens, "
        "complaints and every kind of record the review report counts. Refuses production "
        "(DEBUG off) and databases with real data unless told otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stations", type=int, default=1500)
        parser.add_argument("--districts", type=int, default=75)
        parser.add_argument("--complaints", type=int, default=1_000_000)
        parser.add_argument("--citizens", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=30, help="Length of the period, in days.")
        parser.add_argument(
            "--members-per-group", type=int, default=40, help="Active members per station group."
        )
        parser.add_argument(
            "--password",
            default="",
            help="Give every load user this password (default: unusable passwords).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though the database holds real data."
        )
        parser.add_argument(
            "--allow-production", action="store_true", help="Run even though DEBUG is off."
        )
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="Exit successfully, changing nothing, when load data is already there.",
        )

    # --- checks ----------------------------------------------------------------------------

    def check_options(self, options: dict[str, Any]) -> None:
        if options["districts"] < 1 or options["stations"] < options["districts"]:
            raise CommandError("Need at least one district and at least one station per district.")
        if options["stations"] > 99_999 or options["districts"] > 999:
            raise CommandError("At most 99,999 stations and 999 districts.")
        if options["complaints"] < 0 or options["citizens"] < 0:
            raise CommandError("Counts cannot be negative.")
        if options["citizens"] > 899_999_999:
            raise CommandError("At most 899,999,999 citizens (one mobile number range).")
        if not 1 <= options["days"] <= 366:
            raise CommandError("--days must be between 1 and 366.")
        if not 0 <= options["members_per_group"] <= GROUP_CAPACITY:
            raise CommandError(f"--members-per-group must be between 0 and {GROUP_CAPACITY}.")
        if connection.vendor != "postgresql":
            raise CommandError("seed_load needs PostgreSQL (set DATABASE_URL).")
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to create load data: DEBUG is off, so this looks like production. "
                "Pass --allow-production only for a throwaway benchmark server."
            )

    def real_data(self) -> dict[str, int]:
        """Rows that are not load data, by kind (empty when the database holds none)."""
        counts = {
            "stations": scalar(
                "SELECT count(*) FROM stations_station s JOIN stations_district d "
                "ON d.id = s.district_id JOIN stations_state st ON st.id = d.state_id "
                "WHERE st.code <> %s",
                [STATE_CODE],
            ),
            "users": scalar(
                "SELECT count(*) FROM accounts_user WHERE username NOT LIKE %s",
                [USER_PREFIX + "%"],
            ),
            "citizens": scalar(
                "SELECT count(*) FROM people_citizen c JOIN stations_district d "
                "ON d.id = c.district_id JOIN stations_state st ON st.id = d.state_id "
                "WHERE st.code <> %s",
                [STATE_CODE],
            ),
        }
        return {kind: int(n) for kind, n in counts.items() if n}

    # --- main --------------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        self.check_options(options)
        loaded = scalar("SELECT id FROM stations_state WHERE code = %s", [STATE_CODE])
        if loaded:
            complaints = scalar(
                "SELECT count(*) FROM complaints_complaint c JOIN stations_station s "
                "ON s.id = c.station_id JOIN stations_district d ON d.id = s.district_id "
                "WHERE d.state_id = %s",
                [loaded],
            )
            message = f"Load data is already here (state {STATE_CODE}, {complaints} complaints)."
            if options["skip_if_loaded"]:
                self.stdout.write(message + " Nothing to do.")
                return
            raise CommandError(message + " Use a fresh database (or --skip-if-loaded).")
        real = self.real_data()
        if real and not options["force"]:
            described = ", ".join(f"{n} {kind}" for kind, n in real.items())
            raise CommandError(
                f"Refusing to mix load data into a database with real data ({described}). "
                "Use a throwaway database, or --force if you really mean it."
            )
        started = time.perf_counter()
        with transaction.atomic():
            execute("SELECT setseed(0.42)")
            self.timings: dict[str, float] = {}
            WRITTEN.clear()
            bulk = bool(scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
            if bulk:
                # Row-by-row foreign-key triggers would cost minutes at commit for ~6M rows;
                # a superuser may switch them off for this transaction and check every
                # foreign key set-based afterwards (validate_foreign_keys), which is
                # what PostgreSQL's ALTER TABLE ... VALIDATE CONSTRAINT does too.
                execute("SET LOCAL session_replication_role = replica")
            self.seed(options)
            if bulk:
                execute("SET LOCAL session_replication_role = origin")
                self.step("foreign keys checked", self.validate_foreign_keys)
        for step, seconds in self.timings.items():
            self.stdout.write(f"  {step:<28} {seconds:7.1f} s")
        self.analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"Load data created in {time.perf_counter() - started:.1f} s: "
                f"{options['stations']} stations in {options['districts']} districts, "
                f"{options['citizens']} citizens, {options['complaints']} complaints "
                f"over {options['days']} days."
            )
        )

    def step(self, name: str, fn: Any, *args: Any) -> Any:
        started = time.perf_counter()
        result = fn(*args)
        self.timings[name] = time.perf_counter() - started
        return result

    def seed(self, options: dict[str, Any]) -> None:
        today = timezone.localdate()
        self.today = today
        self.first_day = today - timedelta(days=options["days"] - 1)
        self.tz = settings.TIME_ZONE
        self.step("jurisdictions", self.seed_jurisdictions, options)
        self.step("users and postings", self.seed_users, options)
        self.step("citizens", self.seed_citizens, options)
        self.step("complaints", self.seed_complaints, options)
        self.step("tracking counters", self.seed_counters)
        self.step("victim identities", self.seed_identities)
        self.step("timeline events", self.seed_events)
        self.step("counselling sessions", self.seed_counselling)
        self.step("anti-Romeo register", self.seed_romeo)
        self.step("awareness drives", self.seed_drives)
        self.step("resource audits", self.seed_resources)
        self.step("community groups", self.seed_groups, options)
        self.step("broadcasts", self.seed_broadcasts)
        # ON COMMIT DROP does not fire inside an outer transaction (tests): drop them now.
        execute(
            "DROP TABLE IF EXISTS load_station, load_due, load_complaint, load_identity, "
            "load_nominee"
        )

    # --- jurisdictions and people --------------------------------------------------------------

    def seed_jurisdictions(self, options: dict[str, Any]) -> None:
        from stations.models import District, State, Station

        state = State.objects.create(code=STATE_CODE, name="Load State", headquarters="Load HQ")
        self.state_id = state.pk
        districts, stations = options["districts"], options["stations"]
        insert_select(
            District,
            {
                "state_id": str(state.pk),
                "code": "'LOAD' || lpad(d::text, 3, '0')",
                "name": "'Load District ' || d",
                "name_local": "'लोड जनपद ' || d",
                "kind": "'district'",
            },
            "FROM generate_series(1, %s) AS d",
            [districts],
        )
        # Station i (0-based) belongs to district floor(i * D / S): contiguous, even blocks.
        insert_select(
            Station,
            {
                "district_id": "d.id",
                "code": "'LOAD-' || lpad(i::text, 5, '0')",
                "name": "'Load PS ' || i",
                "name_local": "'लोड थाना ' || i",
                "address": "''",
                "phone": "''",
                "whatsapp_number": "''",
                "is_women_station": "(i % 25 = 0)",
                "has_shakti_centre": "true",
                "latitude": "NULL",
                "longitude": "NULL",
                "is_active": "true",
            },
            "FROM generate_series(0, %s - 1) AS i "
            "JOIN stations_district d ON d.code = 'LOAD' || lpad((i * %s / %s + 1)::text, 3, '0')",
            [stations, districts, stations],
        )
        # A map of the load stations: index -> id, district id (used by every later step).
        execute(
            "CREATE TEMP TABLE load_station ON COMMIT DROP AS "
            "SELECT substr(s.code, 6)::int AS idx, s.id, s.district_id, s.code "
            "FROM stations_station s WHERE s.code LIKE 'LOAD-%%' AND s.district_id IN "
            "(SELECT id FROM stations_district WHERE state_id = %s)",
            [state.pk],
        )
        execute("CREATE UNIQUE INDEX ON load_station (idx)")
        execute("ANALYZE load_station")

    def seed_users(self, options: dict[str, Any]) -> None:
        from accounts.models import Posting, User

        password = make_password(options["password"] or None)
        now_sql = "now()"
        common = {
            "password": "%(pw)s",
            "last_login": "NULL",
            "is_superuser": "false",
            "first_name": "''",
            "last_name": "''",
            "email": "''",
            "is_staff": "false",
            "is_active": "true",
            "date_joined": now_sql,
            "preferred_language": "'en'",
            "phone": "''",
        }
        # The one hash for every load user, as a SQL literal (insert_select values take no params).
        quoted = "'" + password.replace("'", "''") + "'"
        base = {k: (quoted if v == "%(pw)s" else v) for k, v in common.items()}
        insert_select(
            User,
            {**base, "username": "'load_ic_' || lpad(idx::text, 5, '0')", "rank": "'Inspector'"},
            "FROM load_station",
        )
        insert_select(
            User,
            {**base, "username": "'load_dh_' || substr(code, 5)", "rank": "'SP'"},
            "FROM stations_district WHERE state_id = %s",
            [self.state_id],
        )
        insert_select(
            User,
            {**base, "username": "'load_cyber_' || substr(code, 5)", "rank": "'Inspector'"},
            "FROM stations_district WHERE state_id = %s",
            [self.state_id],
        )
        insert_select(User, {**base, "username": "'load_state_hq'", "rank": "'ADG'"}, "")
        posting = {
            "starts_on": "NULL",
            "ends_on": "NULL",
            "created_at": now_sql,
            "state_id": "NULL",
            "district_id": "NULL",
            "station_id": "NULL",
        }
        insert_select(
            Posting,
            {**posting, "user_id": "u.id", "role": "'station_ic'", "station_id": "s.id"},
            "FROM load_station s JOIN accounts_user u "
            "ON u.username = 'load_ic_' || lpad(s.idx::text, 5, '0')",
        )
        for prefix, role in (("load_dh_", "district_head"), ("load_cyber_", "cyber_cell")):
            insert_select(
                Posting,
                {**posting, "user_id": "u.id", "role": f"'{role}'", "district_id": "d.id"},
                "FROM stations_district d JOIN accounts_user u "
                "ON u.username = %s || substr(d.code, 5) WHERE d.state_id = %s",
                [prefix, self.state_id],
            )
        insert_select(
            Posting,
            {**posting, "user_id": "u.id", "role": "'state_hq'", "state_id": str(self.state_id)},
            "FROM accounts_user u WHERE u.username = 'load_state_hq'",
        )
        execute(
            "ALTER TABLE load_station ADD COLUMN ic_id bigint; "
            "UPDATE load_station s SET ic_id = u.id FROM accounts_user u "
            "WHERE u.username = 'load_ic_' || lpad(s.idx::text, 5, '0')"
        )

    def seed_citizens(self, options: dict[str, Any]) -> None:
        from people.models import Citizen

        n, stations = options["citizens"], options["stations"]
        # Citizen g lives in station (g - 1) % S; about 3% opted out with the keyword.
        inserted = insert_select(
            Citizen,
            {
                "phone": f"'+91' || ({PHONE_BASE} + g)::text",
                "name": "'Load Citizen ' || g",
                "locality": "'Ward ' || (g % 40 + 1)",
                "district_id": "s.district_id",
                "station_id": "s.id",
                "preferred_language": "(ARRAY['hi','hi','hi','en','bn'])[1 + g % 5]",
                "consent_source": "(ARRAY['officer_form','paper_form','web_form','import'])"
                "[1 + g % 4]",
                "consent_at": "now() - make_interval(days => 40 + g % 300)",
                "consent_note": "''",
                "opted_out_at": "CASE WHEN g % 33 = 0 THEN now() - make_interval(days => g % 30) "
                "END",
                "opt_out_source": "CASE WHEN g % 33 = 0 THEN 'keyword' ELSE '' END",
                "erased_at": "NULL",
                "created_at": "now() - make_interval(days => 40 + g % 300)",
                "updated_at": "now()",
            },
            "FROM generate_series(1, %s) AS g JOIN load_station s ON s.idx = (g - 1) %% %s "
            "ON CONFLICT (phone) DO NOTHING",
            [n, stations],
        )
        if inserted != n:
            raise CommandError(
                f"{n - inserted} load phone numbers already exist in people_citizen: "
                "use a fresh database."
            )

    # --- complaints ------------------------------------------------------------------------------

    def due_table(self) -> None:
        """load_due(day, category, due_on): the complaints SLA policy for every day and category."""
        from complaints.services import due_date

        execute(
            "CREATE TEMP TABLE load_due (day date, category text, due_on date, "
            "PRIMARY KEY (day, category)) ON COMMIT DROP"
        )
        rows = []
        day = self.first_day - timedelta(days=1)
        while day <= self.today:
            for category, _ in CATEGORY_MIX:
                rows.append((day, category, due_date(category=category, registered_on=day)))
            day += timedelta(days=1)
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO load_due VALUES (%s, %s, %s)", rows)

    def seed_complaints(self, options: dict[str, Any]) -> None:
        from complaints.models import Complaint

        self.due_table()
        n, stations = options["complaints"], options["stations"]
        tz = self.tz
        # Draws: r1 station (skewed: the busiest station gets about 2x the average, the
        # quietest 2/3 of it), created_at, r3 category,
        # r4 channel, r5 status, r6 closing delay, r7 SOS.
        raw = f"""
            SELECT g, ls.id AS station_id,
                created_at,
                (created_at AT TIME ZONE '{tz}')::date AS day,
                {weighted_case(CATEGORY_MIX, "r3")} AS category,
                {weighted_case(CHANNEL_MIX, "r4")} AS channel,
                r5, r6, (r7 < 0.01) AS is_sos
            FROM (
                SELECT g, r1, random() AS r3, random() AS r4, random() AS r5,
                    random() AS r6, random() AS r7,
                    least(%s - 1, floor(%s * (r1 + r1 * r1) / 2)::int) AS station_idx,
                    %s::timestamptz + (now() - %s::timestamptz) * random() AS created_at
                FROM generate_series(1, %s) AS g
                CROSS JOIN LATERAL (SELECT random() AS r1, g AS _g) station_draw
            ) draws JOIN load_station ls ON ls.idx = draws.station_idx
        """  # noqa: S608 - fixed fragments built in this module
        # Status from the age: older complaints are mostly disposed of; young ones still open.
        status = """
            CASE
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) THEN 'closed'
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) + 0.03 THEN 'withdrawn'
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) + 0.05 THEN 'transferred'
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) + 0.10 THEN 'action_taken'
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) + 0.15 THEN 'counselling'
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) + 0.27 THEN 'under_enquiry'
                WHEN r5 < least(0.80, 0.05 + 0.035 * age) + 0.35 THEN 'assigned'
                ELSE 'received'
            END
        """
        period_start = timezone.make_aware(
            timezone.datetime.combine(self.first_day, timezone.datetime.min.time())
        )
        execute(
            f"""
            CREATE TEMP TABLE load_complaint ON COMMIT DROP AS
            SELECT c.*, {status} AS status,
                row_number() OVER (PARTITION BY station_id, extract(year FROM day)
                                   ORDER BY created_at, g) AS sequence
            FROM (
                SELECT raw.*, (CURRENT_DATE - day) AS age FROM ({raw}) raw
            ) c
            """,  # noqa: S608 - fixed fragments built in this module
            [stations, stations, period_start, period_start, n],
        )
        inserted = insert_select(
            Complaint,
            {
                "tracking_number": "s.code || '-' || extract(year FROM c.day)::int || '-' || "
                "lpad(c.sequence::text, 5, '0')",
                "station_id": "c.station_id",
                "year": "extract(year FROM c.day)::int",
                "sequence": "c.sequence",
                "channel": "c.channel",
                "category": "c.category",
                "description": "'Synthetic load complaint ' || c.g",
                "occurred_on": "c.day - (c.g % 4)",
                "priority": "CASE WHEN c.is_sos THEN 'urgent' WHEN c.category = ANY("
                + sql_text_array(HIGH_PRIORITY)
                + ") THEN 'high' ELSE 'normal' END",
                "is_sos": "c.is_sos",
                "status": "c.status",
                "assigned_to_id": "CASE WHEN c.status = 'received' THEN NULL ELSE s.ic_id END",
                "due_on": "CASE WHEN c.is_sos THEN c.day ELSE due.due_on END",
                "escalation_level": "0",
                "escalated_at": "NULL",
                "identity_protected": "true",
                "inbound_wamid": "NULL",
                "created_by_id": "s.ic_id",
                "created_at": "c.created_at",
                "closed_at": "CASE WHEN c.status IN ('closed', 'withdrawn') THEN c.created_at + "
                "(now() - c.created_at) * power(c.r6, 2) END",
            },
            "FROM load_complaint c JOIN load_station s ON s.id = c.station_id "
            "JOIN load_due due ON due.day = c.day AND due.category = c.category",
        )
        if inserted != n:
            raise CommandError(f"Expected {n} complaints, inserted {inserted}.")

    def seed_counters(self) -> None:
        from complaints.models import TrackingCounter

        insert_select(
            TrackingCounter,
            {"station_id": "station_id", "year": "year", "last_sequence": "max(sequence)"},
            "FROM complaints_complaint WHERE station_id IN (SELECT id FROM load_station) "
            "GROUP BY station_id, year",
        )

    def seed_identities(self) -> None:
        from complaints.models import VictimIdentity
        from complaints.services import phone_lookup_hash

        fields = {f.name: f for f in VictimIdentity._meta.concrete_fields}

        def encrypted(name: str, value: str) -> Any:
            return fields[name].get_db_prep_save(value, connection)

        execute(
            "CREATE TEMP TABLE load_identity (k int PRIMARY KEY, name text, phone text, "
            "address text, family text, school text, phone_hash text) ON COMMIT DROP"
        )
        rows = []
        for k in range(IDENTITY_POOL):
            phone = f"+91{PHONE_BASE - 1_000_000 + k}"
            rows.append(
                (
                    k,
                    encrypted("name", f"Load Victim {k}"),
                    encrypted("phone", phone),
                    encrypted("address", f"House {k}, Ward {k % 40 + 1}"),
                    encrypted("family", "Mother and two brothers") if k % 3 == 0 else None,
                    encrypted("school_or_workplace", f"Inter College {k % 50}")
                    if k % 2 == 0
                    else None,
                    phone_lookup_hash(phone),
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO load_identity VALUES (%s,%s,%s,%s,%s,%s,%s)", rows)
        insert_select(
            VictimIdentity,
            {
                "complaint_id": "c.id",
                "name": "p.name",
                "phone": "p.phone",
                "address": "p.address",
                "family": "p.family",
                "school_or_workplace": "p.school",
                "phone_hash": "p.phone_hash",
            },
            f"FROM complaints_complaint c JOIN load_identity p "  # noqa: S608 - constants
            f"ON p.k = c.id %% {IDENTITY_POOL} "
            "WHERE c.station_id IN (SELECT id FROM load_station)",
        )

    def seed_events(self) -> None:
        from complaints.models import ComplaintEvent

        insert_select(
            ComplaintEvent,
            {
                "complaint_id": "id",
                "kind": "'registered'",
                "actor_id": "created_by_id",
                "from_status": "''",
                "to_status": "'received'",
                "note": "''",
                "created_at": "created_at",
            },
            "FROM complaints_complaint WHERE station_id IN (SELECT id FROM load_station)",
        )

    def seed_counselling(self) -> None:
        from complaints.models import CounsellingSession

        # About a third of the family cases that reached counselling or beyond had a session.
        insert_select(
            CounsellingSession,
            {
                "complaint_id": "c.id",
                "held_on": "least(CURRENT_DATE, (c.created_at AT TIME ZONE "
                f"'{self.tz}')::date + (c.id % 5)::int)",
                "parties": "'complainant, husband, in-laws'",
                "outcome": weighted_case(COUNSELLING_MIX, "((c.id * 7919) % 1000) / 1000.0"),
                "notes": "''",
                "follow_up_on": "NULL",
                "recorded_by_id": "c.created_by_id",
                "created_at": "now()",
            },
            "FROM complaints_complaint c WHERE c.station_id IN (SELECT id FROM load_station) "  # noqa: S608
            "AND c.category = ANY("
            + sql_text_array(COUNSELLING_CATEGORIES)
            + ") AND c.status IN ('counselling', 'action_taken', 'closed') AND c.id %% 3 = 0",
        )

    # --- field work -------------------------------------------------------------------------------

    def seed_romeo(self) -> None:
        from complaints.models import RomeoAction, RomeoCase, RomeoPerson

        # About one action per station every three days.
        insert_select(
            RomeoAction,
            {
                "station_id": "s.id",
                "acted_on": "day",
                "squad": "'Anti-Romeo squad ' || (s.idx % 3 + 1)",
                "hotspot_id": "NULL",
                "place": "'Market crossing ' || (s.idx % 7 + 1)",
                "action_type": weighted_case(ROMEO_MIX, "r"),
                "notes": "''",
                "recorded_by_id": "s.ic_id",
                "client_token": "NULL",
                "created_at": "now()",
            },
            "FROM load_station s CROSS JOIN generate_series(%s::date, %s::date, '1 day') AS day "
            "CROSS JOIN LATERAL (SELECT random() AS r, random() AS keep, s.idx AS _i, day AS _d) "
            "draw "
            "WHERE draw.keep < 0.33",
            [self.first_day, self.today],
        )
        insert_select(
            RomeoCase,
            {
                "action_id": "a.id",
                "station_id": "a.station_id",
                "fir_number": "(row_number() OVER (PARTITION BY a.station_id, "
                "extract(year FROM a.acted_on) ORDER BY a.acted_on, a.id))::text || '/' || "
                "extract(year FROM a.acted_on)::int",
                "cctns_number": "''",
                "bns_sections": "'78, 79'",
            },
            "FROM complaints_romeoaction a WHERE a.station_id IN (SELECT id FROM load_station) "
            "AND a.action_type = 'case_registered'",
        )
        person = {
            "name": "''",
            "age": "17 + (n * 5 + a.id) % 14",
            "parents_present": "false",
            "bnss_section": "''",
            "case_id": "NULL",
        }
        # Accused arrested when the FIR was registered: one to three per case.
        insert_select(
            RomeoPerson,
            {**person, "action_id": "a.id", "outcome": "'arrested'", "case_id": "k.id"},
            "FROM complaints_romeoaction a JOIN complaints_romeocase k ON k.action_id = a.id "
            "CROSS JOIN LATERAL generate_series(1, 1 + a.id %% 3) AS n "
            "WHERE a.station_id IN (SELECT id FROM load_station)",
        )
        # Later arrests in the station's earliest FIR registered on or before the day.
        insert_select(
            RomeoPerson,
            {**person, "action_id": "a.id", "outcome": "'arrested'", "case_id": "k.id"},
            "FROM complaints_romeoaction a CROSS JOIN LATERAL ("
            "  SELECT kc.id FROM complaints_romeocase kc "
            "  JOIN complaints_romeoaction ka ON ka.id = kc.action_id "
            "  WHERE kc.station_id = a.station_id AND ka.acted_on <= a.acted_on "
            "  ORDER BY ka.acted_on, kc.id LIMIT 1) k "
            "CROSS JOIN LATERAL generate_series(1, 1 + a.id %% 2) AS n "
            "WHERE a.station_id IN (SELECT id FROM load_station) "
            "AND a.action_type = 'accused_arrested'",
        )
        # An "accused arrested" action needs an earlier FIR; drop the ones that found none.
        execute(
            "DELETE FROM complaints_romeoaction a WHERE a.station_id IN "
            "(SELECT id FROM load_station) AND a.action_type = 'accused_arrested' "
            "AND NOT EXISTS (SELECT 1 FROM complaints_romeoperson p WHERE p.action_id = a.id)"
        )
        insert_select(
            RomeoPerson,
            {
                **person,
                "action_id": "a.id",
                "outcome": "'detained'",
                "bnss_section": "(ARRAY['126','135','170'])[1 + (a.id + n) % 3]",
            },
            "FROM complaints_romeoaction a CROSS JOIN LATERAL generate_series(1, 1 + a.id %% 4) "
            "AS n WHERE a.station_id IN (SELECT id FROM load_station) "
            "AND a.action_type = 'preventive'",
        )
        insert_select(
            RomeoPerson,
            {**person, "action_id": "a.id", "outcome": "'warned'", "parents_present": "true"},
            "FROM complaints_romeoaction a CROSS JOIN LATERAL generate_series(1, 1 + a.id %% 3) "
            "AS n WHERE a.station_id IN (SELECT id FROM load_station) "
            "AND a.action_type = 'warned'",
        )

    def seed_drives(self) -> None:
        from outreach.models import AwarenessDrive, DriveTopic

        # About one drive per station every four days, at a school, college or market.
        place = (
            "(ARRAY['Govt. Girls Inter College','Kanya Vidyalaya','Degree College',"
            "'Coaching Centre','Main Market','Bus Stand'])[1 + (s.idx + n) % 6] || ' ' || "
            "(1 + (n * 13 + s.idx) % 40)"
        )
        insert_select(
            AwarenessDrive,
            {
                "station_id": "s.id",
                "held_on": "day",
                "place": place,
                "place_key": f"lower({place})",
                "hotspot_id": "NULL",
                "organiser_ngo_id": "NULL",
                "audience": weighted_case(AUDIENCE_MIX, "r"),
                "people_reached": "30 + floor(r * 370)::int",
                "campaign_id": "NULL",
                "notes": "''",
                "recorded_by_id": "s.ic_id",
                "client_token": "NULL",
                "created_at": "now()",
            },
            "FROM load_station s CROSS JOIN generate_series(%s::date, %s::date, '1 day') "
            "WITH ORDINALITY AS days(day, n) "
            "CROSS JOIN LATERAL (SELECT random() AS r, random() AS keep, s.idx AS _i, day AS _d) "
            "draw "
            "WHERE draw.keep < 0.25",
            [self.first_day, self.today],
        )
        topics = ["legal_rights", "helplines", "cyber_safety", "self_defence", "pocso"]
        for offset in (0, 2):
            insert_select(
                DriveTopic,
                {
                    "drive_id": "d.id",
                    "topic": f"({sql_text_array(topics)})[1 + (d.id + {offset}) % 5]",
                },
                "FROM outreach_awarenessdrive d WHERE d.station_id IN "  # noqa: S608
                "(SELECT id FROM load_station)" + (" AND d.id %% 2 = 0" if offset else ""),
            )

    def seed_resources(self) -> None:
        from stations.models import ActionItem, ResourceAudit, ResourceCheck

        insert_select(
            ResourceAudit,
            {
                "station_id": "s.id",
                "audited_on": f"'{self.first_day.isoformat()}'::date + "
                f"(s.idx % {(self.today - self.first_day).days + 1})",
                "audited_by_id": "s.ic_id",
                "notes": "''",
                "created_at": "now()",
            },
            "FROM load_station s",
        )
        items = sql_text_array(RESOURCE_ITEMS)
        # Item k of station i is short when (3i + k) % 7 = 0: about 1.4 open deficits a station.
        insert_select(
            ActionItem,
            {
                "station_id": "a.station_id",
                "item": f"({items})[k]",
                "raised_in_id": "a.id",
                "description": f"'Provide ' || replace(({items})[k], '_', ' ')",
                "owner_id": "s.ic_id",
                "due_on": "a.audited_on + 30",
                "status": "'open'",
                "closed_at": "NULL",
                "closed_by_id": "NULL",
                "closure_note": "''",
                "closure_file": "''",
                "created_at": "now()",
            },
            "FROM stations_resourceaudit a JOIN load_station s ON s.id = a.station_id "
            f"CROSS JOIN generate_series(1, {len(RESOURCE_ITEMS)}) AS k "
            "WHERE (3 * s.idx + k) %% 7 = 0",
        )
        insert_select(
            ResourceCheck,
            {
                "audit_id": "a.id",
                "item": f"({items})[k]",
                "status": "CASE WHEN ai.id IS NULL THEN 'ok' ELSE 'deficit' END",
                "count": "CASE WHEN ai.id IS NULL THEN 1 + k % 4 ELSE 0 END",
                "notes": "''",
                "action_item_id": "ai.id",
            },
            "FROM stations_resourceaudit a JOIN load_station s ON s.id = a.station_id "
            f"CROSS JOIN generate_series(1, {len(RESOURCE_ITEMS)}) AS k "
            "LEFT JOIN stations_actionitem ai ON ai.raised_in_id = a.id "
            f"AND ai.item = ({items})[k]",
        )

    def seed_groups(self, options: dict[str, Any]) -> None:
        from groups.models import CommunityGroup, Membership, Nomination

        insert_select(
            CommunityGroup,
            {
                "station_id": "s.id",
                "district_id": "NULL",
                "state_id": "NULL",
                "kind": "'women_safety'",
                "name": "'Not Alone ' || s.code",
                "purpose": "'Women''s safety group of the station'",
                "rules": "'No forwards, no politics, no touting. Report trouble to the station.'",
                "capacity": str(GROUP_CAPACITY),
                "seats_taken": "0",
                "invite_link": "''",
                "accepts_applications": "true",
                "public_token": "gen_random_uuid()",
                "is_active": "true",
                "created_by_id": "s.ic_id",
                "created_at": "now()",
            },
            "FROM load_station s",
        )
        execute(
            "INSERT INTO groups_communitygroup_admins (communitygroup_id, user_id) "
            "SELECT g.id, s.ic_id FROM groups_communitygroup g JOIN load_station s "
            "ON s.id = g.station_id"
        )
        members = options["members_per_group"]
        pending = 4
        # The first `members` citizens of each station are members, the next four wait in vetting.
        execute(
            "CREATE TEMP TABLE load_nominee ON COMMIT DROP AS "
            "SELECT c.id AS citizen_id, c.name, c.phone, c.district_id, c.station_id, "
            "c.preferred_language, g.id AS group_id, s.ic_id, rn FROM ("
            "  SELECT c.*, row_number() OVER (PARTITION BY c.station_id ORDER BY c.id) AS rn "
            "  FROM people_citizen c WHERE c.station_id IN (SELECT id FROM load_station) "
            "  AND c.opted_out_at IS NULL) c "
            "JOIN load_station s ON s.id = c.station_id "
            "JOIN groups_communitygroup g ON g.station_id = s.id "
            "WHERE rn <= %s",
            [members + pending],
        )
        base = {
            "group_id": "n.group_id",
            "source": "'officer'",
            "nominator_id": "NULL",
            "recorded_by_id": "n.ic_id",
            "nominee_name": "n.name",
            "nominee_phone": "n.phone",
            "nominee_locality": "''",
            "nominee_district_id": "n.district_id",
            "nominee_language": "n.preferred_language",
            "note": "''",
            "nominee_consent": "true",
            "screening": "'[]'::jsonb",
            "override_reason": "''",
            "override_entry_ids": "'[]'::jsonb",
            "overridden_by_id": "NULL",
            "overridden_at": "NULL",
            "decision_reason": "''",
            "waitlisted_at": "NULL",
            "created_at": "now() - make_interval(days => 60 - (n.rn % 50)::int)",
        }
        insert_select(
            Nomination,
            {
                **base,
                "status": "'approved'",
                "screened_at": "now() - make_interval(days => 59 - (n.rn % 50)::int)",
                "decided_by_id": "n.ic_id",
                "decided_at": "now() - make_interval(days => 58 - (n.rn % 50)::int)",
                "revet_on": "CURRENT_DATE + 365",
                "citizen_id": "n.citizen_id",
            },
            "FROM load_nominee n WHERE n.rn <= %s",
            [members],
        )
        insert_select(
            Nomination,
            {
                **base,
                "status": "CASE WHEN n.rn % 2 = 0 THEN 'screened' ELSE 'submitted' END",
                "screened_at": "CASE WHEN n.rn % 2 = 0 THEN now() END",
                "decided_by_id": "NULL",
                "decided_at": "NULL",
                "revet_on": "NULL",
                "citizen_id": "NULL",
                "created_at": "now() - make_interval(days => (n.rn % 5)::int)",
            },
            "FROM load_nominee n WHERE n.rn > %s",
            [members],
        )
        insert_select(
            Membership,
            {
                "group_id": "n.group_id",
                "citizen_id": "n.citizen_id",
                "nomination_id": "n.id",
                "status": "'active'",
                "joined_on": "(n.decided_at AT TIME ZONE 'UTC')::date",
                "ended_at": "NULL",
                "ended_by_id": "NULL",
                "removal_reason": "''",
                "removal_proposed_at": "NULL",
                "invite_delivery_id": "NULL",
                "invite_error": "''",
            },
            "FROM groups_nomination n WHERE n.status = 'approved' AND n.group_id IN "
            "(SELECT g.id FROM groups_communitygroup g JOIN load_station s ON s.id = g.station_id)",
        )
        execute(
            "UPDATE groups_communitygroup g SET seats_taken = m.n FROM ("
            "  SELECT group_id, count(*) AS n FROM groups_membership WHERE status = 'active' "
            "  GROUP BY group_id) m WHERE m.group_id = g.id"
        )

    def seed_broadcasts(self) -> None:
        from broadcasts.models import Broadcast, Delivery, MessageTemplate

        template, _ = MessageTemplate.objects.get_or_create(
            name="load_awareness",
            language="hi",
            defaults={
                "category": MessageTemplate.Category.MARKETING,
                "body": "साइबर ठगी से सावधान रहें: {{1}}",
                "parameter_count": 1,
                "status": MessageTemplate.Status.APPROVED,
            },
        )
        # One completed awareness broadcast per district, made by the cyber cell, approved by
        # the district head (maker-checker), sent to every messageable citizen of the district.
        sent_day = max(self.first_day, self.today - timedelta(days=7))
        insert_select(
            Broadcast,
            {
                "district_id": "d.id",
                "title": "'Cyber fraud awareness ' || d.code",
                "template_id": str(template.pk),
                "parameters": "'[\"1930\"]'::jsonb",
                "topic": "'cyber_safety'",
                "audience_languages": "'[]'::jsonb",
                "status": "'completed'",
                "status_reason": "''",
                "scheduled_for": "NULL",
                "created_by_id": "mk.id",
                "approved_by_id": "ck.id",
                "created_at": f"'{sent_day.isoformat()}'::date + time '09:00'",
                "started_at": f"'{sent_day.isoformat()}'::date + time '10:00'",
                "finished_at": f"'{sent_day.isoformat()}'::date + time '11:00'",
                "recipient_count": "0",
                "suppressed_count": "0",
                "recurrence": "''",
                "send_time": "NULL",
                "periodic_task_id": "NULL",
                "series_id": "NULL",
                "run_date": "NULL",
            },
            "FROM stations_district d "
            "JOIN accounts_user mk ON mk.username = 'load_cyber_' || substr(d.code, 5) "
            "JOIN accounts_user ck ON ck.username = 'load_dh_' || substr(d.code, 5) "
            "WHERE d.state_id = %s",
            [self.state_id],
        )
        status = weighted_case(DELIVERY_MIX, "((c.id * 2654435761) % 1000) / 1000.0")
        sent = "b.started_at + make_interval(secs => c.id % 3600)"
        insert_select(
            Delivery,
            {
                "broadcast_id": "b.id",
                "citizen_id": "c.id",
                "purpose": "'broadcast'",
                "station_id": "NULL",
                "template_id": "NULL",
                "parameters": "'[]'::jsonb",
                "text": "''",
                "status": "x.status",
                "not_before": "b.started_at",
                "defer_reason": "''",
                "attempts": "CASE WHEN x.status = 'skipped' THEN 0 ELSE 1 END",
                "claimed_at": f"CASE WHEN x.status <> 'skipped' THEN {sent} END",
                "wamid": "CASE WHEN x.status IN ('sent','delivered','read') "
                "THEN 'wamid.LOAD.' || b.id || '.' || c.id END",
                "error_code": "CASE WHEN x.status = 'failed' THEN 131026 END",
                "error_title": "CASE WHEN x.status = 'failed' THEN 'Message undeliverable' "
                "ELSE '' END",
                "sent_at": f"CASE WHEN x.status IN ('sent','delivered','read') THEN {sent} END",
                "delivered_at": f"CASE WHEN x.status IN ('delivered','read') THEN {sent} "
                "+ interval '5 seconds' END",
                "read_at": f"CASE WHEN x.status = 'read' THEN {sent} + interval '20 minutes' END",
                "failed_at": f"CASE WHEN x.status = 'failed' THEN {sent} END",
                "created_at": "b.started_at",
            },
            "FROM broadcasts_broadcast b JOIN stations_district d ON d.id = b.district_id "
            "JOIN people_citizen c ON c.district_id = b.district_id "
            f"CROSS JOIN LATERAL (SELECT {status.replace('%', '%%')} AS status) x "
            "WHERE d.state_id = %s AND c.consent_at IS NOT NULL AND c.opted_out_at IS NULL "
            "AND c.erased_at IS NULL",
            [self.state_id],
        )
        execute(
            "UPDATE broadcasts_broadcast b SET recipient_count = n.n FROM ("
            "  SELECT broadcast_id, count(*) AS n FROM broadcasts_delivery GROUP BY broadcast_id"
            ") n WHERE n.broadcast_id = b.id AND b.district_id IN "
            "(SELECT id FROM stations_district WHERE state_id = %s)",
            [self.state_id],
        )

    def validate_foreign_keys(self) -> None:
        """Every reference of every table written to points at an existing row (set-based).

        Checked: every foreign key with a database constraint, and every one without a
        constraint whose integrity the project still holds (on_delete other than DO_NOTHING):
        the outbox's broadcast_id and citizen_id are kept by statement-level triggers
        (broadcasts migration 0005), which session_replication_role = replica switches off
        along with the row-by-row constraint triggers. Only DO_NOTHING references without a
        constraint (history rows that outlive what they point at) may dangle.
        """
        from groups.models import CommunityGroup

        through = CommunityGroup.admins.through
        checked: set[tuple[str, str]] = set()
        for model in [*dict.fromkeys(WRITTEN), through]:
            for field in model._meta.concrete_fields:
                remote = field.remote_field
                if remote is None:
                    continue
                unchecked = not getattr(field, "db_constraint", True)
                if unchecked and remote.on_delete is models.DO_NOTHING:
                    continue
                table, column = model._meta.db_table, field.column
                if (table, column) in checked:
                    continue
                checked.add((table, column))
                target = remote.model._meta.db_table
                target_column = remote.model._meta.get_field(remote.field_name).column
                orphans = scalar(
                    f"SELECT count(*) FROM {table} c WHERE c.{column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {target} p "
                    f"WHERE p.{target_column} = c.{column})"
                )
                if orphans:
                    raise CommandError(
                        f"{orphans} rows of {table}.{column} point at no {target} row."
                    )

    def analyze(self) -> None:
        """Fresh planner statistics: the report's plans depend on them."""
        with connection.cursor() as cursor:
            for table in (
                "stations_station",
                "people_citizen",
                "complaints_complaint",
                "complaints_victimidentity",
                "complaints_complaintevent",
                "complaints_counsellingsession",
                "complaints_romeoaction",
                "complaints_romeoperson",
                "complaints_romeocase",
                "outreach_awarenessdrive",
                "stations_actionitem",
                "groups_membership",
                "groups_nomination",
                "broadcasts_delivery",
                "broadcasts_broadcast",
            ):
                cursor.execute(f"ANALYZE {table}")
