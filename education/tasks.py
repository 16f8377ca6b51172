"""The library's background work (django-tasks, run by `manage.py db_worker`) and its e-mails.

E-mails go through the messaging app like the intake's (education/apps.py registers the renderers): each is an
`OutboundMessage` row queued in the transaction of the change it tells about, sent by the worker with retries and the
sweeper, once. Rows carry an id; the text is rendered when it is sent, from what the database says then, so an
e-mail about a review that is no longer waiting is not sent at all. Articles hold no patient data; the subjects are
plain and name no article either (a subject line is shown on lock screens and in mail-server logs).

- `article_waiting` (about an article): to the clinical reviewers, when a working copy is sent for review.
- `article_decided` (about an ArticleReview): to the editor who sent it, when it is approved or sent back.
- `review_reminder` (about a ReviewReminder): the daily list, to editors (medical reviews due) or to reviewers
  (articles waiting for their approval, starter articles included, and translations whose new release waits for
  them or whose words are not approved yet, each linked to the translation's page where they approve it).

Tasks: `publish_scheduled_changes` (queued for an approved change's go-live time) and `send_review_reminders`
(daily; `manage.py send_review_reminders` runs the same).
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from messaging import registry
from messaging import services as messages
from messaging.models import OutboundMessage
from messaging.registry import Rendered

if TYPE_CHECKING:
    from education.models import ArticleTranslation

logger = logging.getLogger(__name__)

WAITING = "article_waiting"
DECIDED = "article_decided"
REMINDER = "review_reminder"

WAITING_SUBJECT = "An article is waiting for your clinical review"
APPROVED_SUBJECT = "Your article change was approved"
SENT_BACK_SUBJECT = "Your article change was sent back with a comment"
DUE_SUBJECT = "Articles due for a medical review"
AWAITING_SUBJECT = "Articles waiting for clinical review"

APPROVE_PERMISSION = ("education", "approve_article")
EDIT_PERMISSION = ("education", "change_article")


def emails_of_holders(app_label: str, codename: str) -> list[str]:
    """The addresses of active people holding a permission, through a group or their own (superusers are not
    included for that alone: an administrator is not a clinical reviewer)."""
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if permission is None:
        return []
    holders = (
        get_user_model()
        .objects.filter(Q(groups__permissions=permission) | Q(user_permissions=permission), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(holders))


def reviewer_emails() -> list[str]:
    return emails_of_holders(*APPROVE_PERMISSION)


def editor_emails() -> list[str]:
    return emails_of_holders(*EDIT_PERMISSION)


# --- Queueing ------------------------------------------------------------------------------------------------------


def queue_waiting_email(article_id: int) -> OutboundMessage | None:
    recipients = reviewer_emails()
    if not recipients:
        logger.warning("article %s waits for clinical review, but no reviewer has an e-mail address", article_id)
        return None
    return messages.queue(WAITING, article_id, recipients)


def queue_decision_email(review_id: int) -> OutboundMessage | None:
    from education.models import ArticleReview

    review = ArticleReview.objects.select_related("editor").filter(pk=review_id).first()
    editor = review.editor if review else None
    recipients = [editor.email] if editor is not None and editor.is_active and editor.email else editor_emails()
    if review is None or not recipients:
        return None
    return messages.queue(DECIDED, review.pk, recipients)


def queue_reminder_email(reminder_id: int, recipients: list[str]) -> OutboundMessage:
    return messages.queue(REMINDER, reminder_id, recipients)


def schedule_publication(when: datetime.datetime) -> None:
    """Queue the publishing task for `when` (the worker runs it then); without a worker that waits, the
    `publish_scheduled_articles` command publishes it."""
    if not publish_scheduled_changes.get_backend().supports_defer:
        return
    publish_scheduled_changes.using(run_after=when).enqueue()


# --- Tasks ---------------------------------------------------------------------------------------------------------


@task()
def publish_scheduled_changes() -> int:
    from education import workflow

    return workflow.publish_due()


@task()
def send_review_reminders() -> dict[str, int]:
    from education import reminders

    return reminders.send_review_reminders()


# --- What the e-mails say ------------------------------------------------------------------------------------------


def _admin_link(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def render_waiting(message: OutboundMessage) -> Rendered | None:
    """None when nothing waits any more (approved, sent back or changed since)."""
    from education.models import Article, ArticleDraft

    article = Article.objects.filter(pk=message.about_id).first()
    if article is None:
        return None
    draft = ArticleDraft.objects.filter(article=article, state=ArticleDraft.State.AWAITING_REVIEW).first()
    if draft is None:
        return None
    title = draft.content.get("title") or article.title
    later = draft.go_live_at if draft.go_live_at and draft.go_live_at > timezone.now() else None
    body = render_to_string(
        "education/email/article_waiting.txt",
        {
            "title": title,
            # Which article a change is to, when the change renames it: reviewers know it by its current title.
            "current_title": article.title if not article.is_new and article.title != title else "",
            "is_new": article.is_new,  # as the review page says it (Article.is_new)
            "is_live": article.is_live,
            # Approving it changes nothing for patients before this time (it read "until you approve the change").
            "go_live_at": later,
            "editor": draft.submitted_by.get_full_name() if draft.submitted_by else "",
            "link": _admin_link("admin:education_article_review", article.pk),
            "clinic_name": settings.CLINIC_NAME,
        },
    )
    return Rendered(WAITING_SUBJECT, body)


def render_decided(message: OutboundMessage) -> Rendered | None:
    from education.models import ArticleReview

    review = ArticleReview.objects.select_related("article").filter(pk=message.about_id).first()
    if review is None:
        return None
    approved = review.decision == ArticleReview.Decision.APPROVED
    body = render_to_string(
        "education/email/article_decided.txt",
        {
            "review": review,
            "approved": approved,
            "link": _admin_link("admin:education_article_change", review.article_id),
            "clinic_name": settings.CLINIC_NAME,
        },
    )
    return Rendered(APPROVED_SUBJECT if approved else SENT_BACK_SUBJECT, body)


def _translation_item(translation: ArticleTranslation) -> dict[str, str]:
    return {
        "title": translation.article.title,  # the English title: how reviewers know the article
        "language": translation.get_language_display(),
        "link": _admin_link("admin:education_articletranslation_change", translation.pk),
    }


def render_reminder(message: OutboundMessage) -> Rendered | None:
    """The day's list as it stands when sent; None when everything on it was dealt with meanwhile."""
    from education import reminders
    from education.models import ReviewReminder

    reminder = ReviewReminder.objects.filter(pk=message.about_id).first()
    if reminder is None:
        return None
    articles = reminders.still_listed(reminder)
    for_editors = reminder.audience == ReviewReminder.Audience.EDITORS
    releases = [] if for_editors else reminders.releases_still_waiting(reminder)
    unapproved = [] if for_editors else reminders.translations_still_awaiting_approval(reminder)
    if not articles and not releases and not unapproved:
        return None
    body = render_to_string(
        "education/email/review_reminder.txt",
        {
            "for_editors": for_editors,
            "articles": [
                {
                    "title": article.title,
                    "due": article.next_review_due,
                    "link": _admin_link(
                        "admin:education_article_change" if for_editors else "admin:education_article_review",
                        article.pk,
                    ),
                }
                for article in articles
            ],
            "releases": [_translation_item(translation) for translation in releases],
            "translations": [_translation_item(translation) for translation in unapproved],
            "days": settings.ARTICLE_REVIEW_REMINDER_DAYS,
            "clinic_name": settings.CLINIC_NAME,
        },
    )
    return Rendered(DUE_SUBJECT if for_editors else AWAITING_SUBJECT, body)


def register_messages() -> None:
    """Once, from `EducationConfig.ready`: what each kind of e-mail says."""
    registry.register(WAITING, render_waiting)
    registry.register(DECIDED, render_decided)
    registry.register(REMINDER, render_reminder)
