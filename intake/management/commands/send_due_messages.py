"""Send what is due to patients now: follow-up links, follow-up reminders and pre-visit reminders (issue 12).

Run every few minutes (cron `*/5 * * * *` or a systemd timer), beside `alerts_sweep`, or keep one running with
`--every SECONDS` (`make run` does, every minute). Safe to run as often as wanted and from several machines at once:
each follow-up and each reminder goes out once (`intake.services.follow_ups`). The messages themselves are sent by
the task worker, with its retries. With `--every`, a run that fails (the database away) is logged without patient
data (the error's class only: a database error's text can quote a row) and the next one is tried at the next tick,
on a fresh connection. A single run that fails exits non-zero naming the error's class only
(`clinic_portal.command_errors`): cron mails what it prints.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from clinic_portal.command_errors import class_name_only
from intake.services.follow_ups import send_due_messages

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Schedule follow-ups for new visits and queue the follow-ups and reminders that are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="Keep running, once every this many seconds (0: run once)."
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        with class_name_only("send_due_messages"):  # a single run's failure goes to cron's mail, not through the logs
            while True:
                try:
                    self.run_once(verbose=options["verbosity"] > 1)
                except DatabaseError as error:
                    if not every:
                        raise
                    logger.error(
                        "send_due_messages could not run (%s); trying again in %s s", type(error).__name__, every
                    )
                if not every:
                    return
                time.sleep(every)
                # A long-running loop must not keep a dead or expired connection, as a web request would not: without
                # this a database restart left every later tick failing on the old connection (the stop-30 audit).
                close_old_connections()

    def run_once(self, *, verbose: bool) -> None:
        counts = send_due_messages()
        if verbose or any(counts[key] for key in counts if key != "scheduled"):
            self.stdout.write(
                "send_due_messages: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items())
            )
