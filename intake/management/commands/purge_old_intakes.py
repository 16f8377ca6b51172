"""`manage.py purge_old_intakes [--dry-run] [--months N]`: the retention policy. Run it daily (cron, systemd timer).

It also deletes expired sessions (Django's `clearsessions`): a patient's session may hold a page of answers sent
after the idle limit (intake.late_pages.after_idle), and an expired row must not keep it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic_portal.command_errors import class_name_only
from intake.retention import purge_old_intakes

# Counts only: the queue shows staff which intakes (unreviewed, urgent and serious first).
KEPT_FOR_REVIEW = (
    "{count} flagged intakes kept past the retention period: a clinician has not reviewed them; review them in the "
    "queue, and the next purge removes them."
)


class Command(BaseCommand):
    help = (
        "Delete invitations and intakes whose appointment was more than INTAKE_RETENTION_MONTHS ago (default 84). "
        "Intakes with red flags no clinician has reviewed are kept (and counted) until a review. The audit trail is "
        "kept, and the purge is recorded in it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be removed.")
        parser.add_argument("--months", type=int, default=None, help="Override INTAKE_RETENTION_MONTHS once.")

    def handle(self, *args: Any, dry_run: bool, months: int | None, **options: Any) -> None:
        with class_name_only("purge_old_intakes"):  # run by cron, which mails what it prints
            self.purge(dry_run=dry_run, months=months)

    def purge(self, *, dry_run: bool, months: int | None) -> None:
        months = settings.INTAKE_RETENTION_MONTHS if months is None else months
        if months < 1:
            raise CommandError("The retention period must be at least one month.")
        result = purge_old_intakes(months=months, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {result.intakes} intakes and {result.invitations} invitations with appointments before "
            f"{result.cutoff:%Y-%m-%d} ({months}-month retention)."
        )
        if result.kept_for_review:
            self.stdout.write(KEPT_FOR_REVIEW.format(count=result.kept_for_review))
        if not dry_run:
            import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
            self.stdout.write("Removed expired sessions.")
