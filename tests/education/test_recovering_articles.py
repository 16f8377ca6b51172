"""An article deleted and brought back with "Recover deleted articles": its translations come back with it, and an
editor may delete an article that has one (education/recovery.py)."""

from __future__ import annotations

import pytest
import reversion
from django.test import Client
from reversion.models import Version

from education import workflow
from education.models import Article, ArticleTranslation
from education.translation_approval import approve_translation
from tests.education.factories import ArticleFactory
from tests.education.test_admin import form_of

pytestmark = pytest.mark.django_db


def _spanish(article: Article, *, reviewer=None, **words: str) -> ArticleTranslation:
    """A Spanish translation of `article` as it is now; approved by `reviewer` when given."""
    words = {"title": "El calor ayuda", "summary": "Use calor.", "body": "Use calor 20 minutos.", **words}
    spanish = ArticleTranslation(article=article, language="es", **words)
    spanish.record_source(article)
    spanish.save()
    if reviewer is not None:
        approve_translation(spanish, reviewer=reviewer)
    return spanish


def _article_with_spanish(reviewer) -> Article:
    """An article in a revision of its own, with a Spanish translation a reviewer approved."""
    with reversion.create_revision():
        article = ArticleFactory.create(title="Heat helps", slug="heat-helps", body="Use heat for 20 minutes.")
    _spanish(article, reviewer=reviewer)
    return article


def test_recovering_a_deleted_article_brings_back_its_spanish_translation(client, editor, reviewer):
    """An article deleted by mistake and recovered from History: its words came back, but its approved Spanish
    translation was gone for good (translations kept no version), and Spanish readers were told "not translated yet"
    once it was approved again (the stop-34 audit)."""
    article = _article_with_spanish(reviewer)
    version = Version.objects.get_for_object(article).first()

    Article.objects.get(pk=article.pk).delete()
    client.force_login(editor)
    url = f"/admin/education/article/recover/{version.pk}/"
    shown = form_of(Article(**{k: v for k, v in version.field_dict.items() if k not in ("topics", "related")}))
    assert "is back, offline" in client.post(url, shown, follow=True).content.decode()

    recovered = Article.objects.get(pk=article.pk)
    workflow.approve(recovered, reviewer=reviewer)
    assert ArticleTranslation.objects.filter(article=recovered, language="es").exists(), (
        "the approved Spanish translation was lost with the deletion and not recovered"
    )
    reader = Client()
    reader.cookies["django_language"] = "es"
    assert "El calor ayuda" in reader.get("/articles/heat-helps/").content.decode()


def test_an_editor_may_delete_an_article_that_has_a_translation(client, editor):
    """Editors got a Delete link on every article, but one with a translation (every starter article has a Spanish
    one) answered "Cannot delete article ... your account doesn't have permission to delete ... article translation"
    (the stop-34 audit)."""
    article = ArticleFactory.create()
    _spanish(article, title="T", summary="S", body="B")
    client.force_login(editor)
    assert "Cannot delete article" not in client.get(f"/admin/education/article/{article.pk}/delete/").content.decode()
    response = client.post(f"/admin/education/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    # Its last version holds the translation, for "Recover deleted articles".
    kept = Version.objects.get_for_object_reference(Article, article.pk).first()
    assert kept is not None
    assert Version.objects.get_for_model(ArticleTranslation).filter(revision=kept.revision).count() == 1


def test_deleting_with_the_bulk_action_keeps_the_translations_for_recovery(client, editor, reviewer):
    """The list page runs "Delete selected" inside a revision, saved after the rows are gone: nothing was kept
    (review of the stop-34 commits)."""
    article = _article_with_spanish(reviewer)
    client.force_login(editor)

    response = client.post(
        "/admin/education/article/",
        {"action": "delete_selected", "_selected_action": [str(article.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()

    assert Version.objects.get_for_model(ArticleTranslation).exists(), (
        "no version of the Spanish translation was stored when the article was deleted with 'Delete selected'"
    )
    newest = Version.objects.get_for_object_reference(Article, article.pk).order_by("-revision__date_created").first()
    recovered = workflow.recover(newest)
    assert ArticleTranslation.objects.filter(article=recovered, language="es").exists(), (
        "recovered without its approved Spanish translation"
    )


def test_a_deletion_inside_another_revision_still_keeps_the_translation(reviewer):
    """The mechanism alone: a deletion made inside a reversion block (as the admin's list page is) kept nothing."""
    article = _article_with_spanish(reviewer)
    with reversion.create_revision():
        Article.objects.get(pk=article.pk).delete()
    assert Version.objects.get_for_model(ArticleTranslation).exists(), "the translation's last version was dropped"


def test_an_editor_cannot_delete_an_approved_translation_on_its_own(client, editor, reviewer):
    """A translation goes only with its article (kept for recovery); on its own nothing would keep it (review of the
    stop-34 commits)."""
    spanish = _spanish(ArticleFactory.create(), reviewer=reviewer, title="T", summary="S", body="B")
    client.force_login(editor)

    client.post(f"/admin/education/articletranslation/{spanish.pk}/delete/", {"post": "yes"})

    assert ArticleTranslation.objects.filter(pk=spanish.pk).exists(), (
        "an editor deleted an approved translation by itself, and nothing keeps it for recovery"
    )
