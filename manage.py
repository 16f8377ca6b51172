#!/usr/bin/env python
import os
import sys

DEVELOPMENT_HINT = "For local development set DEBUG=1, as `make run` does; .env.example lists every variable."


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, so a configuration error is said plainly
    except ImproperlyConfigured as error:
        # Django would carry on without settings and fail later with an unrelated traceback.
        sys.exit(f"Configuration error: {error}\n{DEVELOPMENT_HINT}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
