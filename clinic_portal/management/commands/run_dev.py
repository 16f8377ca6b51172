"""The development server with a background task worker, the alert sweeper and the follow-up dispatcher beside it,
as `make run` starts them.

The worker is the same `db_worker` production runs, so alerts in development travel the real path: queued in the
database, picked up, e-mailed (to the console). Ctrl-C stops both.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server together with a task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, host: str, port: str, **options: Any) -> None:
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "2"])
        # The alert sweeper (re-queues lost or stuck alerts, sends escalations), as cron runs it in production.
        sweeper = subprocess.Popen([sys.executable, "manage.py", "alerts_sweep", "--every", "60"])
        # Follow-ups and reminders that fall due (issue 12), as cron runs `send_due_messages` in production.
        dispatcher = subprocess.Popen([sys.executable, "manage.py", "send_due_messages", "--every", "60"])
        helpers = (worker, sweeper, dispatcher)
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            for process in helpers:
                process.terminate()
            for process in helpers:
                process.wait(timeout=10)
