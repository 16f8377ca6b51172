"""An editor's whole day in the admin: create, schedule, preview, publish, revise, compare and restore."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from education.models import Article, Topic
from tests.education.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/education/article/add/"


def form_data(**overrides):
    when = timezone.localtime() + datetime.timedelta(days=3)
    data = {
        "title": "Stretching after a run",
        "slug": "stretching-after-a-run",
        "summary": "Gentle stretches that help a stiff back.",
        "body": "## Why stretch\n\nStretching can ease stiffness. Go slowly.",
        "status": "draft",
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "author": "Education team",
        "reviewed_by": "Dr. Ana Ruiz, MD",
        "reviewed_on": "2026-11-01",
        "next_review_due": "2027-11-01",
        "sources": "NICE NG59.",
    }
    data.update(overrides)
    return data


def change_url(article: Article) -> str:
    return f"/admin/education/article/{article.pk}/change/"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_an_editor_creates_schedules_previews_publishes_revises_and_restores_an_article(editor_client, editor):
    patient = Client()  # an anonymous visitor, beside the signed-in editor
    running = TopicFactory.create(name="Running", slug="running")

    # Create a draft.
    response = editor_client.post(ADD_URL, form_data(topics=[running.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="stretching-after-a-run")
    assert article.status == Article.Status.DRAFT
    assert list(article.topics.all()) == [running]

    # Preview it on the public layout (the admin's "View on site" leads there).
    change_page = editor_client.get(change_url(article)).content.decode()
    assert "View on site" in change_page
    preview = editor_client.get(article.get_absolute_url())
    assert preview.status_code == 200
    assert "Why stretch" in preview.content.decode()

    # Schedule it for three days from now: still hidden from patients.
    response = editor_client.post(change_url(article), form_data(status="published", topics=[running.pk]), follow=True)
    assert "is scheduled" in response.content.decode()
    article.refresh_from_db()
    assert article.is_scheduled
    assert patient.get(article.get_absolute_url()).status_code == 404

    # Publish it now.
    now = timezone.localtime() - datetime.timedelta(minutes=1)
    published = form_data(
        status="published",
        topics=[running.pk],
        published_at_0=now.strftime("%Y-%m-%d"),
        published_at_1=now.strftime("%H:%M:%S"),
    )
    assert editor_client.post(change_url(article), published).status_code == 302
    assert patient.get(article.get_absolute_url()).status_code == 200

    # Revise the body.
    revised = {**published, "body": "## Why stretch\n\nA new, worse paragraph."}
    assert editor_client.post(change_url(article), revised).status_code == 302
    assert "worse paragraph" in patient.get(article.get_absolute_url()).content.decode()

    # History lists every save; compare the first published version with the current one.
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert len(versions) == 4
    history = editor_client.get(f"/admin/education/article/{article.pk}/history/")
    assert history.status_code == 200
    compare = editor_client.get(
        f"/admin/education/article/{article.pk}/history/compare/",
        {"version_id1": versions[2].pk, "version_id2": versions[3].pk},
    )
    assert compare.status_code == 200
    assert "worse paragraph" in compare.content.decode()

    # Restore the version before the revision.
    restore_url = f"/admin/education/article/{article.pk}/history/{versions[2].pk}/"
    assert editor_client.get(restore_url).status_code == 200
    assert editor_client.post(restore_url, published).status_code == 302
    page = patient.get(article.get_absolute_url()).content.decode()
    assert "worse paragraph" not in page
    assert "Stretching can ease stiffness." in page
    assert not editor.is_superuser


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


def test_the_list_shows_status_topics_review_date_grade_and_words(editor_client):
    topic = TopicFactory.create(name="Running", slug="running")
    ArticleFactory.create(title="Listed", topics=[topic], next_review_due=datetime.date(2027, 3, 4))
    html = editor_client.get("/admin/education/article/").content.decode()
    for heading in ("Status", "Topics", "Next review due", "Grade", "Words"):
        assert heading in html
    assert "Running" in html
    assert "Mar 4, 2027" in html
    assert "(overdue)" not in html


def test_the_list_marks_articles_whose_review_is_overdue(editor_client):
    ArticleFactory.create(title="Old facts", next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    html = editor_client.get("/admin/education/article/").content.decode()
    assert "<strong>(overdue)</strong>" in html


def test_the_review_overdue_filter_lists_only_overdue_articles(editor_client):
    today = timezone.localdate()
    ArticleFactory.create(title="Overdue one", next_review_due=today - datetime.timedelta(days=1))
    ArticleFactory.create(title="Fine one", next_review_due=today + datetime.timedelta(days=200))
    html = editor_client.get("/admin/education/article/", {"review": "overdue"}).content.decode()
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


@pytest.mark.parametrize("model", [Article, Topic])
def test_every_editable_field_tells_the_editor_what_it_is_for(model):
    editable = [f for f in model._meta.get_fields() if getattr(f, "editable", False) and not f.auto_created]
    assert len(editable) >= 3
    assert [f.name for f in editable if not f.help_text] == []
