"""The outbox's station and template references: checked set-based too (see 0005).

Both are NULL in every broadcast row, yet PostgreSQL queues one RI trigger event per inserted
row for each foreign key and only skips the check when the event fires at commit: the two keys
cost 1.2-1.4 s per million fanned-out rows (12-15% of the raw insert). Single messages (invites,
acknowledgements) carry them; a few rows at a time, checked by the same statement trigger.

- the AFTER INSERT statement trigger of 0005 also checks every non-null station_id and
  template_id of the new rows (one anti-join each over their distinct values);
- the BEFORE UPDATE row trigger refuses a change of station_id or template_id as well;
- deletes, id changes and truncation of stations_station and broadcasts_messagetemplate are
  checked like the citizen's and the broadcast's (deferred row-level constraint triggers, as
  the dropped constraints were). One generic function each, given the outbox column by name.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

FORWARD = r"""
CREATE OR REPLACE FUNCTION broadcasts_delivery_check_inserted() RETURNS trigger
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
    SELECT s.station_id INTO missing
    FROM (SELECT DISTINCT n.station_id FROM new_rows n WHERE n.station_id IS NOT NULL) s
    WHERE NOT EXISTS (SELECT 1 FROM stations_station p WHERE p.id = s.station_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a delivery refers to station %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_delivery',
                  COLUMN = 'station_id', CONSTRAINT = 'delivery_station_exists';
    END IF;
    SELECT t.template_id INTO missing
    FROM (SELECT DISTINCT n.template_id FROM new_rows n WHERE n.template_id IS NOT NULL) t
    WHERE NOT EXISTS (SELECT 1 FROM broadcasts_messagetemplate p WHERE p.id = t.template_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a delivery refers to template %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'broadcasts_delivery',
                  COLUMN = 'template_id', CONSTRAINT = 'delivery_template_exists';
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER delivery_references_fixed ON broadcasts_delivery;
CREATE TRIGGER delivery_references_fixed
    BEFORE UPDATE ON broadcasts_delivery
    FOR EACH ROW
    WHEN (OLD.citizen_id IS DISTINCT FROM NEW.citizen_id
          OR OLD.broadcast_id IS DISTINCT FROM NEW.broadcast_id
          OR OLD.station_id IS DISTINCT FROM NEW.station_id
          OR OLD.template_id IS DISTINCT FROM NEW.template_id)
    EXECUTE FUNCTION broadcasts_delivery_refuse_repointing();

-- Generic parent-side checks: TG_ARGV[0] is the outbox column that points at this table.
CREATE FUNCTION broadcasts_delivery_parent_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    used boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM broadcasts_delivery WHERE %I = $1)',
                   TG_ARGV[0]) INTO used USING OLD.id;
    IF used THEN
        RAISE EXCEPTION '% % still has deliveries in broadcasts_delivery', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                  CONSTRAINT = 'delivery_' || TG_ARGV[0] || '_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION broadcasts_delivery_parent_id_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    used boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM broadcasts_delivery WHERE %I = $1)',
                   TG_ARGV[0]) INTO used USING OLD.id;
    IF used THEN
        RAISE EXCEPTION '% % has deliveries: its id cannot change', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                  CONSTRAINT = 'delivery_' || TG_ARGV[0] || '_exists';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION broadcasts_delivery_parent_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    used boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM broadcasts_delivery WHERE %I IS NOT NULL)',
                   TG_ARGV[0]) INTO used;
    IF used THEN
        RAISE EXCEPTION '% cannot be truncated while deliveries point at it', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                  CONSTRAINT = 'delivery_' || TG_ARGV[0] || '_exists';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER station_not_referenced_by_delivery
    AFTER DELETE ON stations_station
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION broadcasts_delivery_parent_deleted('station_id');
CREATE TRIGGER station_id_fixed_under_deliveries
    BEFORE UPDATE OF id ON stations_station
    FOR EACH ROW WHEN (OLD.id <> NEW.id)
    EXECUTE FUNCTION broadcasts_delivery_parent_id_changed('station_id');
CREATE TRIGGER station_truncate_under_deliveries
    AFTER TRUNCATE ON stations_station
    FOR EACH STATEMENT EXECUTE FUNCTION broadcasts_delivery_parent_truncated('station_id');

CREATE CONSTRAINT TRIGGER template_not_referenced_by_delivery
    AFTER DELETE ON broadcasts_messagetemplate
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION broadcasts_delivery_parent_deleted('template_id');
CREATE TRIGGER template_id_fixed_under_deliveries
    BEFORE UPDATE OF id ON broadcasts_messagetemplate
    FOR EACH ROW WHEN (OLD.id <> NEW.id)
    EXECUTE FUNCTION broadcasts_delivery_parent_id_changed('template_id');
CREATE TRIGGER template_truncate_under_deliveries
    AFTER TRUNCATE ON broadcasts_messagetemplate
    FOR EACH STATEMENT EXECUTE FUNCTION broadcasts_delivery_parent_truncated('template_id');
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS template_truncate_under_deliveries ON broadcasts_messagetemplate;
DROP TRIGGER IF EXISTS template_id_fixed_under_deliveries ON broadcasts_messagetemplate;
DROP TRIGGER IF EXISTS template_not_referenced_by_delivery ON broadcasts_messagetemplate;
DROP TRIGGER IF EXISTS station_truncate_under_deliveries ON stations_station;
DROP TRIGGER IF EXISTS station_id_fixed_under_deliveries ON stations_station;
DROP TRIGGER IF EXISTS station_not_referenced_by_delivery ON stations_station;
DROP FUNCTION IF EXISTS broadcasts_delivery_parent_truncated();
DROP FUNCTION IF EXISTS broadcasts_delivery_parent_id_changed();
DROP FUNCTION IF EXISTS broadcasts_delivery_parent_deleted();
DROP TRIGGER delivery_references_fixed ON broadcasts_delivery;
CREATE TRIGGER delivery_references_fixed
    BEFORE UPDATE ON broadcasts_delivery
    FOR EACH ROW
    WHEN (OLD.citizen_id IS DISTINCT FROM NEW.citizen_id
          OR OLD.broadcast_id IS DISTINCT FROM NEW.broadcast_id)
    EXECUTE FUNCTION broadcasts_delivery_refuse_repointing();
"""


def create_triggers(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def drop_triggers(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)
        # 0005's insert check (citizen and broadcast only) comes back with 0005's own text.
        from importlib import import_module

        previous = import_module("broadcasts.migrations.0005_delivery_set_based_integrity")
        start = previous.FORWARD.index("CREATE FUNCTION broadcasts_delivery_check_inserted")
        end = previous.FORWARD.index("CREATE TRIGGER delivery_references_exist")
        body = previous.FORWARD[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        schema_editor.execute(body, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("broadcasts", "0005_delivery_set_based_integrity"),
        ("stations", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="station",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="stations.station",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="template",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="broadcasts.messagetemplate",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
