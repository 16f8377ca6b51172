"""The search vector of article translations (a reader of Spanish searches the Spanish words), its GIN index on
PostgreSQL only (as 0003 for articles: SQLite has no GIN index), and the vectors of the translations already there."""

import django.contrib.postgres.search
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = "education_translation_search_gin"
CONFIGS = {"es": "spanish"}  # education.models.translations.SEARCH_CONFIGS when this was written


def fill_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    translations = apps.get_model("education", "ArticleTranslation")
    for language in translations.objects.values_list("language", flat=True).distinct():
        config = CONFIGS.get(language, "simple")
        translations.objects.filter(language=language).update(
            search_vector=SearchVector("title", weight="A", config=config)
            + SearchVector("summary", weight="B", config=config)
            + SearchVector("body_text", weight="C", config=config)
        )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON education_articletranslation USING gin (search_vector)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("education", "0009_topic_translations")]

    operations = [
        migrations.AddField(
            model_name="articletranslation",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill_and_index, drop_index, elidable=False),
    ]
