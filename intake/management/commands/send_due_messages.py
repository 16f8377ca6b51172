"""Send what is due to patients now: follow-up links, follow-up reminders and pre-visit reminders (issue 12).

Run every few minutes (cron `*/5 * * * *` or a systemd timer), beside `alerts_sweep`. Safe to run as often as
wanted and from several machines at once: each follow-up and each reminder goes out once
(`intake.services.follow_ups`). The messages themselves are sent by the task worker, with its retries.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from intake.services.follow_ups import send_due_messages


class Command(BaseCommand):
    help = "Schedule follow-ups for new visits and queue the follow-ups and reminders that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = send_due_messages()
        if options["verbosity"] > 1 or any(counts[key] for key in counts if key != "scheduled"):
            self.stdout.write(
                "send_due_messages: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items())
            )
