"""The article admin writes a moment as the staff pages do ("Mar 23, 2030, 10:30 AM EDT"), where it wrote the
24-hour "Mar 23, 2030 10:30" of its time boxes and, for the record's times, Django's "March 20, 2030, 9 a.m.". The time
boxes themselves keep their own input format ("2030-03-23", "10:30:00"): that is what the editor types."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from education.models import Article, ArticleDraft
from tests.education.factories import ArticleFactory, spanish_awaiting_approval
from tests.education.test_admin import ADD_URL, change_url, form_data, form_of, in_days, review_url

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 3, 20, 13, 0, tzinfo=datetime.UTC)  # 9:00 AM EDT, a Wednesday
LIST_URL = "/admin/education/article/"


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_scheduled_articles_times_in_the_list_and_the_messages(editor, reviewer, time_machine):
    time_machine.move_to(NOW, tick=False)
    editor_client, reviewer_client = _signed_in(editor), _signed_in(reviewer)
    editor_client.post(ADD_URL, form_data(**in_days(3), _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    reviewer_client.post(review_url(article), {"_approve": "1"})

    assert "Scheduled for Mar 23, 2030, 10:30 AM EDT" in _text(editor_client.get(LIST_URL))
    postponed = editor_client.post(change_url(article), form_of(article, **in_days(10)), follow=True)
    assert "now goes live on Mar 30, 2030, 10:30 AM EDT, not before" in _text(postponed)
    assert not re.search(r"\b10:30\b(?! AM)", _text(postponed))


def test_a_change_waiting_to_go_live_is_timed_as_the_staff_pages_time_it(editor, reviewer, time_machine):
    time_machine.move_to(NOW, tick=False)
    editor_client, reviewer_client = _signed_in(editor), _signed_in(reviewer)
    article = ArticleFactory.create(title="Heat or ice", body="Old advice.")
    saved = editor_client.post(
        change_url(article), form_of(article, body="New advice.", _submit_review="1", **in_days(5)), follow=True
    )
    assert "Once approved, it goes live on Mar 25, 2030, 10:30 AM EDT." in _text(saved)
    waiting = _text(reviewer_client.get(review_url(article)))
    assert "was sent for review by Editor Tester on Mar 20, 2030, 9:00 AM EDT." in waiting
    assert "Once approved it goes live on Mar 25, 2030, 10:30 AM EDT." in waiting

    reviewer_client.post(review_url(article), {"_approve": "1"})
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.APPROVED
    assert "Working copy: Approved, goes live Mar 25, 10:30 AM EDT" in _text(editor_client.get(LIST_URL))
    panel = _text(editor_client.get(change_url(article)))
    assert "saved Mar 20, 2030, 9:00 AM EDT by Editor Tester · goes live Mar 25, 2030, 10:30 AM EDT." in panel


def test_the_record_times_read_as_the_staff_pages_and_the_time_box_keeps_its_input_format(
    editor, reviewer, time_machine
):
    time_machine.move_to(NOW, tick=False)
    editor_client, reviewer_client = _signed_in(editor), _signed_in(reviewer)
    editor_client.post(ADD_URL, form_data(**in_days(3), _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    reviewer_client.post(review_url(article), {"_approve": "1"})

    page = editor_client.get(change_url(article)).content.decode()
    record = re.search(r"Related articles and record.*?</fieldset>", page, re.S)
    assert record is not None
    assert re.findall(r'<div class="readonly">([^<]*)</div>', record.group(0))[-2:] == [
        "Mar 20, 2030, 9:00 AM EDT",
        "Mar 20, 2030, 9:00 AM EDT",
    ]
    assert not re.search(r"\d [ap]\.m\.", page)  # Django's own "9 a.m." nowhere on the page
    # The time boxes: the date and the 24-hour time the editor types, as before.
    assert re.search(r'name="go_live_at_0"[^>]*value="2030-03-23"|value="2030-03-23"[^>]*name="go_live_at_0"', page)
    assert re.search(r'name="go_live_at_1"[^>]*value="10:30:00"|value="10:30:00"[^>]*name="go_live_at_1"', page)


def test_the_history_table_and_the_translation_list_write_their_times_the_same_way(editor, time_machine):
    time_machine.move_to(NOW, tick=False)
    editor_client = _signed_in(editor)
    editor_client.post(ADD_URL, form_data())
    article = Article.objects.get(slug="stretching-after-a-run")
    history = _text(editor_client.get(f"/admin/education/article/{article.pk}/history/"))
    assert re.search(r'<th scope="row"> (<a [^>]*>)?Mar 20, 2030, 9:00 AM EDT', history)
    assert not re.search(r"\d [ap]\.m\.", history)

    spanish_awaiting_approval(ArticleFactory.create(title="Sciatica"))
    translations = editor_client.get("/admin/education/articletranslation/").content.decode()
    assert "Mar 20, 2030, 9:00 AM EDT" in translations
    assert not re.search(r"\d [ap]\.m\.", translations)


def test_the_staff_preview_of_a_scheduled_article_says_when_it_goes_live_the_same_way(editor, reviewer, time_machine):
    time_machine.move_to(NOW, tick=False)
    editor_client, reviewer_client = _signed_in(editor), _signed_in(reviewer)
    editor_client.post(ADD_URL, form_data(**in_days(3), _submit_review="1"))
    article = Article.objects.get(slug="stretching-after-a-run")
    reviewer_client.post(review_url(article), {"_approve": "1"})
    preview = _text(editor_client.get(article.get_absolute_url()))
    assert "This article is scheduled: patients can read it from Mar 23, 2030, 10:30 AM EDT." in preview


def test_the_compare_page_names_the_two_versions_and_a_changed_time_the_same_way(editor, time_machine):
    """django-reversion-compare's page said "Compare March 20, 2030, 9 a.m. with March 21, 2030, 9 a.m.", and a
    changed go-live time "- March 23, 2030, 10:30 a.m."."""
    import reversion
    from reversion.models import Version

    time_machine.move_to(NOW, tick=False)
    with reversion.create_revision():
        article = ArticleFactory.create(body="The old advice.", published_at=NOW + datetime.timedelta(days=3))
    time_machine.move_to(NOW + datetime.timedelta(days=1), tick=False)
    with reversion.create_revision():
        article.body = "The new advice."
        article.published_at = NOW + datetime.timedelta(days=4)
        article.save()
    first, second = Version.objects.get_for_object(article).order_by("pk")
    compare = _text(
        _signed_in(editor).get(
            f"/admin/education/article/{article.pk}/history/compare/",
            {"version_id1": first.pk, "version_id2": second.pk},
        )
    )
    heading = "Compare <strong>Mar 20, 2030, 9:00 AM EDT</strong> with <strong>Mar 21, 2030, 9:00 AM EDT</strong>"
    assert heading in compare
    assert "<del>- Mar 23, 2030, 9:00 AM EDT</del>" in compare
    assert "<ins>+ Mar 24, 2030, 9:00 AM EDT</ins>" in compare
    assert not re.search(r"\d [ap]\.m\.", compare)


def test_the_compare_page_leaves_out_when_the_pages_topics_or_read_next_list_changed(
    editor, time_machine, django_capture_on_commit_callbacks
):
    """`page_changed_at` (the sitemap's, written when a listed article or topic changes) showed on the compare page
    as a field the editor changed ("page changed at", "- " to "+ Mar 21, 2030, 9:00 AM EDT"): it is not theirs."""
    import reversion
    from reversion.models import Version

    time_machine.move_to(NOW, tick=False)
    with reversion.create_revision():
        article = ArticleFactory.create(body="The advice.")
    listed = ArticleFactory.create(title="Read this next")
    time_machine.move_to(NOW + datetime.timedelta(days=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        article.related.add(listed)
        listed.title = "Read this next, renamed"
        listed.save()
    time_machine.move_to(NOW + datetime.timedelta(days=2), tick=False)
    with reversion.create_revision():
        article.refresh_from_db()
        article.body = "The new advice."
        article.save()
    first, second = Version.objects.get_for_object(article).order_by("pk")
    compare = _text(
        _signed_in(editor).get(
            f"/admin/education/article/{article.pk}/history/compare/",
            {"version_id1": first.pk, "version_id2": second.pk},
        )
    )
    assert "The new advice." in compare
    assert "page changed at" not in compare.lower()
