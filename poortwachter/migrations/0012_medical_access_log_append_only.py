"""The medical access log is append-only, enforced by the database.

On PostgreSQL a trigger refuses every UPDATE and DELETE of a row, and a
TRUNCATE of the table while it holds rows (an empty table may be truncated:
the test runner empties every table between transactional tests). Nothing
the application sends can change the log; a DBA who must purge rows older
than the retention period does it as the table owner with the trigger
disabled, outside the application. SQLite (``make demo``) gets no trigger.
"""

from django.db import migrations

TABLE = "poortwachter_medicalaccesslog"

CREATE = f"""
CREATE OR REPLACE FUNCTION hervat_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO has_rows;
        IF NOT has_rows THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {TABLE}_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION hervat_append_only();
CREATE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION hervat_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS hervat_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("poortwachter", "0011_medical_access_log_labels")]

    operations = [migrations.RunPython(forward, backward)]
