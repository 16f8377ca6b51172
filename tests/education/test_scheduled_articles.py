"""A new article approved to go live later (scheduled), as an editor then handles it in the admin: saved unchanged it
keeps no working copy, and a later go-live time holds it back at once (the stop-34 audit: it went live at the old
time while the new one waited for a reviewer)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from education import workflow
from education.admin_forms import MSG_GO_LIVE_PASSED, MSG_SAVED_BY_SOMEONE_ELSE
from education.models import Article, ArticleDraft
from tests.education.factories import ArticleFactory
from tests.education.test_admin import ADD_URL, change_url, form_data, form_of, in_days, opened_in, review_url
from tests.staff_clock import staff_moment

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
    return _go_live_in(editor_client.get(change_url(article)).content.decode())


def _go_live_in(page: str) -> dict[str, str]:
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


def test_a_save_over_another_editors_postponement_is_refused_once_with_the_same_message(
    editor_client, reviewer_client, editor, django_user_model
):
    """Editor B moved a scheduled article's go-live 3 days on to 10; editor A, on a page opened before (showing day
    3), saved a new title: the change was kept to go live on day 3, undoing B's postponement without a word."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    page = editor_client.get(change_url(article)).content.decode()
    first, shown = opened_in(page), _as_shown(editor_client, article)
    other = Client()
    other.force_login(django_user_model.objects.get(pk=editor.pk))
    assert other.post(change_url(article), form_of(article, opened=first, **in_days(10))).status_code == 302
    article.refresh_from_db()
    postponed = article.published_at

    refused = editor_client.post(change_url(article), form_of(article, title="A's new title", opened=first, **shown))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [MSG_SAVED_BY_SOMEONE_ELSE]
    assert not ArticleDraft.objects.filter(article=article).exists()
    article.refresh_from_db()
    assert article.published_at == postponed


@pytest.mark.parametrize("go_live_days", [3, 10], ids=["its time kept", "postponed"])
def test_new_words_for_a_scheduled_article_saved_twice_from_one_page_are_no_conflict(
    editor_client, reviewer_client, go_live_days
):
    """A double click on Save, the go-live time kept as shown or moved later: the second request is the same save."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    page = editor_client.get(change_url(article)).content.decode()
    go_live = _as_shown(editor_client, article) if go_live_days == 3 else in_days(go_live_days)
    data = form_of(article, body="New words, scheduled.", opened=opened_in(page), **go_live)
    assert editor_client.post(change_url(article), data).status_code == 302
    assert editor_client.post(change_url(article), data).status_code == 302


def test_a_change_to_a_scheduled_article_approved_before_its_time_still_goes_live_at_that_time(
    editor_client, reviewer_client
):
    """An article approved to go live in 3 days; the editor fixes a word and keeps the time the form shows; a reviewer
    approves the fix the same day. The article went live at once, days early (the working copy kept no time, and
    approving a change to an article not live yet published it "now")."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    scheduled_for = article.published_at
    editor_client.post(
        change_url(article),
        form_of(
            article, title="Stretching after a run, gently", _submit_review="1", **_as_shown(editor_client, article)
        ),
    )
    assert ArticleDraft.objects.filter(article=article, state=ArticleDraft.State.AWAITING_REVIEW).exists()
    review_page = reviewer_client.get(review_url(article)).content.decode()
    when = timezone.localtime(scheduled_for)
    assert f"Once approved it goes live on {staff_moment(when)}" in review_page
    assert "Patients cannot see this article until then." in review_page
    assert "goes live at once" not in review_page
    reviewer_client.post(review_url(article), {"_approve": "1"})
    article.refresh_from_db()
    assert article.title == "Stretching after a run, gently"
    assert article.published_at == scheduled_for
    assert article.is_scheduled
    assert Client().get(article.get_absolute_url()).status_code == 404  # not before its time


def test_an_editor_who_empties_go_live_on_a_scheduled_article_sees_it_go_live_at_once_when_approved(
    editor_client, reviewer_client
):
    """The form's help (and its "time has passed" message): "Leave empty for as soon as it is approved". An article
    scheduled for 3 days ahead; the editor empties "Go live" (the clinic is ready now), fixes a word and sends it; a
    reviewer approves it the same day: it stays scheduled for day 3."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    editor_client.post(
        change_url(article),
        form_of(article, title="Stretching after a run, now", _submit_review="1", go_live_at_0="", go_live_at_1=""),
    )
    assert ArticleDraft.objects.filter(article=article, state=ArticleDraft.State.AWAITING_REVIEW).exists()
    reviewer_client.post(review_url(article), {"_approve": "1"})
    article.refresh_from_db()
    assert article.title == "Stretching after a run, now"
    assert article.is_live, f"still scheduled for {article.published_at}"
    assert Client().get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("minutes_after", [5, 120], ids=["minutes after", "hours after"])
def test_an_editor_whose_scheduled_article_went_live_while_their_page_was_open_is_not_told_someone_else_saved(
    editor_client, reviewer_client, editor, time_machine, minutes_after
):
    """Nobody saved: the article went live at the time the editor's page shows, minutes or hours ago, and the editor
    saves a word fix from that page (hours on, it was refused with "This time has passed", a time never typed)."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    page = editor_client.get(change_url(article)).content.decode()
    opened, shown = opened_in(page), _as_shown(editor_client, article)
    assert article.published_at is not None
    time_machine.move_to(article.published_at + datetime.timedelta(minutes=minutes_after))
    editor_client.force_login(editor)  # the session of 3 days ago has expired
    article.refresh_from_db()
    assert article.is_live
    response = editor_client.post(
        change_url(article), form_of(article, title="Stretching after a run, gently", opened=opened, **shown)
    )
    errors = response.context["adminform"].form.non_field_errors() if response.status_code == 200 else []
    assert MSG_SAVED_BY_SOMEONE_ELSE not in errors
    assert response.status_code == 302


