"""The outbox's broadcast and citizen references: set-based triggers instead of per-row FKs.

A foreign key makes PostgreSQL queue one RI trigger event per inserted row and, at commit, run
`SELECT ... FOR KEY SHARE` on the parent row for each: a 1M-row fan-out paid ~2M row-by-row
checks and dirtied every citizen heap page (fanout_1m 2.41x the raw INSERT ... SELECT against
1.12x with the same foreign keys). The constraints are dropped (db_constraint=False) and these
PL/pgSQL triggers keep the same guarantees, with one anti-join per inserting statement:

- AFTER INSERT on broadcasts_delivery (statement, transition table new_rows): every new row's
  citizen exists, and its broadcast (when set) exists.
- BEFORE UPDATE on broadcasts_delivery (row, only when citizen_id or broadcast_id changes): a
  delivery never moves to another citizen or broadcast; status updates do not fire it.
- AFTER DELETE on people_citizen / broadcasts_broadcast (row-level constraint triggers,
  DEFERRABLE INITIALLY DEFERRED, like the dropped constraints): at commit, no delivery still
  points at a deleted row. The ORM refuses a citizen with deliveries (PROTECT) and deletes a
  broadcast's deliveries (CASCADE), though not necessarily before the broadcast row (Django
  relies on deferred checks for nullable references), hence deferred; these catch raw SQL.
  Parents are rarely deleted, so the per-row check costs nothing that matters.
- BEFORE UPDATE OF id on both parents (row, WHEN OLD.id <> NEW.id): a referenced id never
  changes.
- AFTER TRUNCATE on both parents: a parent table is not emptied under deliveries that point
  at it (a TRUNCATE of the parent and the outbox together, as Django's test flush does, passes).

Each raises SQLSTATE 23503 (foreign_key_violation), so Django raises IntegrityError, as it did
for the constraint. PostgreSQL only: SQLite (local development) has no statement triggers with
transition tables, and relies on the ORM's on_delete there.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

FORWARD = r"""
CREATE FUNCTION broadcasts_delivery_check_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    SELECT n.citizen_id INTO missing
    FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM people_citizen c WHERE c.id = n.citizen_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a delivery refers to citizen %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_delivery',
                  COLUMN = 'citizen_id', CONSTRAINT = 'delivery_citizen_exists';
    END IF;
    SELECT b.broadcast_id INTO missing
    FROM (SELECT DISTINCT n.broadcast_id FROM new_rows n WHERE n.broadcast_id IS NOT NULL) b
    WHERE NOT EXISTS (SELECT 1 FROM broadcasts_broadcast p WHERE p.id = b.broadcast_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a delivery refers to broadcast %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_delivery',
                  COLUMN = 'broadcast_id', CONSTRAINT = 'delivery_broadcast_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER delivery_references_exist
    AFTER INSERT ON broadcasts_delivery
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION broadcasts_delivery_check_inserted();

CREATE FUNCTION broadcasts_delivery_refuse_repointing() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'delivery % cannot move to another citizen or broadcast', OLD.id
        USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_delivery',
              CONSTRAINT = 'delivery_references_fixed';
END;
$$;

CREATE TRIGGER delivery_references_fixed
    BEFORE UPDATE ON broadcasts_delivery
    FOR EACH ROW
    WHEN (OLD.citizen_id IS DISTINCT FROM NEW.citizen_id
          OR OLD.broadcast_id IS DISTINCT FROM NEW.broadcast_id)
    EXECUTE FUNCTION broadcasts_delivery_refuse_repointing();

-- Parent deletes: checked per deleted row at commit, as the dropped constraints did (NO
-- ACTION, DEFERRABLE INITIALLY DEFERRED). Deferred, because Django's delete collector does
-- not order a nullable reference's rows before their parent: deleting a broadcast through the
-- ORM may delete the broadcast row before its (CASCADE) deliveries in the same transaction.
-- Parents are rarely deleted, so the per-row cost never mattered; the inserts did.
CREATE FUNCTION people_citizen_check_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM broadcasts_delivery d WHERE d.citizen_id = OLD.id) THEN
        RAISE EXCEPTION 'citizen % still has deliveries in broadcasts_delivery', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'people_citizen',
                  CONSTRAINT = 'delivery_citizen_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER citizen_not_referenced_by_delivery
    AFTER DELETE ON people_citizen
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION people_citizen_check_deleted();

