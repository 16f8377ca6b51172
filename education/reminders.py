"""The daily reminders: which articles need a medical review soon, and which wait for a clinical reviewer.

- Editors: published articles whose `next_review_due` has passed or falls within settings.ARTICLE_REVIEW_REMINDER_DAYS
  (30) days. The admin lists the same articles first, with a badge (education/admin.py).
- Reviewers: working copies sent for review, and live articles nobody has approved yet (the starter library as
  loaded: "awaiting clinical review"); and translations patients read whose newer starter release waits for them
  (`translations_with_a_new_release`: a safety fix to the Spanish alone would otherwise wait unseen), and
  translations of live English whose words no reviewer approved as they stand, new or changed by a translator since
  (`translations_awaiting_approval`: patients read the English meanwhile). The admin's article list puts all of these
  among the articles awaiting review. A translation of older English (out of date) is for its translators to update
  first, so it is not listed: a reviewer cannot approve it (education/translation_approval.py).

`send_review_reminders` queues at most one e-mail per audience per day (a `ReviewReminder` row a day, unique), so the
task and the command can run as often as wanted; nothing is sent on a day with nothing to list.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from education.models import Article, ArticleDraft, ArticleTranslation, ReviewReminder
from education.translation import awaiting_approval, with_waiting_release


def due_by(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=settings.ARTICLE_REVIEW_REMINDER_DAYS)


def review_due(today: datetime.date | None = None) -> QuerySet[Article]:
    """Published articles whose medical review is overdue or due within the reminder window, soonest first."""
    today = today or timezone.localdate()
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, next_review_due__lte=due_by(today))
        .only("pk", "title", "next_review_due")
        .order_by("next_review_due", "title")
    )


def awaiting_clinical_review() -> QuerySet[Article]:
    """Articles with something for a reviewer: a working copy sent for review, or a live version never approved."""
    sent = Q(draft__state=ArticleDraft.State.AWAITING_REVIEW)
    unapproved_live = Q(status=Article.Status.PUBLISHED) & (Q(reviewed_by="") | Q(reviewed_on__isnull=True))
    return Article.objects.filter(sent | unapproved_live).only("pk", "title", "next_review_due").order_by("title")


def translations_with_a_new_release() -> QuerySet[ArticleTranslation]:
    """Translations patients read whose newer starter release waits for a clinical reviewer (education/services.py),
    while it still applies: made from the English live now."""
    current = ArticleTranslation.objects.filter(source_sha256=F("article__english_sha256"))
    return with_waiting_release(current).select_related("article").order_by("article__title")


def translations_awaiting_approval() -> QuerySet[ArticleTranslation]:
    """Translations of a live article's English as it is now whose words no clinical reviewer approved as they stand
    (never approved, or changed since): patients read the English, with a notice, until a reviewer approves them."""
    current = ArticleTranslation.objects.filter(
        source_sha256=F("article__english_sha256"), article__status=Article.Status.PUBLISHED
    )
    return awaiting_approval(current).select_related("article").order_by("article__title", "language")


def send_review_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """Queue today's reminder e-mails (once a day each); returns how many items each one lists: articles, and for
    the reviewers translations waiting for them too, with a new release or awaiting approval (0: none sent)."""
    from education import tasks

    today = today or timezone.localdate()
    lists = {
        ReviewReminder.Audience.EDITORS: (list(review_due(today)), [], tasks.editor_emails),
        ReviewReminder.Audience.REVIEWERS: (
            list(awaiting_clinical_review()),
            [
                *translations_with_a_new_release().values_list("pk", flat=True),
                *translations_awaiting_approval().values_list("pk", flat=True),
            ],
            tasks.reviewer_emails,
        ),
    }
    sent: dict[str, int] = {}
    for audience, (articles, translations, recipients_of) in lists.items():
        recipients = recipients_of()
        if not (articles or translations) or not recipients:
            sent[audience] = 0
            continue
        try:
            with transaction.atomic():
                reminder = ReviewReminder.objects.create(
                    sent_on=today,
                    audience=audience,
                    article_ids=[article.pk for article in articles],
                    translation_ids=translations,
                )
                tasks.queue_reminder_email(reminder.pk, recipients)
        except IntegrityError:  # already queued today
            sent[audience] = 0
            continue
        sent[audience] = len(articles) + len(translations)
    return sent


def still_listed(reminder: ReviewReminder) -> list[Article]:
    """The reminder's articles that still need what it says, when the e-mail is sent."""
    today = timezone.localdate()
    source = review_due(today) if reminder.audience == ReviewReminder.Audience.EDITORS else awaiting_clinical_review()
    return list(source.filter(pk__in=reminder.article_ids))


def releases_still_waiting(reminder: ReviewReminder) -> list[ArticleTranslation]:
    """The reminder's translations whose new release still waits for a reviewer, when the e-mail is sent (approved
    since, set aside by a translator's words, or of English changed since: gone)."""
    return list(translations_with_a_new_release().filter(pk__in=reminder.translation_ids or []))


def translations_still_awaiting_approval(reminder: ReviewReminder) -> list[ArticleTranslation]:
    """The reminder's translations whose words still wait for a reviewer's approval, when the e-mail is sent
    (approved since, or of English changed since: gone)."""
    return list(translations_awaiting_approval().filter(pk__in=reminder.translation_ids or []))
