"""Publish approved changes to live articles whose go-live time has come.

The task queued at approval does this on time; run this every few minutes (cron) as well, so a change whose task was
lost still goes live (education/workflow.py).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from education.workflow import publish_due


class Command(BaseCommand):
    help = "Publish approved article changes whose go-live time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        published = publish_due()
        if published or options["verbosity"] > 1:
            self.stdout.write(f"publish_scheduled_articles: published {published} change(s)")
