"""Make the identity access log append-only in the database itself (PostgreSQL).

Same pattern as accounts 0003: no UPDATE, no DELETE; TRUNCATE stays possible for test flushes.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION complaints_identityaccesslog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'complaints_identityaccesslog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER complaints_identityaccesslog_append_only
    BEFORE UPDATE OR DELETE ON complaints_identityaccesslog
    FOR EACH ROW EXECUTE FUNCTION complaints_identityaccesslog_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS complaints_identityaccesslog_append_only ON complaints_identityaccesslog;
DROP FUNCTION IF EXISTS complaints_identityaccesslog_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_counselling_sessions")]
    operations = [migrations.RunPython(forward, backward)]
