"""Every article's and translation's search vector made again without the clinic placeholders' names
(education/models/search_text.py): "phone" or "emergency number" found every article with a placeholder. PostgreSQL
only; batches of ids, so a big library is not rewritten in one statement."""

from django.db import migrations

from education.models.search_text import article_vector

SEARCH_CONFIGS = {"es": "portal_spanish"}  # education.models.translations.SEARCH_CONFIGS
BATCH = 2000


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    articles = apps.get_model("education", "Article")
    ids = list(articles.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        articles.objects.filter(pk__in=ids[start : start + BATCH]).update(search_vector=article_vector("english"))
    translations = apps.get_model("education", "ArticleTranslation")
    for language in translations.objects.values_list("language", flat=True).distinct():
        config = SEARCH_CONFIGS.get(language, "simple")
        translations.objects.filter(language=language).update(search_vector=article_vector(config))


class Migration(migrations.Migration):
    dependencies = [("education", "0012_reviews_outlive_their_article")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False)]
