"""A clinical reviewer declines a translation's new starter release (education/translation_approval.py
`decline_release`): patients keep the approved words, the release leaves the reviewers' lists and e-mail, who
declined it and when is kept on the translation, and `load_articles` does not queue the same words again."""

from __future__ import annotations

import datetime
import io
import re
import shutil

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from education import tasks
from education.models import ArticleTranslation
from education.reminders import send_review_reminders, translations_with_a_new_release
from education.services import (
    TRANSLATION_RELEASE_DECLINED,
    TRANSLATION_RELEASE_STILL_WAITING,
    TRANSLATION_RELEASE_WAITING,
    load_starter_library,
)
from education.starter import RELEASED_FILE, STARTER_DIR
from education.translation import localized
from education.translation_approval import MSG_DECLINE_CHANGED_SINCE_SHOWN, MSG_NO_RELEASE, decline_release
from education.workflow import WorkflowError
from messaging.models import OutboundMessage
from messaging.services import send
from tests.education.factories import ArticleFactory, approve_translations, spanish_with_a_new_release

pytestmark = pytest.mark.django_db

DECLINE = "/admin/education/articletranslation/{}/decline-release/"
CHANGE = "/admin/education/articletranslation/{}/change/"


def shown_on(page: str) -> str:
    found = re.search(r'name="shown" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_reviewer_declines_a_waiting_release_and_patients_keep_the_approved_words(
    editor_client, reviewer_client, reviewer
):
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    approved_body = translation.body
    assert "Decline this release" not in editor_client.get(CHANGE.format(translation.pk)).content.decode()
    assert editor_client.post(DECLINE.format(translation.pk)).status_code == 403  # an editor may not decline

    page = reviewer_client.get(CHANGE.format(translation.pk)).content.decode()
    assert "Decline this release" in page
    response = reviewer_client.post(DECLINE.format(translation.pk), {"shown": shown_on(page)}, follow=True)
    assert "Declined: patients keep reading the approved words" in response.content.decode()

    declined = ArticleTranslation.objects.select_related("article").get(pk=translation.pk)
    assert declined.waiting_release is None
    assert declined.body == approved_body  # the words patients read, still approved
    assert declined.is_approved
    assert localized(declined.article, "es").body_html == declined.body_html
    assert declined.release_declined_by == reviewer
    assert declined.release_declined_by_name == "Riley Reviewer"
    assert declined.release_declined_at is not None
    after = reviewer_client.get(CHANGE.format(translation.pk)).content.decode()
    assert "waits for clinical review" not in after
    assert "Decline this release" not in after
    assert "<strong>New release declined</strong> by Riley Reviewer on" in after


def test_a_declined_release_leaves_the_reviewers_lists_and_their_email(editor_client, reviewer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    assert send_review_reminders()["reviewers"] == 1  # today's e-mail, queued before the reviewer declines
    decline_release(translation, reviewer=reviewer)
    assert list(translations_with_a_new_release()) == []
    for listing in ("/admin/education/articletranslation/", "/admin/education/article/"):
        assert "New release awaiting review" not in editor_client.get(listing).content.decode()
    waiting = editor_client.get("/admin/education/article/", {"signoff": "release"}).content.decode()
    assert "Go-now signs" not in waiting
    message = OutboundMessage.objects.get(kind=tasks.REMINDER)
    assert send(message.pk) == OutboundMessage.Status.CANCELLED  # nothing waits any more: no e-mail
    assert mail.outbox == []
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert send_review_reminders(today=tomorrow)["reviewers"] == 0


def test_declining_is_refused_for_a_page_that_showed_other_words_and_when_no_release_waits(reviewer):
    translation = spanish_with_a_new_release(ArticleFactory.create())
    with pytest.raises(WorkflowError, match=re.escape(MSG_DECLINE_CHANGED_SINCE_SHOWN)):
        decline_release(translation, reviewer=reviewer, shown="0" * 64)
    assert ArticleTranslation.objects.get(pk=translation.pk).waiting_release is not None
    decline_release(translation, reviewer=reviewer)
    with pytest.raises(WorkflowError, match=re.escape(MSG_NO_RELEASE)):
        decline_release(translation, reviewer=reviewer)


# --- The next load_articles ---------------------------------------------------------------------------------------
# One article (3) is enough: its Spanish of an earlier release, approved and read by patients, then this release's.

ARTICLE_3 = "03-cauda-equina-warning-signs.md"
CAUDA_EQUINA = "cauda-equina-warning-signs"


@pytest.fixture
def one_article(tmp_path):
    """A starter library of article 3 alone, whose Spanish patients read in an earlier release's words (the
    emergency section last), with this release's Spanish (the emergency section first) waiting for a reviewer."""
    library = tmp_path / "articles"
    (library / "es").mkdir(parents=True)
    shutil.copy(STARTER_DIR / ARTICLE_3, library / ARTICLE_3)
    shutil.copy(STARTER_DIR / "es" / RELEASED_FILE, library / "es" / RELEASED_FILE)
    current = (STARTER_DIR / "es" / ARTICLE_3).read_text(encoding="utf-8")
    before, first, *others = re.split(r"(?m)^(?=## )", current)
    last, box = others[-1].split("[[get-help-now]]")
    earlier = before + "".join(others[:-1]) + last + first + "[[get-help-now]]" + box
    (library / "es" / ARTICLE_3).write_text(earlier, encoding="utf-8")
    load_starter_library(library)
    approve_translations()
    found = ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA)
    with (library / "es" / RELEASED_FILE).open("a", encoding="utf-8") as released:
        released.write(f"{CAUDA_EQUINA} {found.content_sha256}\n")
    (library / "es" / ARTICLE_3).write_text(current, encoding="utf-8")
    assert load_starter_library(library).translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_RELEASE_WAITING
    return library


