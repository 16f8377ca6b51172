"""Fill `Intake.last_review_before_sending` (0024) and read the call-backs owed after a review before sending through
it: the every-minute sweep read the whole intake table at 20,000 intakes, PostgreSQL guessing a third of them for
`reviewed_at < submitted_at` (two columns it keeps no statistics across).

Safe on a large table: not one transaction (`atomic = False`). The fill is one UPDATE of the few intakes whose last
review came before sending (row locks on those alone); on PostgreSQL the new partial index is built and the one it
replaces dropped CONCURRENTLY, neither blocking the patients' and clinicians' writes. Inside a transaction (a test's
migrations) or on SQLite the index is built the ordinary way.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


def _concurrently(schema_editor) -> bool:
    connection = schema_editor.connection
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class AddIndexConcurrentlyWherePossible(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _concurrently(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _concurrently(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrentlyWherePossible(RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _concurrently(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _concurrently(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


def fill(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    Intake.objects.filter(reviewed_at__lt=models.F("submitted_at"), last_review_before_sending=False).update(
        last_review_before_sending=True
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("intake", "0024_last_review_before_sending")]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        AddIndexConcurrentlyWherePossible(
            model_name="intake",
            index=models.Index(
                condition=models.Q(call_back_by__isnull=False, is_reviewed=True, last_review_before_sending=True),
                fields=["call_back_by"],
                name="intake_call_back_early_review",
            ),
        ),
        RemoveIndexConcurrentlyWherePossible(model_name="intake", name="intake_call_back_early"),
    ]
