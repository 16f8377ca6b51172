from django.apps import AppConfig


class ClinicPortalConfig(AppConfig):
    name = "clinic_portal"
    verbose_name = "Clinic portal"

    def ready(self) -> None:
        from clinic_portal import checks  # noqa: F401 - registers the deploy check of SITE_URL
