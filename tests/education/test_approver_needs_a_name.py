"""An approval needs the approver's full name: patients read it ("Medically reviewed by ..."). An account with only
a sign-in name put that on the public page; its approval is refused in the admin, with nothing changed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from education import workflow
from education.models import Article, ArticleDraft, ArticleReview, ArticleTranslation
from tests.education.factories import ArticleFactory, spanish_with_a_new_release
from tests.education.pages import review_lines, spanish_reader

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def sent_for_review(editor) -> Article:
    article = ArticleFactory.create(slug="heat-helps", body="Use heat for 20 minutes.")
    content = {**workflow.live_content(article), "body": "Use heat for 15 minutes."}
    workflow.save_working_copy(article, content, user=editor, go_live_at=None, submit=True)
    return article


def spanish(article: Article) -> ArticleTranslation:
    translation = ArticleTranslation(
        article=article, language="es", title="El calor ayuda", summary="Use calor.", body="Use calor 20 minutos."
    )
    translation.record_source(article)
    translation.save()
    return translation


def test_a_reviewer_with_no_full_name_is_refused_on_the_review_page_and_nothing_changes(editor, nameless):
    article = sent_for_review(editor)
    before, revisions = Article.objects.values().get(pk=article.pk), Version.objects.count()
    url = f"/admin/education/article/{article.pk}/review/"
    assert "Your account has no full name, so you cannot approve" in as_user(nameless).get(url).content.decode()
    response = as_user(nameless).post(url, {"_approve": "1", "comment": ""})
    assert response.status_code == 200
    assert "Add your full name to your account before approving" in response.content.decode()
    assert Article.objects.values().get(pk=article.pk) == before
    assert ArticleDraft.objects.get(article=article).state == ArticleDraft.State.AWAITING_REVIEW
    assert not ArticleReview.objects.exists()
    assert Version.objects.count() == revisions  # no revision half-written
    assert "Use heat for 15 minutes." not in Client().get("/articles/heat-helps/").content.decode()


def test_a_reviewer_with_a_full_name_approves_and_patients_read_it(editor, reviewer):
    article = sent_for_review(editor)
    url = f"/admin/education/article/{article.pk}/review/"
    response = as_user(reviewer).post(url, {"_approve": "1", "comment": ""})
    assert response.status_code == 302
    page = Client().get("/articles/heat-helps/").content.decode()
    assert "Use heat for 15 minutes." in page
    today = timezone.localdate()
    assert f"Medically reviewed by Riley Reviewer on {today:%B} {today.day}, {today.year}" in review_lines(page)


def test_a_reviewer_with_no_full_name_cannot_approve_a_translation(nameless):
    translation = spanish(ArticleFactory.create(slug="heat-helps"))
    change = f"/admin/education/articletranslation/{translation.pk}/change/"
    assert "Your account has no full name, so you cannot approve" in as_user(nameless).get(change).content.decode()
    url = f"/admin/education/articletranslation/{translation.pk}/approve/"
    response = as_user(nameless).post(url, {"shown": ""}, follow=True)
    assert "Add your full name to your account before approving" in response.content.decode()
    translation.refresh_from_db()
    assert (translation.is_approved, translation.approved_by, translation.approved_by_name) == (False, None, "")
    assert "El calor ayuda" not in spanish_reader().get("/articles/heat-helps/").content.decode()


def test_a_reviewer_with_no_full_name_cannot_approve_a_new_release(nameless):
    translation = spanish_with_a_new_release(ArticleFactory.create(slug="heat-helps"))
    before = ArticleTranslation.objects.values().get(pk=translation.pk)
    url = f"/admin/education/articletranslation/{translation.pk}/approve-release/"
    response = as_user(nameless).post(url, {"shown": ""}, follow=True)
    assert "Add your full name to your account before approving" in response.content.decode()
    assert ArticleTranslation.objects.values().get(pk=translation.pk) == before
