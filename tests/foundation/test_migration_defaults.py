"""A column a migration adds while the previous release still runs must not break that release's inserts.

During a deploy, `migrate` runs while web and worker processes on the code before it keep saving rows (a patient's
receipt is queued in the transaction that sends their form). Their INSERT names no new column, so a NOT NULL column
added without a database default (`db_default`; Django's `default` lives in Python only) makes every such insert fail
until they restart. messaging 0006's `claim` went through review without one (messaging 0008 added it), and so
did education 0015.
"""

from __future__ import annotations

from django.apps import apps
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

OUR_APPS = {"accounts", "alerts", "audit", "clinic_portal", "dashboard", "education", "intake", "messaging", "outcomes"}

# Added before this rule was written down (December 2026); they have run on every database there is, and giving an
# applied migration a default now changes nothing for a deploy.
BEFORE_RELEASES = {
    ("education", "0002_article_publishing"),
    ("education", "0005_editorial_workflow"),
    ("education", "0008_translation_approval"),
    ("intake", "0004_red_flag_answers_and_review_outcomes"),
    ("intake", "0006_renewed_links_and_device_codes"),
    ("intake", "0007_invitation_language"),
    ("intake", "0009_patients_and_follow_ups"),
    ("intake", "0012_review_round_and_emergency_kind"),
    ("messaging", "0003_outboundmessage_channel"),
}


def columns_added_without_a_database_default() -> list[str]:
    """Each NOT NULL column a migration of ours adds that has no database default now (a later migration may give it
    one, as messaging 0008 did for 0006's `claim`)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app not in OUR_APPS or (app, name) in BEFORE_RELEASES:
            continue
        for operation in migration.operations:
            if not isinstance(operation, migrations.AddField):
                continue
            field = operation.field
            if field.null or field.many_to_many or field.db_default is not NOT_PROVIDED:
                continue
            model = apps.get_model(app, operation.model_name)
            if model._meta.get_field(operation.name).db_default is NOT_PROVIDED:
                found.append(f"{app}.{name}: {operation.model_name}.{operation.name}")
    return found


def test_every_not_null_column_added_since_the_first_release_has_a_database_default():
    assert columns_added_without_a_database_default() == []
