"""Restoring an old version from History while a change is in the reviewers' hands: the restored words become the
working copy and stay in the reviewers' queue, never reaching patients without a reviewer reading them."""

from __future__ import annotations

import datetime
import re

import pytest
import reversion
import time_machine
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from education import tasks, workflow
from education.models import Article, ArticleDraft
from messaging.models import OutboundMessage
from tests.education.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def change_url(article: Article) -> str:
    return f"/admin/education/article/{article.pk}/change/"


def review_url(article: Article) -> str:
    return f"/admin/education/article/{article.pk}/review/"


def form_of(article: Article, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "go_live_at_0": "",
        "go_live_at_1": "",
        "author": article.author,
        "next_review_due": str(article.next_review_due or ""),
        "sources": article.sources,
        "topics": [topic.pk for topic in article.topics.all()],
    }
    data.update(overrides)
    return data


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found is not None, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def article_with_an_old_version() -> tuple[Article, str]:
    with reversion.create_revision():
        article = ArticleFactory.create(body="The old advice.")
    with reversion.create_revision():
        article.body = "The new advice."
        article.save()
    old = Version.objects.get_for_object(article).order_by("pk").first()
    assert old is not None
    return article, f"/admin/education/article/{article.pk}/history/{old.pk}/"


def restore(editor_client: Client, restore_url: str, article: Article) -> None:
    """An editor opens the old version from History and presses Save, sending back what the page shows."""
    page = editor_client.get(restore_url).content.decode()
    assert "The old advice." in page
    sent = form_of(article, body="The old advice.", opened=hidden(page, "opened"))
    response = editor_client.post(restore_url, sent)
    assert response.status_code == 302, response.content.decode()[:3000]


def waiting_titles(client: Client) -> str:
    return client.get("/admin/education/article/?signoff=waiting").content.decode()


def approve_to_go_live_later(editor_client, reviewer_client, article, *, body: str) -> datetime.datetime:
    """A change with `body` sent for review to go live in two days, and approved by the reviewer; its go-live time."""
    when = timezone.localtime() + datetime.timedelta(days=2)
    editor_client.post(
        change_url(article),
        form_of(
            article,
            body=body,
            go_live_at_0=when.strftime("%Y-%m-%d"),
            go_live_at_1=when.strftime("%H:%M:%S"),
            _submit_review="1",
        ),
    )
    shown = hidden(reviewer_client.get(review_url(article)).content.decode(), "shown")
    reviewer_client.post(review_url(article), {"_approve": "1", "shown": shown})
    return when


def test_restoring_over_a_change_waiting_for_review_keeps_it_in_the_reviewers_queue(editor_client, reviewer_client):
    """A change waits for review; an editor restores an older version. The reviewers' queue lost the article (the
    working copy went back to "being edited"), and the reviewer, e-mailed that it waits, found nothing to review."""
    article, restore_url = article_with_an_old_version()
    editor_client.post(change_url(article), form_of(article, body="Words sent for review.", _submit_review="1"))
    assert article.title in waiting_titles(reviewer_client)

    restore(editor_client, restore_url, article)

    assert OutboundMessage.objects.filter(kind=tasks.WAITING, about_id=article.pk).count() == 2
    draft = ArticleDraft.objects.get(article=article)
    assert draft.content["body"] == "The old advice."
    assert draft.state == ArticleDraft.State.AWAITING_REVIEW
    assert article.title in waiting_titles(reviewer_client)
    page = reviewer_client.get(review_url(article)).content.decode()
    assert "The old advice." in page
    assert "Words sent for review." not in page
    assert "The new advice." in Client().get(article.get_absolute_url()).content.decode()


def test_a_reviewer_who_opened_the_change_before_the_restore_approves_nothing_unseen(editor_client, reviewer_client):
    article, restore_url = article_with_an_old_version()
    editor_client.post(change_url(article), form_of(article, body="Words sent for review.", _submit_review="1"))
    shown = hidden(reviewer_client.get(review_url(article)).content.decode(), "shown")

    restore(editor_client, restore_url, article)

    refused = reviewer_client.post(review_url(article), {"_approve": "1", "shown": shown})
    assert refused.status_code == 200
    assert workflow.CHANGED_SINCE_SHOWN in refused.content.decode()
    assert "The new advice." in Client().get(article.get_absolute_url()).content.decode()
    again = reviewer_client.get(review_url(article)).content.decode()
    reviewer_client.post(review_url(article), {"_approve": "1", "shown": hidden(again, "shown")})
    assert "The old advice." in Client().get(article.get_absolute_url()).content.decode()


