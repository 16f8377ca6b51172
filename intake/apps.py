from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Pre-visit intake"

    def ready(self) -> None:
        # What the intake's e-mails say, rendered when the messaging app sends them (messaging never imports intake).
        from intake import tasks

        tasks.register_messages()
