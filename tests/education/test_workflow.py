"""Clinical sign-off and the working copy (education/workflow.py): nothing reaches patients unapproved, approval
above the reading-grade limit needs a reason, scheduling, and the e-mails each step queues (once)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from education import tasks, workflow
from education.models import Article, ArticleDraft, ArticleReview
from messaging.models import OutboundMessage
from messaging.services import send
from tests.education.factories import ArticleFactory
from tests.staff_clock import staff_moment

pytestmark = pytest.mark.django_db

HARD = (
    "Radiculopathy characteristically manifests as neuropathic discomfort radiating distally, frequently "
    "accompanied by paraesthesia, diminished reflexes and considerable functional limitation."
)


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://portal.clinic.example"


def edit(article: Article, user, *, submit: bool = True, go_live_at=None, **changes) -> workflow.Saved:
    content = {**workflow.live_content(article), **changes}
    return workflow.save_working_copy(article, content, user=user, go_live_at=go_live_at, submit=submit)


def page(article: Article) -> str:
    return Client().get(f"/articles/{article.slug}/").content.decode()


def test_a_working_copy_of_a_live_article_changes_nothing_for_patients_until_approved(editor, reviewer):
    article = ArticleFactory.create(body="Walk a little every day.")
    edit(article, editor, body="Walk a lot every day.")
    assert "Walk a little every day." in page(article)
    assert "Walk a lot" not in page(article)
    article.refresh_from_db()
    assert article.body == "Walk a little every day."
    workflow.approve(article, reviewer=reviewer)
    assert "Walk a lot every day." in page(article)
    assert not ArticleDraft.objects.filter(article=article).exists()


def test_approval_above_the_grade_limit_is_refused_without_a_reason_and_kept_with_one(editor, reviewer):
    article = ArticleFactory.create()
    edit(article, editor, body=HARD)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.approve(article, reviewer=reviewer, grade_reason="  ")
    assert refused.value.field == "grade_reason"
    assert "above the limit of 8" in str(refused.value)
    assert HARD not in page(article)
    review = workflow.approve(article, reviewer=reviewer, grade_reason="Patients meet these words at their visit.")
    assert review.grade_reason == "Patients meet these words at their visit."
    assert review.reading_grade > Decimal(8)
    assert "Radiculopathy" in page(article)


def test_the_grade_limit_comes_from_settings(settings, editor, reviewer):
    settings.ARTICLE_MAX_READING_GRADE = 30
    article = ArticleFactory.create()
    edit(article, editor, body=HARD)
    assert workflow.approve(article, reviewer=reviewer).grade_reason == ""


def test_the_review_page_refuses_a_hard_article_without_a_reason_next_to_that_field(client, editor, reviewer):
    article = ArticleFactory.create()
    edit(article, editor, body=HARD)
    client.force_login(reviewer)
    response = client.post(f"/admin/education/article/{article.pk}/review/", {"_approve": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_grade_reason_error"' in html
    assert "above the limit of 8" in html
    assert not ArticleReview.objects.exists()


def test_the_review_page_asks_for_a_grade_reason_only_when_the_article_is_above_the_limit(client, editor, reviewer):
    plain, hard = ArticleFactory.create(), ArticleFactory.create()
    edit(plain, editor, body="Walk a bit each day. Rest when you need to.")
    edit(hard, editor, body=HARD)
    client.force_login(reviewer)
    assert 'name="grade_reason"' not in client.get(f"/admin/education/article/{plain.pk}/review/").content.decode()
    assert 'name="grade_reason"' in client.get(f"/admin/education/article/{hard.pk}/review/").content.decode()


def test_the_approval_records_a_real_reviewer_by_full_name_and_date(editor, reviewer):
    article = ArticleFactory.create(reviewed_by="", reviewed_on=None, next_review_due=None)
    workflow.approve(article, reviewer=reviewer)
    article.refresh_from_db()
    today = timezone.localdate()
    assert (article.reviewer, article.reviewed_by, article.reviewed_on) == (reviewer, "Riley Reviewer", today)
    assert article.next_review_due == today + datetime.timedelta(days=365)
    shown = re.sub(r"<[^>]+>", "", page(article))
    assert f"Medically reviewed by Riley Reviewer on {today:%B} {today.day}, {today.year}" in shown


def test_editing_after_sending_for_review_takes_it_back_to_being_edited(editor):
    article = ArticleFactory.create()
    edit(article, editor, body="First try.")
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW
    edit(article, editor, submit=False, body="Second try.")
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.EDITING


def test_sending_back_needs_a_comment_and_tells_the_editor(editor, reviewer):
    article = ArticleFactory.create()
    edit(article, editor, body="Too vague.")
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.send_back(article, reviewer=reviewer, comment="")
    assert refused.value.field == "comment"
    workflow.send_back(article, reviewer=reviewer, comment="Say how many days.")
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.CHANGES_REQUESTED
    message = OutboundMessage.objects.get(kind=tasks.DECIDED)
    assert message.recipients == [editor.email]
    send(message.pk)
    assert mail.outbox[-1].subject == tasks.SENT_BACK_SUBJECT
    assert "Say how many days." in mail.outbox[-1].body


def test_a_change_scheduled_for_later_is_approved_now_and_published_when_due(editor, reviewer):
    article = ArticleFactory.create(body="Old advice.")
    later = timezone.now() + datetime.timedelta(hours=2)
    edit(article, editor, body="New advice.", go_live_at=later)
    workflow.approve(article, reviewer=reviewer)
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.APPROVED
    task = DBTaskResult.objects.get(task_path="education.tasks.publish_scheduled_changes")
    assert abs((task.run_after - later).total_seconds()) < 1
    assert workflow.publish_due() == 0
    assert "Old advice." in page(article)
    assert workflow.publish_due(now=later + datetime.timedelta(seconds=1)) == 1
    assert "New advice." in page(article)
    assert not ArticleDraft.objects.filter(article=article).exists()


def test_the_command_publishes_a_due_change_whose_task_was_lost(editor, reviewer, time_machine):
    from django.core.management import call_command

    article = ArticleFactory.create(body="Old advice.")
    edit(article, editor, body="New advice.", go_live_at=timezone.now() + datetime.timedelta(minutes=5))
    workflow.approve(article, reviewer=reviewer)
    DBTaskResult.objects.all().delete()
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=6))
    call_command("publish_scheduled_articles", verbosity=0)
    assert "New advice." in page(article)


def test_reviewers_are_emailed_once_when_something_waits_and_the_email_is_plain(editor, reviewer):
    article = ArticleFactory.create(title="Heat or ice")
    edit(article, editor, body="Use heat.")
    edit(article, editor, body="Use heat.")  # sent again unchanged: still one e-mail
    message = OutboundMessage.objects.get(kind=tasks.WAITING)
    assert message.recipients == [reviewer.email]
    assert message.about_id == article.pk
    send(message.pk)
    sent = mail.outbox[-1]
    assert sent.subject == "An article is waiting for your clinical review"
    assert "Heat or ice" in sent.body
    assert f"https://portal.clinic.example/admin/education/article/{article.pk}/review/" in sent.body


def waiting_email(article: Article) -> str:
    """The "waiting for your clinical review" e-mail about `article`, as sent."""
    send(OutboundMessage.objects.get(kind=tasks.WAITING, about_id=article.pk).pk)
    return str(mail.outbox[-1].body)


def test_reviewers_are_emailed_a_change_to_an_offline_article_as_a_change_to_that_article_not_a_new_one(
    editor, reviewer
):
    """An article taken offline, changed and sent for review: the e-mail said "A new article", and named only the
    working copy's new title, so the reviewer could not tell which article of the library it was."""
    article = ArticleFactory.create(title="Heat or ice")
    workflow.take_offline(article, user=editor)
    edit(article, editor, title="Heat or ice after a strain", body="Use ice first.")
    body = waiting_email(article)
    assert "A new article" not in body
    assert "A change to an existing article" in body
    assert "Heat or ice after a strain (the article now titled “Heat or ice”)" in body
    assert "Patients cannot see it until you approve it." in body  # offline: nobody sees a current version


