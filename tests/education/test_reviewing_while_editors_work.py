"""A reviewer decides on what their Review page showed: an editor's change sent meanwhile is neither approved nor
sent back unseen."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from education import workflow
from education.models import Article, ArticleDraft, ArticleReview
from tests.education.factories import ArticleFactory
from tests.education.test_restoring_revisions import change_url, form_of, hidden, review_url


def in_days(days: int) -> dict[str, str]:
    """ "Go live" typed for `days` days from today at 10:30 on the clinic's clock. "Now plus N days" as typed was, run
    between 2:00 and 3:00 AM N days before the clocks skip that hour (2027-03-04 for 10 days), a time that never
    happens, and the form refused it; 1:xx AM on the night the clocks go back happens twice."""
    when = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=days), datetime.time(10, 30))
    return {"go_live_at_0": when.strftime("%Y-%m-%d"), "go_live_at_1": when.strftime("%H:%M:%S")}


pytestmark = pytest.mark.django_db


def test_a_reviewer_cannot_send_back_words_an_editor_sent_after_the_review_page_opened(editor_client, reviewer_client):
    """The reviewer reads the first words, an editor sends better ones, and the reviewer's "Send back" (about the first
    words) took the new ones out of the queue unread, with a comment that was not about them."""
    article = ArticleFactory.create(body="Live words.")
    editor_client.post(change_url(article), form_of(article, body="First try.", _submit_review="1"))
    shown = hidden(reviewer_client.get(review_url(article)).content.decode(), "shown")
    editor_client.post(change_url(article), form_of(article, body="Second, better try.", _submit_review="1"))

    refused = reviewer_client.post(
        review_url(article), {"_send_back": "1", "comment": "The first try is wrong.", "shown": shown}
    )

    assert refused.status_code == 200
    assert workflow.CHANGED_SINCE_SHOWN_NOT_SENT_BACK in refused.content.decode()
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW
    assert not ArticleReview.objects.filter(article=article).exists()
    again = hidden(reviewer_client.get(review_url(article)).content.decode(), "shown")
    reviewer_client.post(review_url(article), {"_send_back": "1", "comment": "Say how long.", "shown": again})
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.CHANGES_REQUESTED
    assert "Live words." in Client().get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("later", [False, True], ids=["at once", "at its go-live time"])
def test_an_approval_from_a_page_opened_before_the_article_was_taken_offline_does_not_put_it_back(
    editor_client, reviewer_client, later
):
    """A change waits; the reviewer's page says "Patients see the current version until then". An editor takes the
    article offline (its advice is wrong). The reviewer's Approve, from the page opened before, put the article back
    on the site (at once, or at the change's go-live time), without the reviewer ever being told it was offline."""
    article = ArticleFactory.create(body="Live words.")
    go_live = in_days(2) if later else {}
    editor_client.post(change_url(article), form_of(article, body="A change.", _submit_review="1", **go_live))
    page = reviewer_client.get(review_url(article)).content.decode()
    assert "Patients see the current version until then." in page
    editor_client.post(f"/admin/education/article/{article.pk}/take-offline/")

    refused = reviewer_client.post(review_url(article), {"_approve": "1", "shown": hidden(page, "shown")})

    assert refused.status_code == 200
    assert workflow.CHANGED_SINCE_SHOWN in refused.content.decode()
    assert "Patients cannot see this article until then." in refused.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW


def test_throwing_away_a_working_copy_another_editor_sent_for_review_since_the_page_opened_is_refused(
    editor_client, editor, django_user_model
):
    """Editor A opens the article, its working copy "being edited"; editor B rewrites it and sends it for review. A's
    "Throw the working copy away" (from the page showing the old state) threw B's change away, out of the reviewers'
    queue, unseen by A."""
    article = ArticleFactory.create(body="Live words.")
    editor_client.post(change_url(article), form_of(article, body="A's draft."))
    page = editor_client.get(change_url(article)).content.decode()
    colleague = django_user_model.objects.create_user(username="bea", is_staff=True)
    colleague.groups.set(editor.groups.all())
    other = Client()
    other.force_login(colleague)
    other.post(
        change_url(article),
        form_of(article, body="B's careful words.", opened=hidden(page, "opened"), _submit_review="1"),
    )
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW

    response = editor_client.post(
        f"/admin/education/article/{article.pk}/discard/", {"opened": hidden(page, "opened")}, follow=True
    )

    assert "nothing was thrown away" in response.content.decode()
    assert ArticleDraft.objects.get(article=article).content["body"] == "B's careful words."


def test_the_review_pages_preview_shows_the_words_under_review_not_a_working_copy_nobody_sent(
    editor_client, reviewer_client
):
    """An article taken offline (wrong advice) gets a corrected working copy, not sent yet. Its Review page decides on
    the article as it stands, but "Read it as patients will see it" showed the corrected working copy: the reviewer
    read the correction and approved the wrong advice back onto the site."""
    article = ArticleFactory.create(body="Wrong advice.")
    editor_client.post(f"/admin/education/article/{article.pk}/take-offline/")
    editor_client.post(change_url(article), form_of(article, body="Corrected advice, not sent yet."))

    page = reviewer_client.get(review_url(article)).content.decode()
    found = re.search(r'<a href="([^"]+)"[^>]*>Read it as patients will see it', page)
    assert found is not None
    preview = reviewer_client.get(found.group(1).replace("&amp;", "&")).content.decode()

    assert "Wrong advice." in preview
    assert "Corrected advice, not sent yet." not in preview
