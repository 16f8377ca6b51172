"""`make messages`: refresh the message files of every language but English from the source, then compile them.

The source strings are English; each other language in settings.LANGUAGES gets locale/<lang>/LC_MESSAGES/django.po
(README.md, "Translations"). New strings arrive with an empty translation (or a "fuzzy" guess from a similar old
string): translate them and remove the fuzzy marks, or tests/foundation/test_translations.py fails. Strings that left
the source leave the file (no obsolete entries kept). Locations are file names without line numbers, so moving a
string within a file does not change the catalogue.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

SOURCE_LANGUAGE = "en"
# Not scanned: what patients never read. Tools and tests; and the staff side, which is always English
# (clinic_portal.languages), so its strings need no Spanish: the staff apps and their templates, and the admin's
# (templates copied from Django or its add-ons keep their own {% translate %} tags). A bare name matches a directory
# of that name anywhere; a path matches that directory only. Hidden directories (.venv) are skipped by makemessages'
# own defaults, and STATIC_ROOT always.
NOT_SCANNED = (
    "node_modules",
    "staticfiles",
    "tests",
    "test-artifacts",
    "bench",
    "reliability",
    "docs",
    "locale",
    "accounts",
    "alerts",
    "audit",
    "dashboard",
    "templates/admin",
    "templates/reversion-compare",
    "templates/intake/staff",
    "templates/errors/staff",
)


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


class Command(BaseCommand):
    help = "Refresh locale/<lang>/LC_MESSAGES/django.po from the source for every language but English, and compile."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-compile", action="store_true", help="Only refresh the .po files.")

    def handle(self, *args: Any, **options: Any) -> None:
        languages = translated_languages()
        call_command(
            "makemessages",
            locale=languages,
            domain="django",
            add_location="file",
            no_obsolete=True,
            ignore_patterns=list(NOT_SCANNED),
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if not options["no_compile"]:
            call_command(
                "compilemessages",
                locale=languages,
                ignore_patterns=[*NOT_SCANNED, ".venv"],
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
