from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from alerts import checks, receivers  # noqa: F401 - checks registers the deploy check of who is alerted
        from intake.signals import assessment_recorded, review_undone

        assessment_recorded.connect(receivers.on_assessment_recorded, dispatch_uid="alerts.on_assessment_recorded")
        review_undone.connect(receivers.on_review_undone, dispatch_uid="alerts.on_review_undone")
