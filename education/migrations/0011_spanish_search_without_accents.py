"""Spanish search that does not care about accents ("ciatica" finds "ciática", as patients type on phones): a text
search configuration `portal_spanish`, Spanish stemming after PostgreSQL's `unaccent` (a trusted extension: the
database owner may add it), and the translations' vectors made again with it. PostgreSQL only."""

from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "portal_spanish"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
        exists = cursor.fetchone() is not None
    if not exists:
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = spanish)")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem"
        )
    translations = apps.get_model("education", "ArticleTranslation")
    translations.objects.filter(language="es").update(
        search_vector=SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector("body_text", weight="C", config=CONFIG)
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    translations = apps.get_model("education", "ArticleTranslation")
    translations.objects.filter(language="es").update(
        search_vector=SearchVector("title", weight="A", config="spanish")
        + SearchVector("summary", weight="B", config="spanish")
        + SearchVector("body_text", weight="C", config="spanish")
    )
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("education", "0010_translation_search")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