@pytest.mark.parametrize("state", ["never published", "live", "offline", "scheduled"])
def test_the_waiting_email_calls_an_article_new_exactly_when_the_review_page_does(state, editor, reviewer_client):
    by_state: dict[str, dict[str, object]] = {
        "never published": {"status": Article.Status.DRAFT, "published_at": None},
        "live": {},
        "offline": {"status": Article.Status.DRAFT},
        "scheduled": {"published_at": timezone.now() + datetime.timedelta(days=3)},
    }
    article = ArticleFactory.create(**by_state[state])
    edit(article, editor, body="Rest for a day, then walk a little.")
    review_page = reviewer_client.get(f"/admin/education/article/{article.pk}/review/").content.decode()
    new_on_the_page = "A new article was sent for review" in review_page
    new_in_the_email = "A new article" in waiting_email(article)
    assert new_in_the_email == new_on_the_page == (state == "never published")


def test_a_waiting_email_is_not_sent_once_the_change_was_approved(editor, reviewer):
    article = ArticleFactory.create()
    edit(article, editor, body="Use heat.")
    workflow.approve(article, reviewer=reviewer)
    waiting = OutboundMessage.objects.get(kind=tasks.WAITING)
    assert send(waiting.pk) == OutboundMessage.Status.CANCELLED
    decided = OutboundMessage.objects.get(kind=tasks.DECIDED)
    send(decided.pk)
    assert [m.subject for m in mail.outbox] == [tasks.APPROVED_SUBJECT]
    assert decided.recipients == [editor.email]


