"""A GIN index on the stored search vector, on PostgreSQL only.

The index lives in a migration rather than in Article.Meta.indexes: SQLite cannot build a GIN index, and SQLite
rebuilds a table's Meta indexes whenever a later migration alters it.
"""

from django.db import migrations

INDEX = "education_article_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON education_article USING gin (search_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("education", "0002_article_publishing")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
