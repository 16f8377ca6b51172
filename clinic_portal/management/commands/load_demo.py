"""Everything `make run` needs to show a real day's work: staff accounts, articles, invitations and intakes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Each app's own idempotent loader, in dependency order.
DEMO_STEPS: tuple[str, ...] = (
    "load_demo_staff",
    "load_articles",
    # The demo reviewer approves the starter articles (a clinic's own reviewer does it in production).
    "load_demo_reviews",
    "load_demo_invitations",
    "load_demo_intakes",
)


class Command(BaseCommand):
    help = "Load the demo staff, content, invitations and intakes (development only; safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to load demo data with DEBUG off: this is not a development setup.")
        for step in DEMO_STEPS:
            call_command(step, stdout=self.stdout, stderr=self.stderr)
