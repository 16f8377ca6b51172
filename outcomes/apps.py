from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        # A bad instrument file stops `manage.py check` (and start-up) with every problem listed.
        from outcomes import checks  # noqa: F401
