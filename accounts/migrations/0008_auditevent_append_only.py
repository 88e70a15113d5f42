"""The audit trail can only lose what retention takes away, enforced by the
database.

On PostgreSQL a trigger refuses:

* an UPDATE that changes anything but the two redactions retention makes:
  ``data`` emptied (what the change was about goes, who/what/when stays) and
  ``actor_id`` set to NULL (the account was removed, ON DELETE SET NULL);
* a DELETE, unless the transaction says it purges expired events
  (``accounts.services.audit_events_purge`` sets ``hervat.audit_purge``).

So nothing the application sends by mistake can rewrite the history of a
case. TRUNCATE is left alone: the application role holds no TRUNCATE
privilege in production (deploy/postgres/initdb), and the test runner
empties tables with it. SQLite (``make demo``) gets no trigger.
"""

from django.db import migrations

TABLE = "accounts_auditevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION hervat_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('hervat.audit_purge', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF NEW.tenant_id = OLD.tenant_id
        AND NEW.action = OLD.action
        AND NEW.object_type = OLD.object_type
        AND NEW.object_id = OLD.object_id
        AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id
        AND NEW.occurred_at = OLD.occurred_at
        AND (NEW.data = OLD.data OR NEW.data = '{{}}'::jsonb)
        AND (NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id OR NEW.actor_id IS NULL)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {TABLE}_guard
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION hervat_audit_guard();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_guard ON {TABLE};
DROP FUNCTION IF EXISTS hervat_audit_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_tenant_require_2fa_for_managers")]

    operations = [migrations.RunPython(forward, backward)]
