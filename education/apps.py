from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Patient education"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from education import cache, folding, page_changes, recovery, services, tasks
        from education.models import Article

        # What the library's e-mails say, rendered when the messaging app sends them (messaging never imports us).
        tasks.register_messages()
        # Pages kept by the public page cache are dropped when what they show changes (education/cache.py, issue 16).
        cache.connect_signals()
        # ... and each article's page records when what it shows beside its own words changed (its topics, "Read
        # next"), for the sitemap's lastmod (education/page_changes.py).
        page_changes.connect_signals()
        # Search without case or accents on SQLite, as PostgreSQL's configurations do (education/folding.py).
        folding.register_on_sqlite()
        # An article deleted keeps its translations in its last version, for "Recover deleted articles".
        pre_delete.connect(recovery.keep_before_delete, sender=Article, dispatch_uid="keep-article-translations")
        # ... and the starter articles that link to it stay the loader's (education/services.keep_links_untouched).
        pre_delete.connect(services.keep_links_untouched, sender=Article, dispatch_uid="keep-starter-links-untouched")
