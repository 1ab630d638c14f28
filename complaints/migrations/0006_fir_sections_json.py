"""FirRegistration.bns_sections: a JSON list (migration 0005 now creates it so).

0005 first made it a PostgreSQL array (varchar(16)[]), which SQLite cannot create: `make run`
(the embedded setup) stopped at 0005. 0005 now creates a jsonb column; a PostgreSQL database
that applied the old 0005 still has the array, which this converts in place (to_jsonb keeps
every list as it was) with the non-empty check re-made for jsonb. Anywhere else: nothing.
"""

from __future__ import annotations

from django.db import migrations

CONVERT = """
ALTER TABLE complaints_firregistration DROP CONSTRAINT IF EXISTS complaint_fir_has_sections;
ALTER TABLE complaints_firregistration
    ALTER COLUMN bns_sections DROP DEFAULT,
    ALTER COLUMN bns_sections TYPE jsonb USING to_jsonb(bns_sections);
ALTER TABLE complaints_firregistration
    ADD CONSTRAINT complaint_fir_has_sections CHECK (NOT (bns_sections = '[]'::jsonb));
"""


def convert_array_column(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'complaints_firregistration' AND column_name = 'bns_sections'"
        )
        row = cursor.fetchone()
    if row and row[0] == "ARRAY":
        schema_editor.execute(CONVERT, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_casework")]

    operations = [migrations.RunPython(convert_array_column, migrations.RunPython.noop)]
