"""A new article approved to go live later (scheduled), as an editor then handles it in the admin: saved unchanged it
keeps no working copy, and a later go-live time holds it back at once (the stop-34 audit: it went live at the old
time while the new one waited for a reviewer)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from education.models import Article, ArticleDraft
from tests.education.test_admin import ADD_URL, change_url, form_data, form_of, in_days, review_url

pytestmark = pytest.mark.django_db


def _scheduled_article(editor_client, reviewer_client, days: int = 3) -> Article:
    editor_client.post(ADD_URL, form_data(**in_days(days), _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    reviewer_client.post(review_url(article), {"_approve": "1"})
    article.refresh_from_db()
    assert article.is_scheduled
    return article


def _as_shown(editor_client, article: Article) -> dict[str, str]:
    """The go-live fields exactly as the change form shows them."""
    page = editor_client.get(change_url(article)).content.decode()
    shown = {}
    for name in ("go_live_at_0", "go_live_at_1"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)  # type: ignore[union-attr]
        shown[name] = re.search(r'value="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
    return shown


def test_saving_a_scheduled_article_unchanged_keeps_no_working_copy(editor_client, reviewer_client):
    """The form of a scheduled article, saved as it was shown (nothing touched): the editor is told a working copy
    was saved, the list shows "Working copy: Being edited", and the reviewers' queue gets an item to look at, though
    nothing changed (a live article saved unchanged keeps none: test_admin's
    test_saving_the_form_unchanged_keeps_no_working_copy)."""
    article = _scheduled_article(editor_client, reviewer_client)
    response = editor_client.post(
        change_url(article), form_of(article, **_as_shown(editor_client, article)), follow=True
    )
    assert response.status_code == 200
    assert not ArticleDraft.objects.filter(article=article).exists()
    assert "The working copy of" not in response.content.decode()


def test_postponing_a_scheduled_article_is_not_silently_ignored(editor_client, reviewer_client, time_machine):
    """An approved article is scheduled for 3 days ahead; the editor moves "Go live" to 10 days ahead (the clinic is
    not ready). The admin says "Once approved, it goes live on <day 10>", but the article goes live on day 3 anyway:
    the new time waits in a working copy for a reviewer, and the row keeps the old publish time."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    response = editor_client.post(change_url(article), form_of(article, **in_days(10)), follow=True)
    later = timezone.localtime() + datetime.timedelta(days=10)
    assert f"goes live on {later:%b %-d, %Y}" in response.content.decode()

    assert not ArticleDraft.objects.filter(article=article).exists()  # nothing for a reviewer to approve

    time_machine.move_to(timezone.now() + datetime.timedelta(days=4))
    assert Client().get(article.get_absolute_url()).status_code == 404, (
        "the article went live at the time the editor had moved away from"
    )
    time_machine.move_to(timezone.now() + datetime.timedelta(days=7))
    assert Client().get(article.get_absolute_url()).status_code == 200  # and at the new time it does
