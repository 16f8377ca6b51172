from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Patient education"

    def ready(self) -> None:
        # What the library's e-mails say, rendered when the messaging app sends them (messaging never imports us).
        from education import cache, folding, tasks

        tasks.register_messages()
        # Pages kept by the public page cache are dropped when what they show changes (education/cache.py, issue 16).
        cache.connect_signals()
        # Search without case or accents on SQLite, as PostgreSQL's configurations do (education/folding.py).
        folding.register_on_sqlite()