def test_nothing_is_queued_when_the_change_is_rolled_back(editor):
    article = ArticleFactory.create()

    def save_then_fail() -> None:
        with transaction.atomic():
            edit(article, editor, body="Changed.")
            raise RuntimeError("the request failed after the save")

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert not OutboundMessage.objects.exists()
    assert not ArticleDraft.objects.exists()


def test_an_editor_may_not_approve_and_a_reviewer_may_not_edit(client, editor, reviewer):
    article = ArticleFactory.create()
    client.force_login(editor)
    assert client.get(f"/admin/education/article/{article.pk}/review/").status_code == 403
    client.force_login(reviewer)
    assert client.get(f"/admin/education/article/{article.pk}/review/").status_code == 200
    assert client.post(f"/admin/education/article/{article.pk}/discard/").status_code == 403
    assert client.post(f"/admin/education/article/{article.pk}/preview/", {"title": "x"}).status_code == 403


def test_a_reviewer_approves_a_live_article_as_it_is(reviewer):
    article = ArticleFactory.create(reviewed_by="", reviewed_on=None)
    workflow.approve(article, reviewer=reviewer)
    article.refresh_from_db()
    assert article.is_clinically_reviewed
    assert ArticleReview.objects.get().decision == ArticleReview.Decision.APPROVED


def test_an_article_taken_offline_comes_back_only_with_an_approval(editor, reviewer):
    article = ArticleFactory.create()
    workflow.take_offline(article, user=editor)
    assert Client().get(article.get_absolute_url()).status_code == 404
    workflow.approve(article, reviewer=reviewer)
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_taking_an_article_offline_cancels_a_change_approved_for_later(editor, reviewer):
    """The approved change waited for its time; published then, it put the article back online without anyone
    approving that."""
    article = ArticleFactory.create(body="Old advice.")
    later = timezone.now() + datetime.timedelta(hours=2)
    edit(article, editor, body="New advice.", go_live_at=later)
    workflow.approve(article, reviewer=reviewer)
    workflow.take_offline(article, user=editor)

    assert workflow.publish_due(now=later + datetime.timedelta(seconds=1)) == 0
    assert Client().get(article.get_absolute_url()).status_code == 404
    draft = ArticleDraft.objects.get(article=article)
    assert (draft.state, draft.content["body"]) == (ArticleDraft.State.EDITING, "New advice.")  # kept, not approved
    edit(article, editor, body="New advice.")
    workflow.approve(article, reviewer=reviewer)
    assert "New advice." in page(article)


