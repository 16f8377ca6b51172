"""Re-queue lost or stuck alert e-mails and queue escalations. Run every minute (cron, systemd timer, or --every)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from alerts.services import sweep


class Command(BaseCommand):
    help = "Re-queue alerts whose task was lost or left running by a crashed worker, and send due escalations."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="Keep running, sweeping every this many seconds (0: sweep once)."
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            counts = sweep()
            if options["verbosity"] > 1 or any(counts.values()):
                self.stdout.write(f"alerts_sweep: re-queued {counts['requeued']}, escalated {counts['escalated']}")
            if every <= 0:
                return
            time.sleep(every)
            # A long-running loop must not keep a dead or expired connection, as a web request would not.
            close_old_connections()
