"""The daily review reminders (education/reminders.py): the right articles, to the right people, queued once a day."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from education import tasks, workflow
from education.models import Article, ReviewReminder
from education.reminders import review_due, send_review_reminders
from education.translation_approval import approve_release, approve_translation
from messaging.models import OutboundMessage
from messaging.services import send
from tests.education.factories import (
    ArticleFactory,
    approve_translations,
    change_english_after_translation,
    edit_translation_after_approval,
    spanish_awaiting_approval,
    spanish_with_a_new_release,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def days(count: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=count)


def test_overdue_and_due_within_30_days_are_listed_soonest_first_and_nothing_else():
    ArticleFactory.create(title="Overdue", next_review_due=days(-10))
    ArticleFactory.create(title="Due today", next_review_due=days(0))
    ArticleFactory.create(title="In 30 days", next_review_due=days(30))
    ArticleFactory.create(title="In 31 days", next_review_due=days(31))
    ArticleFactory.create(title="No date", next_review_due=None)
    ArticleFactory.create(title="Draft, overdue", next_review_due=days(-5), status=Article.Status.DRAFT)
    assert [article.title for article in review_due()] == ["Overdue", "Due today", "In 30 days"]


def test_editors_get_one_email_a_day_listing_them(editor):
    ArticleFactory.create(title="Old facts", next_review_due=days(-1))
    assert send_review_reminders()["editors"] == 1
    assert send_review_reminders()["editors"] == 0  # the same day again: nothing more
    message = OutboundMessage.objects.get(kind=tasks.REMINDER)
    assert message.recipients == [editor.email]
    send(message.pk)
    assert mail.outbox[-1].subject == "Articles due for a medical review"
    assert "Old facts" in mail.outbox[-1].body
    assert send_review_reminders(today=days(1))["editors"] == 1  # the next day: a new reminder


def test_reviewers_get_the_articles_waiting_for_them_including_starter_ones(editor, reviewer):
    unreviewed = ArticleFactory.create(title="Loaded, never approved", reviewed_by="", reviewed_on=None)
    changed = ArticleFactory.create(title="Changed and sent")
    content = {**workflow.live_content(changed), "body": "New words."}
    workflow.save_working_copy(changed, content, user=editor, go_live_at=None, submit=True)
    ArticleFactory.create(title="Settled")
    assert send_review_reminders()["reviewers"] == 2
    reminder = ReviewReminder.objects.get(audience=ReviewReminder.Audience.REVIEWERS)
    assert sorted(reminder.article_ids) == sorted([unreviewed.pk, changed.pk])
    message = OutboundMessage.objects.get(kind=tasks.REMINDER, about_id=reminder.pk)
    assert message.recipients == [reviewer.email]


# A newer starter release of a translation patients read (education/services.py `_queue_release`) waits for the same
# reviewers, beside the approved words: a safety fix to the Spanish alone waited unseen while the e-mail said nothing.


def test_reviewers_are_reminded_daily_of_a_new_translation_release_with_a_link_to_where_they_approve_it(reviewer):
    waiting = ArticleFactory.create(title="Loaded, never approved", reviewed_by="", reviewed_on=None)
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Cauda equina warning signs"))
    ArticleFactory.create(title="Settled")
    assert send_review_reminders()["reviewers"] == 2  # the article and the translation's release, in one e-mail
    assert send_review_reminders()["reviewers"] == 0  # the same day again: nothing more
    reminder = ReviewReminder.objects.get(audience=ReviewReminder.Audience.REVIEWERS)
    assert reminder.article_ids == [waiting.pk]
    message = OutboundMessage.objects.get(kind=tasks.REMINDER, about_id=reminder.pk)
    assert message.recipients == [reviewer.email]
    send(message.pk)
    email = mail.outbox[-1]
    assert email.subject == "Articles waiting for clinical review"  # plain: names no article
    assert "Loaded, never approved" in email.body
    assert "- Cauda equina warning signs, in Spanish (español)\n" in email.body
    assert f"/admin/education/articletranslation/{translation.pk}/change/" in email.body
    assert "Approve the new release for patients" in email.body
    assert send_review_reminders(today=days(1))["reviewers"] == 2  # the next day: still waiting, reminded again


def test_a_new_translation_release_alone_is_reminded_of_and_dropped_once_approved_before_sending(reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Cauda equina warning signs"))
    assert send_review_reminders() == {"editors": 0, "reviewers": 1}
    approve_release(translation, reviewer=reviewer)
    message = OutboundMessage.objects.get(kind=tasks.REMINDER)
    assert send(message.pk) == OutboundMessage.Status.CANCELLED  # nothing waits any more: no e-mail
    assert mail.outbox == []
    assert send_review_reminders(today=days(1))["reviewers"] == 0


def test_a_new_translation_release_of_english_that_changed_since_is_not_reminded_of(reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Cauda equina warning signs"))
    change_english_after_translation(translation.article)  # the release translates English no longer live
    assert send_review_reminders()["reviewers"] == 0


# A translation of the English live now whose words no clinical reviewer approved as they stand (new, or changed by a
# translator since its approval) waits for the same reviewers: patients read the English, with a notice, until one
# approves it, and nothing told them so. A translation of older English (out of date) is for translators: not listed.


def test_reviewers_are_reminded_daily_of_translations_waiting_for_approval_with_a_link_to_where_they_approve_them(
    reviewer,
):
    changed = ArticleFactory.create(title="Cauda equina warning signs")
    spanish_awaiting_approval(changed)
    approve_translations()
    edit_translation_after_approval(changed)  # a translator's new words: patients read the English again
    new = spanish_awaiting_approval(ArticleFactory.create(title="Sciatica"))  # never approved
    older = spanish_awaiting_approval(ArticleFactory.create(title="Older English"))
    change_english_after_translation(older.article)  # out of date: for translators first
    assert send_review_reminders()["reviewers"] == 2  # the two translations, counted once, in one e-mail
    assert send_review_reminders()["reviewers"] == 0  # the same day again: nothing more
    reminder = ReviewReminder.objects.get(audience=ReviewReminder.Audience.REVIEWERS)
    message = OutboundMessage.objects.get(kind=tasks.REMINDER, about_id=reminder.pk)
    assert message.recipients == [reviewer.email]
    send(message.pk)
    email = mail.outbox[-1]
    assert email.subject == "Articles waiting for clinical review"  # plain: names no article
    assert "- Cauda equina warning signs, in Spanish (español)\n" in email.body
    assert "- Sciatica, in Spanish (español)\n" in email.body
    assert f"/admin/education/articletranslation/{new.pk}/change/" in email.body
    assert f"/admin/education/articletranslation/{changed.translations.get().pk}/change/" in email.body
    assert '"Approve this translation for patients"' in email.body  # the button on that page
    assert "Older English" not in email.body
    assert "new release" not in email.body  # no section for what is not there
    assert send_review_reminders(today=days(1))["reviewers"] == 2  # the next day: still waiting, reminded again


def test_a_translation_waiting_for_approval_beside_an_article_and_a_new_release_each_show_in_their_section(reviewer):
    ArticleFactory.create(title="Loaded, never approved", reviewed_by="", reviewed_on=None)
    release = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    pending = spanish_awaiting_approval(ArticleFactory.create(title="Sciatica"))
    assert send_review_reminders()["reviewers"] == 3
    send(OutboundMessage.objects.get(kind=tasks.REMINDER).pk)
    body = mail.outbox[-1].body
    articles, releases, translations = (
        body.index("These articles"),
        body.index("A new release of these translations"),
        body.index("These translations are waiting"),
    )
    assert articles < releases < translations
    assert f"articletranslation/{release.pk}/change/" in body[releases:translations]
    assert f"articletranslation/{pending.pk}/change/" in body[translations:]


def test_a_translation_waiting_for_approval_alone_is_reminded_of_and_dropped_once_approved_before_sending(reviewer):
    translation = spanish_awaiting_approval(ArticleFactory.create(title="Sciatica"))
    assert send_review_reminders() == {"editors": 0, "reviewers": 1}
    approve_translation(translation, reviewer=reviewer)
    message = OutboundMessage.objects.get(kind=tasks.REMINDER)
    assert send(message.pk) == OutboundMessage.Status.CANCELLED  # nothing waits any more: no e-mail
    assert mail.outbox == []
    assert send_review_reminders(today=days(1))["reviewers"] == 0


def test_a_translation_of_english_that_changed_since_or_of_an_unpublished_article_is_not_reminded_of(reviewer):
    older = spanish_awaiting_approval(ArticleFactory.create(title="Older English"))
    change_english_after_translation(older.article)  # out of date: a translator updates it first
    spanish_awaiting_approval(ArticleFactory.create(title="Not live", status=Article.Status.DRAFT))
    assert send_review_reminders()["reviewers"] == 0


def test_a_reminder_whose_articles_were_dealt_with_before_sending_is_not_sent(editor, reviewer):
    article = ArticleFactory.create(title="Old facts", next_review_due=days(-1))
    send_review_reminders()
    workflow.approve(article, reviewer=reviewer)  # reviewed: the next review moves a year on
    message = OutboundMessage.objects.get(kind=tasks.REMINDER)
    assert send(message.pk) == OutboundMessage.Status.CANCELLED
    assert mail.outbox == []


def test_nothing_is_queued_when_nothing_is_due(editor, reviewer):
    ArticleFactory.create(next_review_due=days(200))
    assert send_review_reminders() == {"editors": 0, "reviewers": 0}
    assert not OutboundMessage.objects.exists()


def test_the_command_runs_the_daily_reminders(editor):
    ArticleFactory.create(next_review_due=days(3))
    out = io.StringIO()
    call_command("send_review_reminders", stdout=out)
    assert "editors' list 1 article(s)" in out.getvalue()
    assert OutboundMessage.objects.filter(kind=tasks.REMINDER).count() == 1


def test_the_task_runs_the_same_reminders(editor):
    ArticleFactory.create(next_review_due=days(3))
    assert tasks.send_review_reminders.call() == {"editors": 1, "reviewers": 0}
