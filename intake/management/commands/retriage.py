"""Re-run the current triage rules over stored intakes and report which would change level.

Every sent intake, and every unsent one that already has a level (a red flag stored part-way). Prints ids and levels
only (never answers or names). Without --apply nothing is written; with --apply each intake not yet on the current
rules gets the new result through services.retriage, which records the old level and version (`Retriage` rows) and
alerts staff when one became more urgent. A reviewed intake still in play (its visit ahead, or sent in the last 30
days) with red flags its review did not see is opened again, as new answers would; an older one is stored and named
("left reviewed") for a clinician to look at, without paging anyone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from clinic_portal.command_errors import class_name_only
from intake import services
from intake.models import Intake, Level
from intake.rules.triage import RULES_VERSION


def _name(level: int | None) -> str:
    return Level(level).code if level is not None else "none"


class Command(BaseCommand):
    help = "Re-run the current triage rules over stored intakes; report level changes, store them with --apply."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apply", action="store_true", help="Store the new results (default: report only).")

    def handle(self, *args: Any, apply: bool = False, **options: Any) -> None:
        with class_name_only("retriage"):  # a failure's text could quote an intake's row, answers and all
            self.retriage(apply=apply)

    def retriage(self, *, apply: bool) -> None:
        now = timezone.now()
        checked = changed = 0
        left_reviewed: list[int] = []
        stored = Q(status=Intake.Status.SUBMITTED) | Q(level__isnull=False)
        intakes = Intake.objects.filter(stored).select_related("invitation").order_by("pk")
        for intake in intakes.iterator(chunk_size=500):
            checked += 1
            outcome = services.retriage(intake, now=now, apply=apply)
            if outcome.left_reviewed:
                left_reviewed.append(intake.pk)
            if outcome.before != outcome.after or outcome.reopened:
                changed += outcome.before != outcome.after
                line = f"intake {intake.pk}: {_name(outcome.before)} -> {_name(outcome.after)}"
                reopen_note = ", reviewed before: opened again" if apply else ", reviewed before: would be opened again"
                self.stdout.write(line + (reopen_note if outcome.reopened else ""))
        verb = "changed" if apply else "would change"
        self.stdout.write(f"Rules {RULES_VERSION}: {checked} stored intake(s) checked, {changed} {verb} level.")
        if left_reviewed:
            self.stdout.write(
                f"{len(left_reviewed)} reviewed intake(s) from more than {services.RETRIAGE_REOPENS_WITHIN.days} days"
                " ago (visit past) have red flags under these rules that their review did not see. They stay reviewed"
                " and nobody is paged; for a clinician to look at: " + ", ".join(f"intake {pk}" for pk in left_reviewed)
            )
        if changed and not apply:
            self.stdout.write("Nothing was stored. Run again with --apply to store the new levels.")