CREATE FUNCTION broadcasts_broadcast_check_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM broadcasts_delivery d WHERE d.broadcast_id = OLD.id) THEN
        RAISE EXCEPTION 'broadcast % still has deliveries in broadcasts_delivery', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_broadcast',
                  CONSTRAINT = 'delivery_broadcast_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER broadcast_not_referenced_by_delivery
    AFTER DELETE ON broadcasts_broadcast
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION broadcasts_broadcast_check_deleted();

CREATE FUNCTION people_citizen_check_id_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM broadcasts_delivery d WHERE d.citizen_id = OLD.id) THEN
        RAISE EXCEPTION 'citizen % has deliveries: its id cannot change', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'people_citizen',
                  CONSTRAINT = 'delivery_citizen_exists';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER citizen_id_fixed_under_deliveries
    BEFORE UPDATE OF id ON people_citizen
    FOR EACH ROW WHEN (OLD.id <> NEW.id)
    EXECUTE FUNCTION people_citizen_check_id_change();

CREATE FUNCTION broadcasts_broadcast_check_id_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM broadcasts_delivery d WHERE d.broadcast_id = OLD.id) THEN
        RAISE EXCEPTION 'broadcast % has deliveries: its id cannot change', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_broadcast',
                  CONSTRAINT = 'delivery_broadcast_exists';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER broadcast_id_fixed_under_deliveries
    BEFORE UPDATE OF id ON broadcasts_broadcast
    FOR EACH ROW WHEN (OLD.id <> NEW.id)
    EXECUTE FUNCTION broadcasts_broadcast_check_id_change();

-- AFTER TRUNCATE triggers run once every table of the TRUNCATE statement is empty, so
-- truncating a parent together with the outbox passes and truncating it alone does not.
CREATE FUNCTION people_citizen_check_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM broadcasts_delivery) THEN
        RAISE EXCEPTION 'people_citizen cannot be truncated while broadcasts_delivery has rows'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'people_citizen',
                  CONSTRAINT = 'delivery_citizen_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER citizen_truncate_under_deliveries
    AFTER TRUNCATE ON people_citizen
    FOR EACH STATEMENT EXECUTE FUNCTION people_citizen_check_truncated();

CREATE FUNCTION broadcasts_broadcast_check_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM broadcasts_delivery WHERE broadcast_id IS NOT NULL) THEN
        RAISE EXCEPTION 'broadcasts_broadcast cannot be truncated while deliveries point at it'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_broadcast',
                  CONSTRAINT = 'delivery_broadcast_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER broadcast_truncate_under_deliveries
    AFTER TRUNCATE ON broadcasts_broadcast
    FOR EACH STATEMENT EXECUTE FUNCTION broadcasts_broadcast_check_truncated();
"""

REVERSE = """
DROP TRIGGER IF EXISTS broadcast_truncate_under_deliveries ON broadcasts_broadcast;
DROP TRIGGER IF EXISTS citizen_truncate_under_deliveries ON people_citizen;
DROP TRIGGER IF EXISTS broadcast_id_fixed_under_deliveries ON broadcasts_broadcast;
DROP TRIGGER IF EXISTS citizen_id_fixed_under_deliveries ON people_citizen;
DROP TRIGGER IF EXISTS broadcast_not_referenced_by_delivery ON broadcasts_broadcast;
DROP TRIGGER IF EXISTS citizen_not_referenced_by_delivery ON people_citizen;
DROP TRIGGER IF EXISTS delivery_references_fixed ON broadcasts_delivery;
DROP TRIGGER IF EXISTS delivery_references_exist ON broadcasts_delivery;
DROP FUNCTION IF EXISTS broadcasts_broadcast_check_truncated();
DROP FUNCTION IF EXISTS people_citizen_check_truncated();
DROP FUNCTION IF EXISTS broadcasts_broadcast_check_id_change();
DROP FUNCTION IF EXISTS people_citizen_check_id_change();
DROP FUNCTION IF EXISTS broadcasts_broadcast_check_deleted();
DROP FUNCTION IF EXISTS people_citizen_check_deleted();
DROP FUNCTION IF EXISTS broadcasts_delivery_refuse_repointing();
DROP FUNCTION IF EXISTS broadcasts_delivery_check_inserted();
"""


def create_triggers(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def drop_triggers(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("broadcasts", "0004_broadcast_audience_sources"),
        ("people", "0003_citizen_lists"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="broadcast",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="broadcasts.broadcast",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="citizen",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="deliveries",
                to="people.citizen",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