def test_the_next_load_does_not_bring_back_the_release_a_reviewer_declined(one_article, reviewer):
    declined = decline_release(ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA), reviewer=reviewer)
    out = io.StringIO()
    call_command("load_articles", directory=one_article, stdout=out)
    assert f"1 {TRANSLATION_RELEASE_DECLINED}" in out.getvalue()
    assert "awaiting clinical review: patients read" not in out.getvalue()
    assert list(translations_with_a_new_release()) == []
    assert ArticleTranslation.objects.get(pk=declined.pk).body == declined.body


def test_a_newer_release_after_a_declined_one_waits_for_a_reviewer_again(one_article, reviewer):
    decline_release(ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA), reviewer=reviewer)
    spanish = one_article / "es" / ARTICLE_3
    spanish.write_text(spanish.read_text(encoding="utf-8").replace("señales", "signos", 1), encoding="utf-8")
    report = load_starter_library(one_article)
    assert report.translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_RELEASE_WAITING
    assert [t.article.slug for t in translations_with_a_new_release()] == [CAUDA_EQUINA]


def test_after_a_decline_words_no_longer_approved_are_not_said_to_be_what_patients_read(reviewer_client, reviewer):
    """The declined banner said "patients keep reading the approved words" under "Not approved yet ... see the English
    article" once an editor saved other words since: the page contradicted itself, and the second was true."""
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    decline_release(translation, reviewer=reviewer)
    edited = ArticleTranslation.objects.get(pk=translation.pk)
    edited.body = edited.body + "\n\nUna frase nueva."
    edited.save()
    assert not ArticleTranslation.objects.get(pk=translation.pk).is_approved

    page = reviewer_client.get(CHANGE.format(translation.pk)).content.decode()

    assert "Not approved yet." in page
    assert "<strong>New release declined</strong> by Riley Reviewer on" in page  # the record stays
    assert "patients keep reading the approved words" not in page


def test_a_release_brought_back_after_a_decline_still_waits_after_the_next_load(one_article, reviewer):
    """Brought back by a reviewer (a decline by mistake), the release waits as `load_articles` queued it: the next load
    finds it waiting, neither declined nor queued twice."""
    from education.translation_approval import reopen_release

    declined = decline_release(ArticleTranslation.objects.get(article__slug=CAUDA_EQUINA), reviewer=reviewer)
    reopen_release(declined, reviewer=reviewer)
    report = load_starter_library(one_article)
    assert report.translations[f"{CAUDA_EQUINA} (es)"] == TRANSLATION_RELEASE_STILL_WAITING
    assert [t.article.slug for t in translations_with_a_new_release()] == [CAUDA_EQUINA]