def test_a_reviewer_whose_page_showed_a_go_live_time_does_not_approve_a_different_one_unseen(
    editor_client, reviewer_client
):
    """A new article sent to go live in 7 days; the reviewer's page says so. Meanwhile the editor empties "Go live"
    and sends the same words again. The reviewer's Approve (on the page that said day 7) put the article online at
    once: patients saw it a week before the time the reviewer approved."""
    editor_client.post(ADD_URL, form_data(**in_days(7), _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    page = reviewer_client.get(review_url(article)).content.decode()
    week = timezone.localtime() + datetime.timedelta(days=7)
    assert f"Once approved it goes live on {week:%b %-d, %Y}" in page
    shown = re.search(r'name="shown" value="([0-9a-f]{64})"', page).group(1)  # type: ignore[union-attr]

    editor_client.post(change_url(article), form_of(article, _submit_review="1", go_live_at_0="", go_live_at_1=""))
    assert ArticleDraft.objects.get(article=article).go_live_at is None

    refused = reviewer_client.post(review_url(article), {"_approve": "1", "shown": shown})
    assert refused.status_code == 200
    assert "The article changed after this page was opened" in refused.content.decode()
    assert "Once approved it goes live at once" in refused.content.decode()
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_restoring_an_old_version_of_a_scheduled_article_keeps_its_go_live_time(editor_client, reviewer_client):
    """An article approved to go live in 3 days; an editor restores an earlier wording from History, then sends it.
    The restore page showed "Go live" empty (the change form shows day 3), so the restored words went live as soon
    as a reviewer approved them, days early."""
    from reversion.models import Version

    editor_client.post(ADD_URL, form_data(body="The first wording.", **in_days(3)))
    article = Article.objects.get(slug="stretching-after-a-run")
    editor_client.post(change_url(article), form_of(article, body="The second wording.", **in_days(3)))
    editor_client.post(
        change_url(article), form_of(article, body="The second wording.", _submit_review="1", **in_days(3))
    )
    reviewer_client.post(review_url(article), {"_approve": "1"})
    article.refresh_from_db()
    assert article.is_scheduled
    first = Version.objects.get_for_object(article).order_by("pk").first()
    restore_url = f"/admin/education/article/{article.pk}/history/{first.pk}/"
    page = editor_client.get(restore_url).content.decode()
    assert "The first wording." in page
    shown = {}
    for name in ("go_live_at_0", "go_live_at_1", "opened"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)  # type: ignore[union-attr]
        value = re.search(r'value="([^"]*)"', tag)
        shown[name] = value.group(1) if value else ""
    assert shown == {**_as_shown(editor_client, article), "opened": shown["opened"]}, "the restore page's Go live"

    # The restore page has "Save" only: the restored words become the working copy, sent from the change form.
    editor_client.post(restore_url, form_of(article, body="The first wording.", **shown))
    assert ArticleDraft.objects.get(article=article).go_live_at == article.published_at
    sent = form_of(article, body="The first wording.", _submit_review="1", **_as_shown(editor_client, article))
    editor_client.post(change_url(article), sent)
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW
    reviewer_client.post(review_url(article), {"_approve": "1"})
    article.refresh_from_db()
    assert article.body == "The first wording."
    assert article.is_scheduled
    assert Client().get(article.get_absolute_url()).status_code == 404


@pytest.fixture
def ten_in_the_morning(time_machine):
    """10:00 on a Tuesday, before anyone signs in: "now plus 30 minutes" on the clock was, from 1:30 AM on the night
    the clocks skip 2:00-3:00, a time that never happens, and the editor's "Go live" was refused."""
    time_machine.move_to(timezone.make_aware(datetime.datetime(2027, 4, 13, 10, 0)), tick=True)


@pytest.mark.parametrize("minutes_after", [5, 120], ids=["minutes after", "hours after"])
def test_an_editor_whose_approved_change_went_live_while_their_page_was_open_is_told_that_not_someone_else_saved(
    ten_in_the_morning, editor_client, reviewer_client, editor, time_machine, minutes_after
):
    """A change to a live article, approved to go live at 10:30; at 10:00 an editor opens the article to correct it.
    At 10:30 the change goes live; the editor's save was refused with "Someone else saved this article", though
    nobody had, and from two hours on with "This time has passed" under a "Go live" they never typed."""
    article = ArticleFactory.create(title="Heat or ice", body="Old advice.")
    at = timezone.localtime() + datetime.timedelta(minutes=30)
    go_live = {"go_live_at_0": f"{at:%Y-%m-%d}", "go_live_at_1": f"{at:%H:%M:%S}"}
    editor_client.post(change_url(article), form_of(article, body="New advice.", _submit_review="1", **go_live))
    reviewer_client.post(review_url(article), {"_approve": "1"})
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.APPROVED
    page = editor_client.get(change_url(article)).content.decode()
    opened, shown = opened_in(page), _go_live_in(page)

    time_machine.move_to(at + datetime.timedelta(minutes=minutes_after))
    assert workflow.publish_due() == 1  # the task queued for its time
    editor_client.force_login(editor)
    article.refresh_from_db()
    response = editor_client.post(
        change_url(article), form_of(article, body="New advice, corrected.", opened=opened, **shown)
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "go_live_at" not in form.errors, form.errors.get("go_live_at")
    assert form.non_field_errors() == [
        f"The approved change went live at its scheduled time ({staff_moment(at)}) after you opened this "
        "page, so your changes were not saved: patients see the approved change now. Your changes are still in the "
        "form below, with “Go live” emptied: save again to keep them as a new change."
    ]
    assert MSG_SAVED_BY_SOMEONE_ELSE not in form.non_field_errors()
    assert MSG_GO_LIVE_PASSED not in str(form.errors)
    refused = response.content.decode()
    assert "New advice, corrected." in refused
    again = editor_client.post(
        change_url(article),
        form_of(article, body="New advice, corrected.", opened=opened_in(refused), **_go_live_in(refused)),
    )
    assert again.status_code == 302
    draft = ArticleDraft.objects.get(article=article)
    assert (draft.content["body"], draft.go_live_at) == ("New advice, corrected.", None)
    assert "New advice." in Client().get(article.get_absolute_url()).content.decode()


def test_the_review_page_of_a_scheduled_article_with_no_change_waiting_does_not_call_it_live(
    editor_client, reviewer_client
):
    """An article approved to go live in 3 days, nothing waiting: its Review page offered to "approve the live version
    as it is", and approving it said "patients see your name and today's date on it", though no patient can see it
    before day 3."""
    article = _scheduled_article(editor_client, reviewer_client, days=3)
    assert article.published_at is not None
    when = timezone.localtime(article.published_at)
    page = " ".join(reviewer_client.get(review_url(article)).content.decode().split())
    assert "the live version" not in page
    assert (
        f"No change waits for review. This article is approved and goes live on {staff_moment(when)}: patients "
        "cannot see it until then. You can approve it again as it is" in page
    )

    approved = reviewer_client.post(review_url(article), {"_approve": "1"}, follow=True).content.decode()
    assert "patients see your name and today&#x27;s date on it" not in approved
    assert "You approved “Stretching after a run” as it is: it goes live at its scheduled time." in approved
    article.refresh_from_db()
    assert article.is_scheduled
    assert Client().get(article.get_absolute_url()).status_code == 404
    history = Version.objects.get_for_object(article).first()
    assert history is not None
    assert history.revision.comment.startswith("Approved as it is, to go live at its scheduled time.")


def _panel(editor_client, article: Article) -> str:
    page = editor_client.get(change_url(article)).content.decode()
    section = re.search(r'<section class="workflow-panel".*?</section>', page, re.S)
    assert section is not None
    return re.sub(r"\s+", " ", section.group(0))


def test_the_editors_panel_says_when_the_time_of_a_change_waiting_for_review_has_passed(editor_client):
    """The panel above the change form said "goes live <time> once approved" of a change waiting for review whose
    time had passed; approving it puts it live at once, as the review page says."""
    article = ArticleFactory.create(title="Back pain after a run")
    ahead = timezone.now() + datetime.timedelta(days=2)
    draft = ArticleDraft.objects.create(
        article=article,
        content=workflow.live_content(article),
        state=ArticleDraft.State.AWAITING_REVIEW,
        go_live_at=ahead,
    )
    assert f"goes live {staff_moment(timezone.localtime(ahead))} once approved" in _panel(editor_client, article)

    passed = timezone.now() - datetime.timedelta(hours=2)
    ArticleDraft.objects.filter(pk=draft.pk).update(go_live_at=passed)
    panel = _panel(editor_client, article)
    assert "once approved" not in panel
    when = f"{staff_moment(timezone.localtime(passed))}"
    assert f"its go-live time, {when}, has passed: it goes live at once when approved" in panel


def test_the_editors_panel_does_not_ask_for_the_approval_an_approved_change_has(editor_client):
    article = ArticleFactory.create(title="Back pain after a run")
    go_live_at = timezone.now() + datetime.timedelta(days=2)
    ArticleDraft.objects.create(
        article=article,
        content=workflow.live_content(article),
        state=ArticleDraft.State.APPROVED,
        go_live_at=go_live_at,
    )
    panel = _panel(editor_client, article)
    assert f"goes live {staff_moment(timezone.localtime(go_live_at))}" in panel
    assert "once approved" not in panel
