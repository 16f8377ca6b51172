"""An editor's and a reviewer's day in the admin: create, preview, send for review, approve, schedule, revise,
compare and restore; the list's order and badges."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from education import selectors
from education.admin_forms import MSG_GO_LIVE_PASSED, MSG_SAVED_BY_SOMEONE_ELSE
from education.models import Article, ArticleDraft, ArticleReview, ArticleTranslation, Topic
from education.workflow import draft_of
from tests.education.factories import (
    ArticleFactory,
    TopicFactory,
    approve_translations,
    change_english_after_translation,
    edit_translation_after_approval,
    spanish_awaiting_approval,
    spanish_with_a_new_release,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/education/article/add/"


def form_data(**overrides):
    data = {
        "title": "Stretching after a run",
        "slug": "stretching-after-a-run",
        "summary": "Gentle stretches that help a stiff back.",
        "body": "## Why stretch\n\nStretching can ease stiffness. Go slowly.",
        "go_live_at_0": "",
        "go_live_at_1": "",
        "author": "Education team",
        # A year on whenever the suite runs: a fixed 2027-11-01 was refused as a date in the past from the day after.
        "next_review_due": (timezone.localdate() + datetime.timedelta(days=365)).isoformat(),
        "sources": "NICE NG59.",
    }
    data.update(overrides)
    return data


def form_of(article: Article, **overrides):
    """The change form's data for `article` as the browser would send it back."""
    as_shown = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "author": article.author,
        "next_review_due": str(article.next_review_due or ""),
        "sources": article.sources,
        "topics": [topic.pk for topic in article.topics.all()],
    }
    return form_data(**{**as_shown, **overrides})


def in_days(days: int) -> dict[str, str]:
    """ "Go live" typed for `days` days from today at 10:30 on the clinic's clock. "Now plus N days" as typed was, run
    between 2:00 and 3:00 AM N days before the clocks skip that hour (2027-03-04 for 10 days), a time that never
    happens, and the form refused it; 1:xx AM on the night the clocks go back happens twice."""
    when = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=days), datetime.time(10, 30))
    return {"go_live_at_0": when.strftime("%Y-%m-%d"), "go_live_at_1": when.strftime("%H:%M:%S")}


def change_url(article: Article) -> str:
    return f"/admin/education/article/{article.pk}/change/"


def review_url(article: Article) -> str:
    return f"/admin/education/article/{article.pk}/review/"


