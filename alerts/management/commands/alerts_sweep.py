"""Re-queue lost or stuck alert and patient e-mails, and queue escalations. Run every minute (cron, systemd timer,
or --every).

The one sweeper of the portal: alerts (`alerts.services.sweep`) and messages (`messaging.services.sweep`). With
--every it must outlive a database outage, or escalations stop until someone restarts it: an error is logged (its
class name only: a database error's text can quote patient data) and the sweep is tried again after a backoff that
starts at a second and doubles up to the --every interval. Each alerts sweep that finishes records when it ran
(`alerts.models.SweeperHeartbeat`): the queue page says so when none has for a few minutes. Each run also asks the
task worker to answer a ping (`alerts.services.ping_worker`), on its own: the queue page says so when the worker has
not answered for a few minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from alerts import services as alerts
from messaging import services as messages

logger = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 1.0

SWEEPS: dict[str, Callable[[], dict[str, int]]] = {
    "alerts": lambda: alerts.sweep(),
    "messages": lambda: messages.sweep(),
    "worker": lambda: alerts.ping_worker(),
}


def backoff(failures: int, every: float) -> float:
    """Seconds to wait after `failures` sweeps in a row went wrong: 1, 2, 4, ... but never longer than `every`."""
    return min(FIRST_BACKOFF_SECONDS * 2.0 ** max(failures - 1, 0), max(every, FIRST_BACKOFF_SECONDS))


def sweep_all() -> tuple[dict[str, int], list[str]]:
    """Run every sweep, each on its own: one that fails does not stop the others. (counts, names that failed)."""
    counts: dict[str, int] = {}
    failed = []
    for name, sweep in SWEEPS.items():
        try:
            counts.update({f"{name}.{key}": value for key, value in sweep().items()})
        except Exception as error:
            failed.append(name)
            logger.error("alerts_sweep: the %s sweep failed (%s)", name, type(error).__name__)
            # A connection broken by the error is closed here, so the next try opens a fresh one.
            close_old_connections()
    return counts, failed


class Command(BaseCommand):
    help = (
        "Re-queue alerts and patient e-mails whose task was lost or left running by a crashed worker, and send due "
        "escalations."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="Keep running, sweeping every this many seconds (0: sweep once)."
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        failures = 0
        while True:
            counts, failed = sweep_all()
            # A ping is queued nearly every run: only what the line reports makes it worth a line (cron mails it).
            told = [counts.get(key, 0) for key in ("alerts.requeued", "alerts.escalated", "messages.requeued")]
            if counts and (options["verbosity"] > 1 or any(told)):
                self.stdout.write(
                    f"alerts_sweep: re-queued {counts.get('alerts.requeued', 0)}, "
                    f"escalated {counts.get('alerts.escalated', 0)}, "
                    f"messages re-queued {counts.get('messages.requeued', 0)}"
                )
            if every <= 0:
                if failed:
                    raise CommandError(f"alerts_sweep: the {' and '.join(failed)} sweep failed (see the log)")
                return
            failures = failures + 1 if failed else 0
            time.sleep(backoff(failures, every) if failed else every)
            # A long-running loop must not keep a dead or expired connection, as a web request would not.
            close_old_connections()
