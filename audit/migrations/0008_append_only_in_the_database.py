"""The audit trail is append-only in the database too, on PostgreSQL (production and CI).

`audit.models.AppendOnly` refuses `save()` of a stored row and `delete()` of one, but a query set's `update()` or
`delete()`, raw SQL, or a bug elsewhere went straight past it. These triggers refuse every UPDATE and DELETE of a
row of `audit_auditevent` and `audit_eventintake`, whoever sends it, with one exception: removing a staff account sets
the actor of its entries to NULL (`on_delete=SET_NULL`), and the trail keeps the name as text (`actor_username`);
that change alone, and nothing else in the row, is let through.

Not covered: TRUNCATE (the tests' database flush uses it; a row trigger never sees it), and a database superuser,
who can drop the triggers. SQLite (`make run`'s development database) keeps the Python guard only: the tests' flush
of it deletes rows one statement at a time, which a trigger there would refuse.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_auditevent'
       AND to_jsonb(OLD) ->> 'actor_id' IS NOT NULL AND to_jsonb(NEW) ->> 'actor_id' IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;  -- a staff account removed: its entries keep the username as text
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % of a row of % refused', TG_OP, TG_TABLE_NAME;
END
$$;
"""
TABLES = ("audit_auditevent", "audit_eventintake")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # its "%" are plpgsql's, not placeholders
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_visit_cancel_actions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
