"""A reviewer decides on what their Review page showed: an editor's change sent meanwhile is neither approved nor
sent back unseen."""

from __future__ import annotations

import pytest
from django.test import Client

from education import workflow
from education.models import ArticleDraft, ArticleReview
from tests.education.factories import ArticleFactory
from tests.education.test_restoring_revisions import change_url, form_of, hidden, review_url

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
