# The staff queue's indexes (issue 16): its order over assessed intakes (with the id, so pages and the CSV export's
# keyset read straight off it), the weekly chart's arrival time and level, the latest review, and on PostgreSQL a
# trigram index for the name search (UPPER(name) LIKE '%...%', what Django's icontains sends), which has no portable
# equivalent.

import django.db.models.functions.comparison
from django.db import migrations, models

TRIGRAM_INDEX = "intake_invitation_name_trgm"


def create_name_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (development) searches names with a plain scan
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON intake_invitation "
        "USING gin ((UPPER(patient_name::text)) gin_trgm_ops)"
    )


def drop_name_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")  # the extension stays: others may use it


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0007_invitation_language"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="intake",
            name="intake_queue_order",
        ),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(("level__isnull", False)),
                fields=["is_reviewed", "level", "appointment_at", "id"],
                name="intake_queue_order",
            ),
        ),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce("submitted_at", "created_at"),
                models.F("level"),
                condition=models.Q(("level__isnull", False)),
                include=("submitted_at", "created_at"),
                name="intake_arrived_level",
            ),
        ),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(fields=["reviewed_at"], name="intake_reviewed_at"),
        ),
        migrations.RunPython(create_name_search_index, drop_name_search_index, elidable=False),
    ]
