"""Re-run the current triage rules over submitted intakes and report which would change level.

Prints ids and levels only (never answers or names). Without --apply nothing is written; with --apply each changed
intake gets the new result through services.record_assessment, which also alerts staff when one became more urgent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from intake import services
from intake.models import Intake, Level
from intake.rules.triage import RULES_VERSION


def _name(level: int | None) -> str:
    return Level(level).code if level is not None else "none"


class Command(BaseCommand):
    help = "Re-run the current triage rules over submitted intakes; report level changes, store them with --apply."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="Store the new results (default: report only).")

    def handle(self, *args: Any, apply: bool = False, **options: Any) -> None:
        now = timezone.now()
        checked = changed = 0
        intakes = Intake.objects.filter(status=Intake.Status.SUBMITTED).select_related("invitation").order_by("pk")
        for intake in intakes.iterator(chunk_size=500):
            checked += 1
            before, after = services.retriage(intake, now=now, apply=apply)
            if before != after:
                changed += 1
                self.stdout.write(f"intake {intake.pk}: {_name(before)} -> {_name(after)}")
        verb = "changed" if apply else "would change"
        self.stdout.write(f"Rules {RULES_VERSION}: {checked} submitted intake(s) checked, {changed} {verb} level.")
        if changed and not apply:
            self.stdout.write("Nothing was stored. Run again with --apply to store the new levels.")
