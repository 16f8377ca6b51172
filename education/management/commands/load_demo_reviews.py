"""Demo data: the demo clinical reviewer approves the starter articles, and their translations, still awaiting review
(development only), and a translation's new starter release waiting beside approved words: a demo database made before
a release and loaded again after it gets the release's Spanish as it gets its English (the new English versions wait
for review too, and are approved above), and shows what a database made after it shows.

A clinic's real deployment never runs this: there, each starter article stays "awaiting clinical review" until one of
the clinic's own reviewers approves it. `make run` runs it after `load_articles` (clinic_portal load_demo).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from education.models import ArticleTranslation
from education.reminders import awaiting_clinical_review, translations_with_a_new_release
from education.translation_approval import approve_release, approve_translation
from education.workflow import WorkflowError, approve

DEMO_REVIEWER = "reviewer"
DEMO_NOTE = "Demo approval for trying the portal (load_demo_reviews); a clinic's own reviewer approves in production."


class Command(BaseCommand):
    help = "Approve the starter articles awaiting clinical review as the demo reviewer (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to approve articles as a demo reviewer with DEBUG off.")
        reviewer = get_user_model().objects.filter(username=DEMO_REVIEWER).first()
        if reviewer is None or not reviewer.has_perm("education.approve_article"):
            raise CommandError("Run load_demo_staff first: the demo reviewer account is missing.")
        if not reviewer.get_full_name().strip():
            # Patients read the approver's name: an account without one may not approve (workflow.NAME_REQUIRED).
            raise CommandError("Run load_demo_staff first: the demo reviewer account has no full name.")
        approved = 0
        for article in awaiting_clinical_review():
            try:
                approve(article, reviewer=reviewer, comment=DEMO_NOTE)
            except WorkflowError as error:
                self.stderr.write(f"  {article.slug}: not approved ({error})")
                continue
            approved += 1
        translations = 0
        for translation in ArticleTranslation.objects.select_related("article").order_by("pk"):
            if translation.is_approved or not translation.is_current:
                continue
            approve_translation(translation, reviewer=reviewer)
            translations += 1
        releases = 0
        for translation in translations_with_a_new_release():  # of the English live now, after the approvals above
            approve_release(translation, reviewer=reviewer)
            releases += 1
        name = reviewer.get_full_name()
        self.stdout.write(
            f"Demo reviewer {name} approved {approved} article(s), {translations} translation(s) "
            f"and {releases} new translation release(s)."
        )