def test_restoring_over_an_approved_change_waiting_for_its_time_never_publishes_the_restored_words_unreviewed(
    editor_client, reviewer_client
):
    article, restore_url = article_with_an_old_version()
    when = approve_to_go_live_later(editor_client, reviewer_client, article, body="Scheduled words.")
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.APPROVED

    restore(editor_client, restore_url, article)

    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW
    assert article.title in waiting_titles(reviewer_client)
    with time_machine.travel(when + datetime.timedelta(hours=1)):
        workflow.publish_due()
        assert "The new advice." in Client().get(article.get_absolute_url()).content.decode()


def test_restoring_an_old_version_keeps_the_current_medical_review_date(editor_client):
    """The medical review date is the clinic's schedule for checking the facts, not part of the old words: the restore
    page showed the old version's date, long passed, and Save was refused ("Choose a date from today to 10 years
    ahead") on a field the editor never touched; a later old date went back silently, undoing a reviewer's year."""
    with time_machine.travel(datetime.datetime(2025, 1, 10, 12, tzinfo=datetime.UTC)), reversion.create_revision():
        article = ArticleFactory.create(body="The old advice.", next_review_due=datetime.date(2025, 6, 1))
    with reversion.create_revision():
        article.body = "The new advice."
        article.next_review_due = timezone.localdate() + datetime.timedelta(days=300)
        article.save()
    old = Version.objects.get_for_object(article).order_by("pk").first()
    assert old is not None
    restore_url = f"/admin/education/article/{article.pk}/history/{old.pk}/"
    current = str(article.next_review_due)

    page = editor_client.get(restore_url).content.decode()

    assert hidden(page, "next_review_due") == current
    assert "2025-06-01" not in page
    sent = form_of(article, body="The old advice.", opened=hidden(page, "opened"))
    assert editor_client.post(restore_url, sent).status_code == 302
    assert ArticleDraft.objects.get(article=article).content["next_review_due"] == current


def test_a_restore_with_a_mistake_is_shown_again_as_the_restore_page_with_nothing_saved(editor_client):
    """A restore whose form had a mistake came back as the plain change form: its panel said the article was "Never
    published" and the form below "its draft", the warning about the change waiting for review was gone, and its
    Preview button (its address empty: the page's own, the restore) saved the restore in a new tab."""
    article, restore_url = article_with_an_old_version()
    ArticleFactory.create(slug="heat-or-ice")
    editor_client.post(change_url(article), form_of(article, body="Words sent for review.", _submit_review="1"))
    page = editor_client.get(restore_url).content.decode()

    sent = form_of(article, body="The old advice.", slug="heat-or-ice", opened=hidden(page, "opened"))
    response = editor_client.post(restore_url, sent)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Article with this Slug already exists." in html
    assert "This is an earlier version." in html
    assert "This article already has a working copy: waiting for clinical review" in html
    assert "Never published" not in html
    assert "formaction" not in html
    assert ArticleDraft.objects.get(article=article).content["body"] == "Words sent for review."


def test_restoring_the_very_words_of_an_approved_change_leaves_it_approved(editor_client, reviewer_client):
    """Nothing changes for the reviewer to read: the approved change keeps its approval and its go-live time."""
    article, restore_url = article_with_an_old_version()
    approve_to_go_live_later(editor_client, reviewer_client, article, body="The old advice.")
    page = editor_client.get(restore_url).content.decode()

    sent = form_of(
        article,
        body="The old advice.",
        go_live_at_0=hidden(page, "go_live_at_0"),
        go_live_at_1=hidden(page, "go_live_at_1"),
        opened=hidden(page, "opened"),
    )
    assert editor_client.post(restore_url, sent).status_code == 302

    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.APPROVED
