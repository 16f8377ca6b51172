"""`manage.py purge_old_intakes [--dry-run] [--months N]`: the retention policy. Run it daily (cron, systemd timer).

It says, and logs (counts only), how many visits it left for the next purge because a page of theirs was being saved
at that moment (intake.retention skips them rather than wait): run it again to remove them.

It also deletes expired sessions (Django's `clearsessions`): a patient's session may hold a page of answers sent
after the idle limit (intake.late_pages.after_idle), and an expired row must not keep it.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic_portal.command_errors import class_name_only
from intake.retention import purge_old_intakes

logger = logging.getLogger(__name__)

# Counts only: the queue shows staff which intakes (unreviewed, urgent and serious first).
KEPT_FOR_REVIEW = (
    "{count} flagged intakes kept past the retention period: a clinician has not reviewed them; review them in the "
    "queue, and the next purge removes them."
)
# Counts only. A visit being written to (a patient's page being saved) is skipped, not waited for (intake.retention).
LEFT_BUSY = (
    "{count} visits left for the next purge: a page of theirs was being saved at that moment (or another purge "
    "running beside this one had them). Run the purge again to remove them."
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
        if result.left_busy:
            self.stdout.write(LEFT_BUSY.format(count=result.left_busy))
        if not dry_run:
            # The counts and the period, never who: cron mails the output, the log goes to the log store.
            log = logger.warning if result.left_busy else logger.info
            log(
                "purge_old_intakes: removed %s intakes and %s invitations (%s-month retention); %s flagged intakes "
                "kept for review; %s visits left for the next purge (being saved)",
                result.intakes,
                result.invitations,
                months,
                result.kept_for_review,
                result.left_busy,
            )
        if not dry_run:
            import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
            self.stdout.write("Removed expired sessions.")
