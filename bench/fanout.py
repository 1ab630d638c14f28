"""Fan-out: preparing a broadcast's deliveries vs a raw INSERT ... SELECT of the same rows.

    python scripts/test_services.py -- python bench/fanout.py [--sizes 50000,1000000]

The raw baseline inserts the same (broadcast, citizen) rows, with the same columns, into a copy
of broadcasts_delivery that has the same indexes and CHECK/UNIQUE constraints (CREATE TABLE ...
LIKE ... INCLUDING ALL: no foreign keys, no triggers), from the same citizens and the same
WHERE clause, in the same run. That is the target line (`fanout_50k`, `fanout_1m`).

The portal's outbox has no per-row foreign key on broadcast_id and citizen_id: a statement-level
trigger checks all inserted rows with one anti-join each (broadcasts migration 0005). Its
station_id and template_id keep their (deferred) foreign keys; they are NULL in broadcast rows.
The information line `fanout_*_vs_row_fks` compares against a copy that also has per-row
DEFERRABLE INITIALLY DEFERRED foreign keys on broadcast_id and citizen_id, the former design,
to show what those row-by-row checks cost at this size.
"""

from __future__ import annotations

import argparse
import time

from common import bench_line, setup_django


def seed_citizens(n: int) -> tuple[int, int]:
    """n consenting citizens of one district (set-based), with ~3% opted out."""
    from django.db import connection

    from stations.models import District, State, Station

    state, _ = State.objects.get_or_create(code="BN", defaults={"name": "Bench State"})
    district, _ = District.objects.get_or_create(
        code=f"BN{n}", defaults={"state": state, "name": f"Bench {n}"}
    )
    station, _ = Station.objects.get_or_create(
        code=f"BN{n}-PS", defaults={"district": district, "name": "Bench PS"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_citizen WHERE district_id = %s", [district.pk])
        if cursor.fetchone()[0] < n:
            cursor.execute(
                """
                INSERT INTO people_citizen (phone, name, locality, district_id, station_id,
                    preferred_language, consent_source, consent_at, consent_note,
                    opted_out_at, opt_out_source, created_at, updated_at)
                SELECT '+91' || (6000000000 + %s * 10 + g)::text, 'Citizen ' || g, '', %s, %s,
                    (ARRAY['hi','bn','en'])[1 + g %% 3], 'import', now(), '',
                    CASE WHEN g %% 33 = 0 THEN now() END,
                    CASE WHEN g %% 33 = 0 THEN 'keyword' ELSE '' END, now(), now()
                FROM generate_series(1, %s) AS g
                ON CONFLICT (phone) DO NOTHING
                """,
                [n, district.pk, station.pk, n],
            )
        cursor.execute("ANALYZE people_citizen")
    return district.pk, station.pk


def new_broadcast(district_id: int):  # type: ignore[no-untyped-def]
    from accounts.models import User
    from broadcasts import demo
    from broadcasts.models import Broadcast, MessageTemplate

    demo.seed_sandbox_templates()
    user, _ = User.objects.get_or_create(username="bench")
    return Broadcast.objects.create(
        district_id=district_id,
        title="bench",
        template=MessageTemplate.objects.get(name="cyber_fraud_awareness", language="hi"),
        parameters=["Bench"],
        created_by=user,
        status=Broadcast.Status.PREPARING,
    )


RAW_SQL = """
INSERT INTO bench_delivery (broadcast_id, citizen_id, purpose, station_id, parameters, text,
    status, not_before, defer_reason, attempts, error_title, created_at)
SELECT %s, c.id, 'broadcast', NULL, '[]', '', 'pending', now(), '', 0, '', now()
FROM people_citizen c
WHERE c.district_id = %s AND c.consent_at IS NOT NULL AND c.opted_out_at IS NULL
  AND c.erased_at IS NULL
ON CONFLICT DO NOTHING
"""


FOREIGN_KEYS = """
ALTER TABLE bench_delivery
    ADD FOREIGN KEY (broadcast_id) REFERENCES broadcasts_broadcast (id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD FOREIGN KEY (citizen_id) REFERENCES people_citizen (id)
        DEFERRABLE INITIALLY DEFERRED
"""


def measure_raw(district_id: int, broadcast_id: int, *, foreign_keys: bool) -> float:
    """The same INSERT ... SELECT into a copy of the outbox (same indexes; optionally per-row
    foreign keys on broadcast_id and citizen_id), committed, as the portal's fan-out is
    (deferred FK checks run at commit)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_delivery")
        cursor.execute("CREATE TABLE bench_delivery (LIKE broadcasts_delivery INCLUDING ALL)")
        if foreign_keys:
            cursor.execute(FOREIGN_KEYS)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [broadcast_id, district_id])
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_delivery")
    return elapsed


def measure_portal(district_id: int) -> tuple[float, int]:
    from django.db import connection, transaction

    from broadcasts import audience

    with connection.cursor() as cursor:  # start from an empty outbox, as the raw table does
        cursor.execute("TRUNCATE broadcasts_delivery CASCADE")  # throwaway bench database
    broadcast = new_broadcast(district_id)
    start = time.perf_counter()
    with transaction.atomic():
        count = audience.fan_out(broadcast)
    return time.perf_counter() - start, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50000,1000000")
    args = parser.parse_args()
    setup_django()
    from broadcasts.models import Broadcast

    for size in [int(s) for s in args.sizes.split(",")]:
        label = f"fanout_{size // 1000}k" if size < 1_000_000 else f"fanout_{size // 1_000_000}m"
        district_id, _ = seed_citizens(size)
        runs = 3 if size < 1_000_000 else 2
        portal_times, raw_times, raw_fk_times = [], [], []
        for _ in range(runs):  # alternate, best of each: less noise on a shared 2-core box
            portal_s, count = measure_portal(district_id)
            portal_times.append(portal_s)
            broadcast_id = Broadcast.objects.latest("id").pk
            raw_times.append(measure_raw(district_id, broadcast_id, foreign_keys=False))
            raw_fk_times.append(measure_raw(district_id, broadcast_id, foreign_keys=True))
        portal_s, raw_s, raw_fk_s = min(portal_times), min(raw_times), min(raw_fk_times)
        bench_line(
            f"{label}_vs_row_fks",
            value=count / portal_s,
            unit="rows/s",
            raw=count / raw_fk_s,
            ratio=portal_s / raw_fk_s,
            ratio_kind="time/raw_time",
            target="information: raw table with per-row foreign keys (the former design)",
        )
        bench_line(
            label,
            value=count / portal_s,
            unit="rows/s",
            raw=count / raw_s,
            ratio=portal_s / raw_s,
            ratio_kind="time/raw_time",
            target="<=2x" if size < 1_000_000 else "<=1.5x",
        )


if __name__ == "__main__":
    main()
