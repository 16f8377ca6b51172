"""E-mail editors the articles whose medical review is due, and reviewers what waits for them. Run it daily (cron or a
systemd timer); running it again the same day sends nothing more (education/reminders.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from education.reminders import send_review_reminders


class Command(BaseCommand):
    help = (
        "Queue today's review reminders: medical reviews due within 30 days or overdue, and approvals waiting "
        "(articles, and translations: new releases, and words not approved yet)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        listed = send_review_reminders()
        self.stdout.write(
            f"send_review_reminders: editors' list {listed.get('editors', 0)} article(s), "
            f"reviewers' list {listed.get('reviewers', 0)} article(s) or translation(s) "
            "(0: nothing queued today)"
        )
