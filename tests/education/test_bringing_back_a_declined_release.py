"""A release declined by mistake is brought back from the translation's page: it waits for clinical review again, as
it did before the decline, without anyone pasting its words back (education/translation_approval.py
`reopen_release`). Patients keep reading the approved words until a reviewer approves it."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from audit.models import AuditEvent
from education.models import ArticleTranslation
from education.reminders import translations_with_a_new_release
from education.translation import localized
from education.translation_approval import decline_release
from tests.education.factories import (
    ArticleFactory,
    admin_form_fields,
    change_english_after_translation,
    spanish_with_a_new_release,
)

pytestmark = pytest.mark.django_db

REOPEN = "/admin/education/articletranslation/{}/reopen-release/"
APPROVE = "/admin/education/articletranslation/{}/approve-release/"
CHANGE = "/admin/education/articletranslation/{}/change/"
BUTTON = "Bring this release back for review"
BROUGHT_BACK = "Brought back: the new release waits for clinical review again."


def _said(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def declined(reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs", slug="go-now-signs"))
    decline_release(translation, reviewer=reviewer)
    return ArticleTranslation.objects.select_related("article").get(pk=translation.pk)


def test_a_reviewer_brings_a_declined_release_back_to_wait_for_review(reviewer_client, declined):
    approved_body = declined.body
    page = reviewer_client.get(CHANGE.format(declined.pk)).content.decode()
    assert BUTTON in page

    response = reviewer_client.post(REOPEN.format(declined.pk), admin_form_fields(page, "reopen-release"), follow=True)

    said = _said(response)
    assert BROUGHT_BACK in said
    assert "Patients keep reading the approved words until a clinical reviewer approves it." in said
    found = ArticleTranslation.objects.select_related("article").get(pk=declined.pk)
    assert found.waiting_release is not None
    assert found.waiting_release["body"] == "## Vaya ahora\n\nLo urgente primero."  # nobody pasted it back
    assert found.body == approved_body  # patients still read the approved words
    assert found.is_approved
    assert localized(found.article, "es").body_html == found.body_html
    assert not found.declined_release
    assert found.release_declined_at is None
    # The page is the one of a release waiting: the note that it was declined is gone, the decisions are back.
    assert "New release declined" not in said
    assert BUTTON not in said
    assert "Approve the new release for patients" in said
    assert "Decline this release" in said
    assert "Lo urgente primero." in said  # what the release changes

    # Back on the reviewers' list (and in their reminder e-mail) of releases waiting.
    assert [t.pk for t in translations_with_a_new_release()] == [declined.pk]

    # Approved from there, patients read it.
    reviewer_client.post(APPROVE.format(declined.pk), admin_form_fields(response.content.decode(), "approve-release"))
    assert "Lo urgente primero." in ArticleTranslation.objects.get(pk=declined.pk).body


def test_bringing_back_writes_one_audit_row_even_when_clicked_twice(reviewer_client, reviewer, declined):
    form = admin_form_fields(reviewer_client.get(CHANGE.format(declined.pk)).content.decode(), "reopen-release")
    assert reviewer_client.post(REOPEN.format(declined.pk), form).status_code == 302
    reviewer_client.get(CHANGE.format(declined.pk))  # the first click's message read

    second = reviewer_client.post(REOPEN.format(declined.pk), form, follow=True)

    assert BROUGHT_BACK in _said(second)
    assert ArticleTranslation.objects.get(pk=declined.pk).waiting_release is not None
    [event] = AuditEvent.objects.filter(action="reopened_release")
    assert event.actor == reviewer
    assert f"article #{declined.article.pk} go-now-signs" in event.detail
    assert event.get_action_display() == "Brought a declined translation release back for review"


def test_only_a_clinical_reviewer_may_bring_a_release_back_and_only_by_a_post_with_its_token(
    editor_client, reviewer, declined
):
    page = editor_client.get(CHANGE.format(declined.pk)).content.decode()
    assert "New release declined" in page
    assert BUTTON not in page
    assert editor_client.post(REOPEN.format(declined.pk), {"shown": "x"}).status_code == 403

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reviewer)
    form = admin_form_fields(browser.get(CHANGE.format(declined.pk)).content.decode(), "reopen-release")
    assert browser.get(REOPEN.format(declined.pk)).status_code == 405
    assert browser.post(REOPEN.format(declined.pk), form).status_code == 403  # no CSRF token
    assert ArticleTranslation.objects.get(pk=declined.pk).waiting_release is None
    assert not AuditEvent.objects.filter(action="reopened_release").exists()


def test_a_release_of_english_changed_since_is_not_brought_back(reviewer_client, declined):
    """The English changed after the decline: the release translates older English, which no reviewer can approve
    (patients read the English until a translator updates the Spanish), so it is not put back to wait."""
    form = admin_form_fields(reviewer_client.get(CHANGE.format(declined.pk)).content.decode(), "reopen-release")
    change_english_after_translation(declined.article)

    said = _said(reviewer_client.post(REOPEN.format(declined.pk), form, follow=True))

    assert "nothing was brought back" in said.lower()
    assert BROUGHT_BACK not in said
    assert BUTTON not in said
    assert ArticleTranslation.objects.get(pk=declined.pk).waiting_release is None
    assert not AuditEvent.objects.filter(action="reopened_release").exists()


def test_a_release_is_not_brought_back_over_words_a_translator_changed_since(reviewer_client, declined):
    """A translator's words always win (a release waits only over the approved words it was queued beside)."""
    form = admin_form_fields(reviewer_client.get(CHANGE.format(declined.pk)).content.decode(), "reopen-release")
    declined.body = "## Otros\n\nPalabras nuevas del traductor."
    declined.save()

    said = _said(reviewer_client.post(REOPEN.format(declined.pk), form, follow=True))

    assert "nothing was brought back" in said.lower()
    found = ArticleTranslation.objects.get(pk=declined.pk)
    assert found.waiting_release is None
    assert found.body == "## Otros\n\nPalabras nuevas del traductor."
    assert BUTTON not in _said(reviewer_client.get(CHANGE.format(declined.pk)))
