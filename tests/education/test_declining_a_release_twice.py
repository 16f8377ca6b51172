"""Declining a waiting release from the reviewer's page, clicked twice or from a page opened before a colleague
decided: the answer says what happened to the release, never that something "was not approved" and to approve it."""

from __future__ import annotations

import html
import re

import pytest

from education.models import ArticleTranslation
from education.translation_approval import approve_release
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
