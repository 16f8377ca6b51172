"""A clinical reviewer's decision on a translation's new starter release is in the audit trail, as staff actions on
intakes are: who, when, which article and language, approved or declined (education/translation_approval.py). One row
per decision: a double click answered "approved"/"declined" again, and a refused click, add none."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from education.models import ArticleTranslation
from tests.education.factories import (
    ArticleFactory,
    admin_form_fields,
    spanish_awaiting_approval,
    spanish_with_a_new_release,
)

pytestmark = pytest.mark.django_db

APPROVE_WORDS = "/admin/education/articletranslation/{}/approve/"
APPROVE = "/admin/education/articletranslation/{}/approve-release/"
DECLINE = "/admin/education/articletranslation/{}/decline-release/"
CHANGE = "/admin/education/articletranslation/{}/change/"


def _decisions() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__in=["approved_release", "declined_release"]))


@pytest.mark.parametrize(
    ("path", "action", "said"),
    [
        (APPROVE, "approved_release", "Approved: patients who read this language now see the new release."),
        (DECLINE, "declined_release", "Declined: patients keep reading the approved words"),
    ],
)
def test_a_decision_on_a_release_leaves_one_audit_row_even_when_clicked_twice(
    reviewer_client, reviewer, path, action, said
):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs", slug="go-now-signs"))
    page = reviewer_client.get(CHANGE.format(translation.pk)).content.decode()
    form = admin_form_fields(page, path.split("/")[-2])

    first = reviewer_client.post(path.format(translation.pk), form, follow=True)
    assert said in html.unescape(first.content.decode())
    second = reviewer_client.post(path.format(translation.pk), form, follow=True)  # the double click
    assert said in html.unescape(second.content.decode())

    [event] = _decisions()
    assert event.action == action
    assert event.actor == reviewer
    assert event.actor_username == "reviewer"
    assert event.ip_address == "127.0.0.1"
    assert event.intake_id is None
    assert f"article #{translation.article.pk}" in event.detail
    assert "go-now-signs" in event.detail
    assert "Spanish" in event.detail


def test_refused_decisions_leave_no_audit_row(editor_client, reviewer_client, reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    page = reviewer_client.get(CHANGE.format(translation.pk)).content.decode()
    approve, decline = admin_form_fields(page, "approve-release"), admin_form_fields(page, "decline-release")
    assert editor_client.post(APPROVE.format(translation.pk), approve).status_code == 403  # not a reviewer
    assert editor_client.post(DECLINE.format(translation.pk), decline).status_code == 403
    stale = {**decline, "shown": "0" * 64}  # a page that showed other words
    refused = reviewer_client.post(DECLINE.format(translation.pk), stale, follow=True)
    assert "nothing was declined" in refused.content.decode()
    assert _decisions() == []

    reviewer_client.post(DECLINE.format(translation.pk), decline)
    # Approving from the page opened before the decline: no release waits any more, refused.
    refused = html.unescape(reviewer_client.post(APPROVE.format(translation.pk), approve, follow=True).content.decode())
    assert "was not approved" in refused
    assert [event.action for event in _decisions()] == ["declined_release"]


def test_administrators_see_the_decision_in_the_audit_trail(client, reviewer_client, administrator):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs", slug="go-now-signs"))
    page = reviewer_client.get(CHANGE.format(translation.pk)).content.decode()
    reviewer_client.post(DECLINE.format(translation.pk), admin_form_fields(page, "decline-release"))
    client.force_login(administrator)

    trail = html.unescape(client.get(reverse("dashboard:audit"), {"action": "declined_release"}).content.decode())
    assert "Declined a translation's new release" in trail
    assert "reviewer" in trail
    assert "go-now-signs" in trail
    admin_list = client.get(reverse("admin:audit_auditevent_changelist"), {"action": "declined_release"})
    assert "go-now-signs" in html.unescape(admin_list.content.decode())


def test_approving_a_translations_words_leaves_one_audit_row_even_when_clicked_twice(reviewer_client, reviewer):
    translation = spanish_awaiting_approval(ArticleFactory.create(title="Sciatica", slug="sciatica"))
    form = admin_form_fields(reviewer_client.get(CHANGE.format(translation.pk)).content.decode(), "approve")
    first = reviewer_client.post(APPROVE_WORDS.format(translation.pk), form)
    assert first.status_code == 302
    approved_at = ArticleTranslation.objects.get(pk=translation.pk).approved_at
    second = reviewer_client.post(APPROVE_WORDS.format(translation.pk), form, follow=True)
    assert "Approved: patients who read this language now see this translation." in html.unescape(
        second.content.decode()
    )

    [event] = AuditEvent.objects.filter(action="approved_translation")
    assert event.actor == reviewer
    assert f"article #{translation.article.pk} sciatica" in event.detail
    assert ArticleTranslation.objects.get(pk=translation.pk).approved_at == approved_at  # the first click's record