def test_a_new_article_goes_live_only_once_a_reviewer_approves_it(editor_client, reviewer_client, reviewer):
    patient = Client()
    running = TopicFactory.create(name="Running", slug="running")

    response = editor_client.post(ADD_URL, form_data(topics=[running.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="stretching-after-a-run")
    # The editor is told the draft was kept (an audit found "No changes ...: there is nothing new to save" here).
    shown = editor_client.get(response["Location"]).content.decode()
    assert "The draft “Stretching after a run” was saved. Patients cannot see it until" in shown
    assert "nothing new to save" not in shown
    assert "None needed: the article has never been published" in shown
    assert article.status == Article.Status.DRAFT
    assert list(article.topics.all()) == [running]
    assert patient.get(article.get_absolute_url()).status_code == 404

    response = editor_client.post(change_url(article), form_of(article, _submit_review="1"), follow=True)
    assert "was sent for clinical review" in response.content.decode()
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW
    assert patient.get(article.get_absolute_url()).status_code == 404

    page = reviewer_client.get(review_url(article)).content.decode()
    assert "Flesch-Kincaid grade" in page
    response = reviewer_client.post(review_url(article), {"_approve": "1"}, follow=True)
    assert "Patients see it now" in response.content.decode()
    html = patient.get(article.get_absolute_url()).content.decode()
    assert "Stretching can ease stiffness." in html
    today = timezone.localdate()
    assert "Medically reviewed by Riley Reviewer on" in html
    assert f"{today:%B} {today.day}, {today.year}" in html
    article.refresh_from_db()
    assert article.reviewer == reviewer
    assert not ArticleDraft.objects.filter(article=article).exists()


def test_a_scheduled_new_article_is_approved_now_and_goes_live_at_its_time(editor_client, reviewer_client):
    editor_client.post(ADD_URL, form_data(**in_days(3), _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    reviewer_client.post(review_url(article), {"_approve": "1"})
    article.refresh_from_db()
    assert article.is_scheduled
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_an_editors_change_to_a_live_article_waits_for_approval_and_history_shows_the_body_only(
    editor_client, reviewer_client, reviewer
):
    import reversion

    patient = Client()
    with reversion.create_revision():
        article = ArticleFactory.create(body="## Rest\n\nRest a day or two.\n\n- Walk.\n- Use heat.\n")
    first = Version.objects.get_for_object(article).count()

    # The browser sends CR LF line endings; only the body's words really changed.
    sent = form_of(
        article,
        body="## Rest\r\n\r\nRest one day.\r\n\r\n- Walk.\r\n- Use heat.",
        sources="First source.\r\nSecond source.",
    )
    assert editor_client.post(change_url(article), {**sent, "_submit_review": "1"}).status_code == 302
    assert "Rest a day or two." in patient.get(article.get_absolute_url()).content.decode()
    assert "Rest one day." not in patient.get(article.get_absolute_url()).content.decode()
    # The change form shows the working copy, not the live words.
    assert "Rest one day." in editor_client.get(change_url(article)).content.decode()

    review_page = reviewer_client.get(review_url(article)).content.decode()
    assert "What changes for patients" in review_page
    assert re.findall(r'<h3 class="english-change-field">(\w[^<]*)</h3>', review_page) == ["Body"]

    reviewer_client.post(review_url(article), {"_approve": "1"})
    page = patient.get(article.get_absolute_url()).content.decode()
    assert "Rest one day." in page
    assert "Rest a day or two." not in page

    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert len(versions) == first + 1
    assert versions[-1].revision.get_comment().startswith("Changed Body. Approved by Riley Reviewer")
    compare = reviewer_client.get(
        f"/admin/education/article/{article.pk}/history/compare/",
        {"version_id1": versions[-2].pk, "version_id2": versions[-1].pk},
    ).content.decode()
    assert "<ins>one</ins>" in compare
    # One heading per changed field (templates/reversion-compare/compare_partial.html), then the edit comment.
    changed = re.findall(r"<h2>([^<]+)</h2>", compare)
    assert [name.strip() for name in changed if not name.strip().endswith(":")] == ["body"], changed


def _article_with_an_old_version() -> tuple[Article, str]:
    """A live article saved twice ("The old advice.", then "The new advice."), and the History page that restores
    its first version."""
    import reversion

    with reversion.create_revision():
        article = ArticleFactory.create(body="The old advice.")
    with reversion.create_revision():
        article.body = "The new advice."
        article.save()
    old = Version.objects.get_for_object(article).order_by("pk").first()
    assert old is not None
    return article, f"/admin/education/article/{article.pk}/history/{old.pk}/"


def test_restoring_an_old_version_makes_it_the_working_copy_not_the_live_article(editor_client, reviewer_client):
    article, restore_url = _article_with_an_old_version()
    page = editor_client.get(restore_url).content.decode()
    assert "The old advice." in page
    assert "copies it into the working copy" in page
    assert editor_client.post(restore_url, form_of(article, body="The old advice.")).status_code == 302
    assert "The new advice." in Client().get(article.get_absolute_url()).content.decode()
    assert ArticleDraft.objects.get(article=article).content["body"] == "The old advice."


def test_a_working_copy_can_be_thrown_away_and_a_live_article_taken_offline(editor_client):
    article = ArticleFactory.create(body="Live words.")
    editor_client.post(change_url(article), form_of(article, body="Draft words."))
    assert ArticleDraft.objects.filter(article=article).exists()
    assert editor_client.get(f"/admin/education/article/{article.pk}/discard/").status_code == 405
    editor_client.post(f"/admin/education/article/{article.pk}/discard/")
    assert not ArticleDraft.objects.filter(article=article).exists()
    assert Client().get(article.get_absolute_url()).status_code == 200
    editor_client.post(f"/admin/education/article/{article.pk}/take-offline/")
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_saving_the_form_unchanged_keeps_no_working_copy(editor_client):
    article = ArticleFactory.create()
    response = editor_client.post(change_url(article), form_of(article), follow=True)
    assert "No changes" in response.content.decode()
    assert not ArticleDraft.objects.filter(article=article).exists()


def test_the_change_form_warns_when_the_reading_grade_is_above_8(editor_client):
    hard = (
        "Radiculopathy characteristically manifests as neuropathic discomfort radiating distally, frequently "
        "accompanied by paraesthesia, diminished reflexes and considerable functional limitation."
    )
    response = editor_client.post(ADD_URL, form_data(body=hard), follow=True)
    assert "above the target of 8" in response.content.decode()
    article = Article.objects.get(slug="stretching-after-a-run")
    change_page = editor_client.get(change_url(article)).content.decode()
    assert "above the target of 8" in change_page
    assert "grade-warning" in change_page


def test_bad_input_is_reported_next_to_the_field_and_nothing_is_saved(editor_client):
    response = editor_client.post(ADD_URL, form_data(title="", slug="has spaces"))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Article.objects.exists()


def test_the_list_shows_status_sign_off_topics_review_date_grade_and_spanish(editor_client):
    topic = TopicFactory.create(name="Running", slug="running")
    # Due 300 days on: a fixed 2027-03-04 was overdue (with the badge) from the day after.
    due = timezone.localdate() + datetime.timedelta(days=300)
    ArticleFactory.create(title="Listed", topics=[topic], next_review_due=due)
    html = editor_client.get("/admin/education/article/").content.decode()
    for heading in ("Status", "Clinical sign-off", "Topics", "Next review due", "Grade", "Spanish"):
        assert heading in html
    assert "Running" in html
    assert f"{due:%b} {due.day}, {due.year}" in html
    assert 'class="badge badge-overdue"' not in html


def test_the_list_puts_reviews_due_first_with_a_badge(editor_client):
    today = timezone.localdate()
    ArticleFactory.create(title="A settled article", next_review_due=today + datetime.timedelta(days=300))
    ArticleFactory.create(title="B due soon", next_review_due=today + datetime.timedelta(days=20))
    ArticleFactory.create(title="C old facts", next_review_due=today - datetime.timedelta(days=1))
    ArticleFactory.create(title="D awaiting", reviewed_by="", reviewed_on=None, next_review_due=None)
    html = editor_client.get("/admin/education/article/").content.decode()
    order = re.findall(r'<th class="field-title"><a [^>]*>([^<]+)</a>', html)
    assert order == ["C old facts", "B due soon", "D awaiting", "A settled article"]
    assert 'class="badge badge-overdue">Review overdue' in html
    assert 'class="badge badge-due">Review due soon' in html
    assert "Awaiting clinical review" in html


def test_the_list_puts_a_translation_whose_new_release_waits_for_review_among_the_articles_awaiting_review(
    editor_client,
):
    # A Spanish-only safety fix queued by load_articles waits for a clinical reviewer (education/services.py): the
    # list a reviewer works from puts it up with the other approvals waiting, and its filter finds it.
    later = timezone.localdate() + datetime.timedelta(days=300)
    ArticleFactory.create(title="A settled article", next_review_due=later)
    spanish_with_a_new_release(ArticleFactory.create(title="B Spanish fix waiting", next_review_due=later))
    stale = spanish_with_a_new_release(ArticleFactory.create(title="C release of older English", next_review_due=later))
    change_english_after_translation(stale.article)  # the release no longer translates the live English
    ArticleFactory.create(title="D old facts", next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    html = editor_client.get("/admin/education/article/").content.decode()
    order = re.findall(r'<th class="field-title"><a [^>]*>([^<]+)</a>', html)
    assert order == ["D old facts", "B Spanish fix waiting", "A settled article", "C release of older English"]
    waiting = editor_client.get("/admin/education/article/", {"signoff": "release"}).content.decode()
    assert "New release of a translation waiting for clinical review" in waiting  # the filter's choice
    assert re.findall(r'<th class="field-title"><a [^>]*>([^<]+)</a>', waiting) == ["B Spanish fix waiting"]


def test_the_list_puts_an_article_whose_translation_waits_for_approval_among_the_articles_awaiting_review(
    editor_client,
):
    # A translation never approved, or changed since its approval, leaves Spanish readers on the English until a
    # clinical reviewer approves it: the list puts it up with the other approvals waiting, says so in the Spanish
    # column, and its filter finds it. One of English changed since is for translators: it stays where it was.
    later = timezone.localdate() + datetime.timedelta(days=300)
    ArticleFactory.create(title="A settled article", next_review_due=later)
    changed = ArticleFactory.create(title="C Spanish changed since approval", next_review_due=later)
    spanish_awaiting_approval(changed)
    approve_translations()
    edit_translation_after_approval(changed)
    spanish_awaiting_approval(ArticleFactory.create(title="B Spanish never approved", next_review_due=later))
    stale = spanish_awaiting_approval(ArticleFactory.create(title="E Spanish of older English", next_review_due=later))
    change_english_after_translation(stale.article)
    ArticleFactory.create(title="D old facts", next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    html = editor_client.get("/admin/education/article/").content.decode()
    order = re.findall(r'<th class="field-title"><a [^>]*>([^<]+)</a>', html)
    assert order == [
        "D old facts",
        "B Spanish never approved",
        "C Spanish changed since approval",
        "A settled article",
        "E Spanish of older English",
    ]
    assert html.count('class="badge badge-waiting">Awaiting review') == 2  # B and C's Spanish column
    waiting = editor_client.get("/admin/education/article/", {"signoff": "translation"}).content.decode()
    assert "Translation waiting for clinical review" in waiting  # the filter's choice
    assert re.findall(r'<th class="field-title"><a [^>]*>([^<]+)</a>', waiting) == [
        "B Spanish never approved",
        "C Spanish changed since approval",
    ]


def test_the_review_filters_list_only_what_they_say(editor_client):
    today = timezone.localdate()
    ArticleFactory.create(title="Overdue one", next_review_due=today - datetime.timedelta(days=1))
    ArticleFactory.create(title="Fine one", next_review_due=today + datetime.timedelta(days=200))
    html = editor_client.get("/admin/education/article/", {"review": "overdue"}).content.decode()
    assert "Overdue one" in html
    assert "Fine one" not in html
    html = editor_client.get("/admin/education/article/", {"review": "due"}).content.decode()
    assert "Overdue one" in html
    assert "Fine one" not in html


def test_the_admin_searches_titles_and_bodies(editor_client):
    ArticleFactory.create(title="About shoes", body="Nothing here.")
    ArticleFactory.create(title="About surfaces", body="Grass is softer than concrete.")
    ArticleFactory.create(title="About scans", body="Most people need none.")
    html = editor_client.get("/admin/education/article/", {"q": "concrete"}).content.decode()
    assert "About surfaces" in html
    assert "About shoes" not in html
    html = editor_client.get("/admin/education/article/", {"q": "shoes"}).content.decode()
    assert "About shoes" in html


def test_an_awaiting_article_shows_a_banner_and_reviewers_a_review_link(editor_client, reviewer_client):
    article = ArticleFactory.create(reviewed_by="", reviewed_on=None)
    assert "Awaiting clinical review." in editor_client.get(change_url(article)).content.decode()
    assert 'class="review-link"' not in editor_client.get(change_url(article)).content.decode()
    assert 'class="review-link"' in reviewer_client.get(change_url(article)).content.decode()


@pytest.mark.parametrize("model", [Article, Topic])
def test_every_editable_field_tells_the_editor_what_it_is_for(model):
    editable = [f for f in model._meta.get_fields() if getattr(f, "editable", False) and not f.auto_created]
    assert len(editable) >= 3
    assert [f.name for f in editable if not f.help_text] == []


def test_preview_shows_the_forms_unsaved_words_on_the_public_layout_and_saves_nothing(editor_client):
    article = ArticleFactory.create(body="Live words.")
    url = f"/admin/education/article/{article.pk}/preview/"
    response = editor_client.post(url, form_of(article, body="## Unsaved heading\n\nUnsaved words."))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Unsaved heading</h2>" in html
    assert 'class="article-body"' in html
    assert "Nothing has been saved" in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not ArticleDraft.objects.exists()
    article.refresh_from_db()
    assert article.body == "Live words."


def test_preview_of_a_new_article_and_of_a_form_with_mistakes(editor_client):
    response = editor_client.post("/admin/education/article/preview/", form_data())
    assert "Stretching can ease stiffness." in response.content.decode()
    assert not Article.objects.exists()
    response = editor_client.post("/admin/education/article/preview/", form_data(title=""))
    assert "The preview needs a few fixes first" in response.content.decode()
    assert "This field is required." in response.content.decode()


def test_preview_needs_a_csrf_token_and_the_right_to_edit(editor, reviewer):
    article = ArticleFactory.create()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(f"/admin/education/article/{article.pk}/preview/", form_of(article)).status_code == 403
    reviewer_browser = Client()
    reviewer_browser.force_login(reviewer)
    assert reviewer_browser.post(f"/admin/education/article/{article.pk}/preview/", form_of(article)).status_code == 403
    assert reviewer_browser.get(f"/admin/education/article/{article.pk}/preview/").status_code == 200
    assert Client().post(f"/admin/education/article/{article.pk}/preview/").status_code == 302


def test_the_change_form_has_preview_save_and_send_buttons(editor_client):
    article = ArticleFactory.create()
    html = editor_client.get(change_url(article)).content.decode()
    assert f'formaction="/admin/education/article/{article.pk}/preview/" formtarget="_blank"' in html
    assert 'name="_submit_review"' in html
    assert 'value="Save working copy"' in html


def test_saving_a_never_published_article_twice_records_no_change_of_its_review_date(editor_client):
    """Found by an audit: every save said "Changed ... Next review due" in the history, the date untouched."""
    from django.contrib.admin.models import LogEntry

    editor_client.post(ADD_URL, form_data())
    article = Article.objects.get(slug="stretching-after-a-run")
    editor_client.post(change_url(article), form_of(article, body="## Why stretch\n\nGo slowly. Breathe."))
    changed = LogEntry.objects.filter(object_id=str(article.pk), action_flag=2).latest("action_time")
    assert "Body" in changed.get_change_message()
    assert "review" not in changed.get_change_message().lower()


def test_recovering_a_deleted_article_brings_back_that_article_alone_and_offline(
    editor_client, reviewer, starter_library
):
    """The starter library is saved as one revision: recovering one of its articles once put every starter article
    back as loaded (an approval, an approved change and an article taken offline all undone)."""
    from education import workflow

    approved, offline, deleted = Article.objects.order_by("pk")[:3]
    workflow.approve(approved, reviewer=reviewer)
    workflow.take_offline(offline, user=reviewer)
    workflow.approve(deleted, reviewer=reviewer)
    version = Version.objects.get_for_object(deleted).first()
    words = deleted.body
    deleted.delete()
    assert ArticleReview.objects.filter(article_id=version.object_id).count() == 1  # the clinic's record stays

    recover_url = f"/admin/education/article/recover/{version.pk}/"
    page = editor_client.get(recover_url)
    assert page.status_code == 200
    assert not Article.objects.filter(pk=version.object_id).exists()  # showing it changed nothing
    stored = version.field_dict
    shown = {name: stored[name] for name in ("title", "slug", "summary", "body", "author", "sources")}
    shown |= {"next_review_due": str(stored["next_review_due"] or ""), "topics": list(stored["topics"])}
    sent = editor_client.post(recover_url, form_data(**shown), follow=True).content.decode()
    assert "is back, offline: patients see it again once a clinical reviewer approves it." in sent
    assert "No changes" not in sent

    recovered = Article.objects.get(pk=version.object_id)
    assert recovered.body == words
    assert [review.reviewer_name for review in recovered.reviews.all()] == ["Riley Reviewer"]
    assert Client().get(recovered.get_absolute_url()).status_code == 404  # offline until a reviewer approves
    approved.refresh_from_db()
    assert approved.reviewed_by == "Riley Reviewer"
    assert Client().get(offline.get_absolute_url()).status_code == 404
    # The same version cannot bring back an article that exists.
    again = editor_client.post(recover_url, form_of(recovered), follow=True)
    assert "was not deleted" in again.content.decode()


def _deleted_with_a_version(**fields) -> tuple[Article, Version]:
    import reversion

    with reversion.create_revision():
        article = ArticleFactory.create(**fields)
    version = Version.objects.get_for_object(article).first()
    article.delete()
    return article, version


def test_an_article_recovered_after_its_topic_and_related_article_were_deleted_comes_back_without_them(editor_client):
    """The stored version named them: saving the recover form was a 500 and the article stayed deleted."""
    import reversion

    topic, kept_topic = TopicFactory.create(), TopicFactory.create()
    other = ArticleFactory.create()
    with reversion.create_revision():
        article = ArticleFactory.create(body="Words to keep.")
        article.topics.set([topic, kept_topic])
        article.related.set([other])
    version = Version.objects.get_for_object(article).first()
    article.delete()
    topic.delete()
    other.delete()

    url = f"/admin/education/article/recover/{version.pk}/"
    assert editor_client.get(url).status_code == 200
    shown = form_of(Article(**{k: v for k, v in version.field_dict.items() if k not in ("topics", "related")}))
    response = editor_client.post(url, {**shown, "topics": [kept_topic.pk]}, follow=True)
    assert "is back, offline" in response.content.decode()
    recovered = Article.objects.get(pk=version.object_id)
    assert list(recovered.topics.all()) == [kept_topic]
    assert not recovered.related.exists()
    # The history says it came back, offline.
    latest = Version.objects.get_for_object(recovered).first()
    assert latest.revision.comment == "Recovered after it was deleted; offline until a reviewer approves it."
    assert latest.field_dict["status"] == Article.Status.DRAFT


def test_an_article_whose_address_is_taken_since_is_not_recovered_and_says_why(editor_client):
    _gone, version = _deleted_with_a_version(slug="heat-helps", body="Old words.")
    ArticleFactory.create(slug="heat-helps")
    response = editor_client.get(f"/admin/education/article/recover/{version.pk}/", follow=True)
    assert "was not recovered. Another article now uses its address “heat-helps”" in response.content.decode()
    assert Article.objects.filter(slug="heat-helps").count() == 1


def opened_in(page: str) -> str:
    found = re.search(r'name="opened" value="([0-9a-f]*)"', page)
    assert found is not None
    return found.group(1)


def test_a_save_over_another_editors_save_since_the_page_opened_is_refused_once_with_the_words_kept(
    editor_client, editor, django_user_model
):
    """Two editors on one article: B saved a new body, then A saved a new title from the page opened before, and B's
    body was gone without a word (the stop-30 forms audit)."""
    article = ArticleFactory.create(body="The old body.")
    first = opened_in(editor_client.get(change_url(article)).content.decode())
    other = Client()
    other.force_login(django_user_model.objects.get(pk=editor.pk))
    other.post(change_url(article), form_of(article, body="B's new body.", opened=first))
    refused = editor_client.post(change_url(article), form_of(article, title="A's new title", opened=first))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone else saved this article after you opened it" in page
    assert "A&#x27;s new title" in page or "A's new title" in page  # the typed words stay
    assert (draft_of(article) or ArticleDraft()).content["body"] == "B's new body."
    again = editor_client.post(change_url(article), form_of(article, title="A's new title", opened=opened_in(page)))
    assert again.status_code == 302  # the second save is a choice, made knowingly
    assert (draft_of(article) or ArticleDraft()).content["title"] == "A's new title"


def test_a_save_over_another_editors_change_of_the_go_live_time_alone_is_refused_once_with_the_same_message(
    editor_client, editor, django_user_model
):
    """Editor B only set "Go live" (the clinic launches the article with a campaign); editor A, on a page opened
    before, saved a new title: B's time was gone without a word, the change to go live as soon as approved."""
    article = ArticleFactory.create(body="The old body.")
    first = opened_in(editor_client.get(change_url(article)).content.decode())
    other = Client()
    other.force_login(django_user_model.objects.get(pk=editor.pk))
    assert other.post(change_url(article), form_of(article, opened=first, **in_days(5))).status_code == 302
    b_time = (draft_of(article) or ArticleDraft()).go_live_at
    assert b_time is not None

    refused = editor_client.post(change_url(article), form_of(article, title="A's new title", opened=first))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [MSG_SAVED_BY_SOMEONE_ELSE]
    assert (draft_of(article) or ArticleDraft()).go_live_at == b_time
    again = editor_client.post(
        change_url(article), form_of(article, title="A's new title", opened=opened_in(refused.content.decode()))
    )
    assert again.status_code == 302  # the second save is a choice, made knowingly


@pytest.mark.parametrize("go_live_days", [None, 3], ids=["at once", "scheduled"])
def test_a_reviewers_approval_while_the_editors_page_is_open_is_no_conflict(
    editor_client, reviewer_client, go_live_days
):
    """Nobody saved over the editor: the approved words and time are the ones their page shows."""
    go_live = in_days(go_live_days) if go_live_days else {}
    editor_client.post(ADD_URL, form_data(**go_live, _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    opened = opened_in(editor_client.get(change_url(article)).content.decode())
    assert reviewer_client.post(review_url(article), {"_approve": "1"}).status_code == 302
    article.refresh_from_db()
    response = editor_client.post(
        change_url(article), form_of(article, title="A better title", opened=opened, **go_live)
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [("go_live_at", ("9999-12-31", "23:59:00")), ("next_review_due", "9999-12-31"), ("next_review_due", "0001-01-01")],
)
def test_a_date_out_of_range_gets_a_message_not_a_server_error(editor_client, field, value):
    """A go-live time of 9999-12-31 was a 500 (and on PostgreSQL a row no page could read again)."""
    article = ArticleFactory.create()
    data = {"go_live_at_0": value[0], "go_live_at_1": value[1]} if field == "go_live_at" else {field: value}
    response = editor_client.post(change_url(article), form_of(article, **data))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert draft_of(article) is None


def test_the_same_words_saved_twice_from_one_page_are_no_conflict(editor_client):
    """A double click on Save: the second request was refused as "someone else saved" (review of stop 30)."""
    article = ArticleFactory.create(body="The old body.")
    opened = opened_in(editor_client.get(change_url(article)).content.decode())
    data = form_of(article, body="A new body.", opened=opened)
    assert editor_client.post(change_url(article), data).status_code == 302
    assert editor_client.post(change_url(article), data).status_code == 302


def test_a_preview_after_another_editors_save_shows_the_words_not_a_conflict(editor_client, editor, django_user_model):
    article = ArticleFactory.create(body="The old body.")
    opened = opened_in(editor_client.get(change_url(article)).content.decode())
    other = Client()
    other.force_login(django_user_model.objects.get(pk=editor.pk))
    other.post(change_url(article), form_of(article, body="B's new body.", opened=opened))
    preview = editor_client.post(
        f"/admin/education/article/{article.pk}/preview/", form_of(article, title="A's title", opened=opened)
    )
    assert "Someone else saved" not in preview.content.decode()
    assert "A&#x27;s title" in preview.content.decode() or "A's title" in preview.content.decode()


def test_a_go_live_time_that_has_passed_gets_a_message_next_to_the_field_and_nothing_is_saved(editor_client):
    """The help text says to set a future time to schedule a change; a mistyped past time was taken without a word,
    and the change went live at once when approved (the stop-32 audit of the library)."""
    article = ArticleFactory.create(body="Old words.")

    response = editor_client.post(change_url(article), form_of(article, body="New words.", **in_days(-3)))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["go_live_at"] == [MSG_GO_LIVE_PASSED]
    assert "New words." in response.content.decode()  # what was typed stays in the form
    assert draft_of(article) is None


def test_a_scheduled_time_that_passed_while_waiting_for_approval_is_kept_when_the_change_is_edited_again(
    editor_client,
):
    """The time an editor set, passed since while the change waits for a reviewer: the form shows it again, and
    saving other edits with it is not refused (only a time newly typed in the past is)."""
    article = ArticleFactory.create(body="Old words.")
    assert editor_client.post(change_url(article), form_of(article, body="New words.", **in_days(1))).status_code == 302

    # Three days on, still waiting (the staff session would not last that long: the stored time is moved instead).
    ArticleDraft.objects.filter(article=article).update(go_live_at=timezone.now() - datetime.timedelta(days=2))
    page = editor_client.get(change_url(article)).content.decode()
    inputs = {name: re.search(rf'<input[^>]*name="{name}"[^>]*>', page) for name in ("go_live_at_0", "go_live_at_1")}
    shown = {
        name: re.search(r'value="([^"]*)"', found.group(0)).group(1)  # type: ignore[union-attr]
        for name, found in inputs.items()
        if found is not None
    }
    assert len(shown) == 2, shown
    response = editor_client.post(change_url(article), form_of(article, body="Newer words.", **shown))

    assert response.status_code == 302
    assert (draft_of(article) or ArticleDraft()).content["body"] == "Newer words."


def test_taking_an_article_offline_names_the_published_articles_that_link_to_it(editor_client):
    """Their links then lead readers to "not found" ("Read next" drops the article; links in text do not)."""
    target = ArticleFactory.create(title="Cauda equina warning signs", slug="cauda-equina-warning-signs")
    ArticleFactory.create(title="Sciatica basics", body="See [the signs](/articles/cauda-equina-warning-signs/).")
    ArticleFactory.create(title="Unrelated", body="Nothing to see.")
    response = editor_client.post(f"/admin/education/article/{target.pk}/take-offline/", follow=True)
    page = response.content.decode()
    assert "These published articles link to it in their text: “Sciatica basics”." in page
    assert "Unrelated" not in page.split("link to it in their text")[1].split("</li>")[0]


def test_articles_linking_through_an_old_address_are_named():
    """A body link to the article's old address reached it through the redirect; once it is offline the redirect
    leads nowhere (moved_article_url asks for a published article) and the link is "not found", yet it is not named."""
    target = ArticleFactory.create(slug="cauda-equina-signs", title="Cauda equina signs")
    ArticleFactory.create(title="Sciatica basics", body="See [the signs](/articles/cauda-equina-signs/).")
    target.slug = "cauda-equina-warning-signs"
    target.save()
    assert Client().get("/articles/cauda-equina-signs/").status_code == 301  # the link works today
    assert selectors.articles_linking_to(target) == ["Sciatica basics"]


def test_articles_whose_translation_links_to_it_are_named():
    """Spanish readers get the approved translation's body; a link in it breaks the same way, but only the English
    body is searched."""
    target = ArticleFactory.create(slug="cauda-equina-warning-signs", title="Cauda equina warning signs")
    linking = ArticleFactory.create(title="Sciatica basics", body="Plain words.")
    translation = ArticleTranslation(
        article=linking,
        language="es",
        title="Ciática",
        summary="Lo básico.",
        body="Vea [las señales](/articles/cauda-equina-warning-signs/).",
    )
    translation.record_source(linking)
    translation.save()
    approve_translations()
    reader = Client()
    reader.cookies["django_language"] = "es"
    page = reader.get(f"/articles/{linking.slug}/").content.decode()
    assert 'href="/articles/cauda-equina-warning-signs/"' in page  # Spanish readers are shown the link
    assert selectors.articles_linking_to(target) == ["Sciatica basics"]


def test_a_new_article_saved_once_and_never_sent_cannot_be_published_by_a_reviewer(editor_client, reviewer_client):
    """The editor adds a new article and clicks "Save working copy" (not "send for review"): it is half written.
    A reviewer opening its Review page must not be able to publish it: the workflow refuses exactly this
    (STILL_BEING_WRITTEN) once the article has a working copy, but a new article saved once has none."""
    response = editor_client.post(ADD_URL, form_data(body="## Draft\n\nTODO: finish this. Notes to self."))
    assert response.status_code == 302
    article = Article.objects.get(slug="stretching-after-a-run")
    assert not ArticleDraft.objects.filter(article=article).exists()  # nothing was sent for review

    page = reviewer_client.get(review_url(article)).content.decode()
    assert "has not sent this new article for review yet" in page
    assert 'value="Approve"' not in page
    reviewer_client.post(review_url(article), {"_approve": "1"})

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT, "a reviewer published words the editor never sent for review"
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_a_new_article_whose_working_copy_was_thrown_away_cannot_be_published_unsent(editor_client, reviewer_client):
    """A new article saved twice (it now has a working copy), then "Throw the working copy away": the row keeps the
    unsent words (it follows the working copy), and the Review page publishes them."""
    editor_client.post(ADD_URL, form_data())
    article = Article.objects.get(slug="stretching-after-a-run")
    editor_client.post(change_url(article), form_of(article, body="Half written. TODO check the dose."))
    assert ArticleDraft.objects.filter(article=article).exists()
    editor_client.post(f"/admin/education/article/{article.pk}/discard/")

    reviewer_client.post(review_url(article), {"_approve": "1"})

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT, "words nobody sent for review were published"


def test_the_review_page_of_an_article_taken_offline_says_approving_puts_it_back_not_that_it_is_live(
    editor_client, reviewer_client
):
    """An editor takes an article offline (its advice is wrong); a reviewer opens its Review page. It said "No change
    waits for review. You can approve the live version as it is (a periodic review)", and Approve put the wrong
    advice back in front of patients."""
    article = ArticleFactory.create(title="Heat or ice")
    editor_client.post(f"/admin/education/article/{article.pk}/take-offline/")
    assert Client().get(article.get_absolute_url()).status_code == 404

    page = reviewer_client.get(review_url(article)).content.decode()
    assert "approve the live version as it is" not in page
    assert "periodic review" not in page
    assert "This article was taken offline: patients cannot see it." in page
    assert "Approving it as it is puts it back on the site at once." in page

    response = reviewer_client.post(review_url(article), {"_approve": "1"}, follow=True)
    assert "You approved “Heat or ice” as it is: it is back on the site" in response.content.decode()
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_restoring_an_old_version_over_a_working_copy_saved_since_the_page_opened_is_refused_once(
    editor_client, editor, django_user_model
):
    """Editor A opens an old version from History; meanwhile editor B saves a working copy with new words. A clicks
    Save on the old version: B's words were replaced without a word to either (a working copy of a live article has
    no history of its own), where the change form refuses a save over another editor's save once."""
    article, restore_url = _article_with_an_old_version()
    page = editor_client.get(restore_url).content.decode()
    found = re.search(r'<input[^>]*name="opened"[^>]*>', page)
    assert found is not None
    opened = re.search(r'value="([0-9a-f]*)"', found.group(0))

    other = Client()
    other.force_login(django_user_model.objects.get(pk=editor.pk))
    assert other.post(change_url(article), form_of(article, body="B's careful new words.")).status_code == 302

    sent = form_of(article, body="The old advice.", opened=opened.group(1) if opened else "")
    refused = editor_client.post(restore_url, sent)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [MSG_SAVED_BY_SOMEONE_ELSE]
    assert ArticleDraft.objects.get(article=article).content["body"] == "B's careful new words."


def test_the_restore_page_says_that_saving_replaces_a_change_waiting_for_review(
    editor_client, editor, django_user_model
):
    """Editor B sent a change for clinical review; later editor A opens an old version from History. The page said
    only "Saving copies it into the working copy", and A's Save replaced B's words (a working copy of a live article
    has no history of its own) without a word to either. The restored words wait for review in their place
    (tests/education/test_restoring_revisions.py)."""
    article, restore_url = _article_with_an_old_version()
    colleague = django_user_model.objects.create_user(
        username="bea", first_name="Bea", last_name="Editor", is_staff=True
    )
    colleague.groups.set(editor.groups.all())
    other = Client()
    other.force_login(colleague)
    assert other.post(change_url(article), form_of(article, body="B's words.", _submit_review="1")).status_code == 302

    page = editor_client.get(restore_url).content.decode()

    assert "This article already has a working copy: waiting for clinical review" in page
    assert "by Bea Editor" in page
    assert "Saving this version replaces its words: this version waits for clinical review in their place" in page