def test_a_new_article_changed_after_it_was_sent_cannot_be_approved_until_sent_again(editor, reviewer):
    """Its row follows the working copy: approving "as it stands" published half-written words nobody sent."""
    article = ArticleFactory.create(status=Article.Status.DRAFT, published_at=None, body="Version one.")
    edit(article, editor, body="Version one, sent.")
    edit(article, editor, submit=False, body="Version two HALF-WRITTEN")
    with pytest.raises(workflow.WorkflowError, match="has not sent it for review"):
        workflow.approve(article, reviewer=reviewer)
    assert Client().get(article.get_absolute_url()).status_code == 404
    edit(article, editor, body="Version two, finished.")
    workflow.approve(article, reviewer=reviewer)
    assert "Version two, finished." in page(article)


def test_a_reviewer_approves_only_the_words_their_page_showed(client, editor, reviewer):
    """A new article sent for review, changed and its working copy thrown away: the row held words nobody sent, and
    "approve as it stands" from a page opened before published them."""
    article = ArticleFactory.create(status=Article.Status.DRAFT, published_at=None, body="Version one.")
    edit(article, editor, body="Version one, sent.")
    client.force_login(reviewer)
    url = f"/admin/education/article/{article.pk}/review/"
    page = client.get(url).content.decode()
    shown = re.search(r'name="shown" value="([0-9a-f]{64})"', page)
    assert shown is not None
    edit(article, editor, submit=False, body="Version two HALF-WRITTEN")
    workflow.discard_working_copy(article, user=editor)

    refused = client.post(url, {"shown": shown.group(1), "comment": ""})
    assert refused.status_code == 200
    # Nothing waits for review any more: the row holds words nobody sent (the stop-34 audit).
    assert "has not sent it for review" in refused.content.decode()
    assert Client().get(article.get_absolute_url()).status_code == 404
    assert f'name="shown" value="{shown.group(1)}"' not in refused.content.decode()


