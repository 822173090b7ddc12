"""On PostgreSQL, make audit_auditevent append-only for every client, not just Django.

The trigger refuses:
- UPDATE, except the one Django issues when an actor's account is deleted (ON DELETE
  SET NULL, emulated by Django): actor_id set to NULL with every other column unchanged;
- DELETE, unless the transaction has run ``SET LOCAL tandem.audit_purge = 'on'``, which
  only the retention purge does (audit.services.purge_events_before).

TRUNCATE is not blocked: test databases are flushed with it. Production's database role
should not be granted TRUNCATE on this table.

SQLite has no such triggers here; there the model and queryset guards (audit.models) apply.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: UPDATE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF current_setting('tandem.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: DELETE refused outside the retention purge'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
