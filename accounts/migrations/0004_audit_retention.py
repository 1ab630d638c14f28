"""Let the audit log be purged after its retention period, and never before.

The append-only trigger (0003) still refuses every UPDATE and every DELETE, except a DELETE of
a row older than the retention that the purge (accounts.audit_retention) announces for its
own transaction with `SET LOCAL thana.audit_retention_days = '<days>'`; the trigger itself
refuses any announced retention under 365 days, so no setting or bug can purge a younger row.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_refuse_change() RETURNS trigger AS $$
DECLARE
    retention_days integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        retention_days := NULLIF(current_setting('thana.audit_retention_days', true), '')::integer;
        IF retention_days IS NOT NULL AND retention_days >= 365
           AND OLD.created_at < now() - make_interval(days => retention_days) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'accounts_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]