def test_an_article_renamed_through_the_workflow_keeps_its_old_address_working(editor, reviewer):
    """The old address, in patients' e-mails, printed leaflets and other articles, answered "not found"."""
    article = ArticleFactory.create(title="Sciatica basics", slug="sciatica-basics")
    content = {**workflow.live_content(article), "slug": "sciatica-explained"}
    workflow.save_working_copy(article, content, user=editor, go_live_at=None, submit=True)
    workflow.approve(article, reviewer=reviewer)
    assert Client().get("/articles/sciatica-explained/").status_code == 200
    response = Client().get("/articles/sciatica-basics/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/sciatica-explained/"


def test_an_old_address_gives_way_to_an_article_using_it_and_leads_nowhere_once_its_article_is_offline():
    article = ArticleFactory.create(slug="first-name")
    article.slug = "second-name"
    article.save()
    assert Client().get("/articles/first-name/")["Location"] == "/articles/second-name/"
    newcomer = ArticleFactory.create(slug="first-name", title="A new article")
    assert Client().get("/articles/first-name/").status_code == 200  # the article using the address wins
    newcomer.delete()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert Client().get("/articles/first-name/").status_code == 404  # never a redirect to a page not shown
    article.slug = "first-name"
    article.save()  # back to its first address: no longer an old one
    assert not article.old_addresses.filter(slug="first-name").exists()


def test_an_address_taken_by_a_new_article_never_leads_to_the_article_that_left_it():
    """OldAddress says "the row goes when an article takes the address again", but only a rename removes it: an
    article *created* at the address leaves the row. Once that article is deleted (or taken offline), its readers'
    links, printouts and e-mails are sent with a 301 to a different article."""
    first = ArticleFactory.create(slug="first-name", title="Sciatica basics")
    first.slug = "second-name"
    first.save()
    newcomer = ArticleFactory.create(slug="first-name", title="Cauda equina: what to watch for")
    assert Client().get("/articles/first-name/").status_code == 200
    newcomer.delete()  # or taken offline for a clinical error
    assert Article.objects.get(pk=first.pk).is_live
    response = Client().get("/articles/first-name/")
    assert response.status_code == 404, f"sent to another article: {response.get('Location')}"


def test_an_old_address_redirect_is_not_kept_for_ever_by_browsers():
    """The 301 has no Cache-Control (public_page only marks 200s), so browsers keep it indefinitely. Renamed a -> b and
    then back b -> a (a slip corrected), the server answers b -> a while every browser that followed the first link
    still holds a -> b: an endless redirect loop for those readers; likewise an article later using the address is
    never reached."""
    article = ArticleFactory.create(slug="lumbar-stenosis")
    article.slug = "lumbar-stenosiss"
    article.save()
    first = Client().get("/articles/lumbar-stenosis/")
    assert first.status_code == 301
    article.slug = "lumbar-stenosis"
    article.save()
    assert Client().get("/articles/lumbar-stenosiss/")["Location"] == "/articles/lumbar-stenosis/"
    control = first.get("Cache-Control", "")
    assert "no-cache" in control or "max-age" in control or "no-store" in control, (
        "a permanent redirect kept for ever by browsers now loops between the two addresses"
    )


def test_a_draft_saved_at_an_old_address_does_not_break_the_redirect_to_the_live_article():
    """A draft started at a live article's old address is never shown to readers: their old links keep reaching the
    live article, before and after the draft is deleted."""
    live = ArticleFactory.create(slug="first-name", title="Sciatica basics")
    live.slug = "second-name"
    live.save()
    assert Client().get("/articles/first-name/")["Location"] == "/articles/second-name/"

    draft = ArticleFactory.create(slug="first-name", status=Article.Status.DRAFT, published_at=None)
    response = Client().get("/articles/first-name/")
    assert response.status_code == 301, "an unpublished draft at the address took the live article's redirect away"
    draft.delete()
    assert Client().get("/articles/first-name/").status_code == 301


@pytest.mark.parametrize("state", ["live", "scheduled"])
def test_the_waiting_email_for_a_change_with_a_go_live_time_says_patients_see_it_from_that_time(
    state, editor, reviewer
):
    """A change sent to go live in 3 days: the e-mail told reviewers patients see the current version "until you
    approve the change", though approving it changes nothing for patients before its time."""
    article = ArticleFactory.create(
        title="Heat or ice",
        **({"published_at": timezone.now() + datetime.timedelta(days=1)} if state == "scheduled" else {}),
    )
    at = timezone.localtime() + datetime.timedelta(days=3)
    edit(article, editor, body="Use heat.", go_live_at=at)
    body = " ".join(waiting_email(article).split())
    assert "until you approve" not in body
    if state == "live":
        assert f"Once you approve it, the change goes live on {staff_moment(at)}" in body
        assert "patients keep seeing the current version until then." in body
    else:
        assert f"Once you approve it, it goes live on {staff_moment(at)}; patients cannot see it until then." in body


def test_the_review_page_of_a_change_whose_go_live_time_has_passed_says_it_goes_live_at_once(editor, reviewer_client):
    """A change sent to go live in an hour, reviewed the next day: the page said "Once approved it goes live on
    <yesterday>", and the approval put it in front of patients at once."""
    article = ArticleFactory.create(body="Old advice.")
    edit(article, editor, body="New advice.", go_live_at=timezone.now() + datetime.timedelta(hours=1))
    passed = timezone.localtime() - datetime.timedelta(days=1)
    ArticleDraft.objects.filter(article=article).update(go_live_at=passed)  # a day on (the time moved instead)
    review = f"/admin/education/article/{article.pk}/review/"
    shown = " ".join(reviewer_client.get(review).content.decode().split())
    assert "Once approved it goes live on" not in shown
    assert f"Its go-live time, {staff_moment(passed)}, has passed: once approved it goes live at once." in shown
    reviewer_client.post(review, {"_approve": "1"})
    assert "New advice." in page(article)
