"""Declining a waiting release from the reviewer's page, clicked twice or from a page opened before a colleague
decided, and the page after: the answer says what happened to the release, never that something "was not approved"
and to approve it; the note that a release was declined goes once reviewers approved words since."""

from __future__ import annotations

import html
import re

import pytest

from education.models import ArticleTranslation
from education.translation_approval import approve_release, decline_release
from tests.education.factories import ArticleFactory, spanish_with_a_new_release

pytestmark = pytest.mark.django_db

DECLINE = "/admin/education/articletranslation/{}/decline-release/"
CHANGE = "/admin/education/articletranslation/{}/change/"


def _shown(page: str) -> str:
    found = re.search(r'name="shown" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def _said(response) -> str:
    return html.unescape(response.content.decode())


def test_a_double_click_on_decline_says_it_is_declined_not_that_it_was_not_approved(reviewer_client, reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    shown = _shown(reviewer_client.get(CHANGE.format(translation.pk)).content.decode())
    first = reviewer_client.post(DECLINE.format(translation.pk), {"shown": shown})
    assert first.status_code == 302
    declined_at = ArticleTranslation.objects.get(pk=translation.pk).release_declined_at

    second = reviewer_client.post(DECLINE.format(translation.pk), {"shown": shown}, follow=True)

    page = _said(second)
    assert "Declined: patients keep reading the approved words" in page
    assert "not approved" not in page
    assert "then approve them" not in page
    # The first click's record stands.
    assert ArticleTranslation.objects.get(pk=translation.pk).release_declined_at == declined_at


def test_declining_from_a_page_opened_before_a_colleague_approved_the_release_says_nothing_was_declined(
    reviewer_client, reviewer
):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    shown = _shown(reviewer_client.get(CHANGE.format(translation.pk)).content.decode())
    approve_release(translation, reviewer=reviewer)  # a colleague, a moment before

    response = reviewer_client.post(DECLINE.format(translation.pk), {"shown": shown}, follow=True)

    page = _said(response)
    assert "nothing was declined" in page.lower()
    assert "not approved" not in page
    assert "then approve them" not in page
    found = ArticleTranslation.objects.get(pk=translation.pk)
    assert found.release_declined_at is None
    assert found.is_approved


def test_the_page_stops_saying_a_release_was_declined_once_a_newer_one_is_approved(reviewer_client, reviewer):
    """Declined, then a newer release loaded and approved: the page still said "New release declined ... patients keep
    reading the approved words", about words no longer in front of anyone, above the release patients now read."""
    from education.services import _queue_release
    from education.starter import StarterTranslation

    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    decline_release(translation, reviewer=reviewer)
    assert "New release declined" in reviewer_client.get(CHANGE.format(translation.pk)).content.decode()
    body = "## Ahora\n\nOtra versión."
    newer = StarterTranslation("es", translation.article.slug, translation.title, "Resumen.", body)
    _queue_release(ArticleTranslation.objects.get(pk=translation.pk), newer)
    approve_release(ArticleTranslation.objects.get(pk=translation.pk), reviewer=reviewer)

    page = _said(reviewer_client.get(CHANGE.format(translation.pk)))

    assert "Otra versión" in page  # the newer release, approved
    assert "New release declined" not in page
