"""Approving a waiting release from the reviewer's page, clicked twice: the second click finds the release in place of
the words the page showed, approved, and says so, not that the translation "was not approved ... changed since"."""

from __future__ import annotations

import html

import pytest

from education.models import ArticleTranslation
from education.translation_approval import MSG_CHANGED_SINCE_SHOWN
from tests.education.factories import (
    ArticleFactory,
    admin_form_fields,
    change_english_after_translation,
    spanish_with_a_new_release,
)

pytestmark = pytest.mark.django_db

APPROVE = "/admin/education/articletranslation/{}/approve-release/"
CHANGE = "/admin/education/articletranslation/{}/change/"


def _said(response) -> str:
    return html.unescape(response.content.decode())


def test_a_double_click_on_approve_release_says_it_is_approved(reviewer_client, reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    form = admin_form_fields(reviewer_client.get(CHANGE.format(translation.pk)).content.decode(), "approve-release")
    first = reviewer_client.post(APPROVE.format(translation.pk), form)
    assert first.status_code == 302
    approved = ArticleTranslation.objects.get(pk=translation.pk)
    assert approved.is_approved
    assert "Lo urgente primero." in approved.body
    reviewer_client.get(CHANGE.format(translation.pk))  # the first click's "Approved" read: not the second's answer

    second = reviewer_client.post(APPROVE.format(translation.pk), form, follow=True)

    page = _said(second)
    assert "Approved: patients who read this language now see the new release." in page
    assert MSG_CHANGED_SINCE_SHOWN not in page
    # The first click's record stands.
    assert ArticleTranslation.objects.get(pk=translation.pk).approved_at == approved.approved_at


def test_approving_a_release_from_a_page_whose_words_changed_since_is_still_refused(reviewer_client, reviewer):
    """An editor's other words (saved and approved since) are not the release the page showed: refused as before."""
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    form = admin_form_fields(reviewer_client.get(CHANGE.format(translation.pk)).content.decode(), "approve-release")
    reviewer_client.post(APPROVE.format(translation.pk), form)
    changed = ArticleTranslation.objects.get(pk=translation.pk)
    changed.body = "## Otros\n\nOtras palabras."
    changed.save()
    changed.approved_sha256 = changed.content_sha256
    changed.save(update_fields=["approved_sha256"])

    page = _said(reviewer_client.post(APPROVE.format(translation.pk), form, follow=True))

    assert MSG_CHANGED_SINCE_SHOWN in page
    assert "Otras palabras." in ArticleTranslation.objects.get(pk=translation.pk).body


def test_a_second_click_after_the_english_changed_does_not_say_patients_see_the_release(reviewer_client, reviewer):
    """Approved by the first click; the English article changed before the second: patients read the English now
    (the Spanish is of older English), so "patients ... now see the new release" would be false."""
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    form = admin_form_fields(reviewer_client.get(CHANGE.format(translation.pk)).content.decode(), "approve-release")
    first = _said(reviewer_client.post(APPROVE.format(translation.pk), form, follow=True))
    assert "Approved: patients who read this language now see the new release." in first
    change_english_after_translation(translation.article)

    page = _said(reviewer_client.post(APPROVE.format(translation.pk), form, follow=True))

    assert "patients who read this language now see the new release" not in page
    assert MSG_CHANGED_SINCE_SHOWN in page
