"""Article translations (education/translation.py): made from a recorded English version, marked out of date in the
admin when the English changes, and never shown to patients stale without a notice."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from education import workflow
from education.models import ArticleTranslation
from education.translation import localized
from tests.education.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory.create(title="Heat helps", summary="Use heat.", body="Use heat for 20 minutes.")


@pytest.fixture
def spanish(article, editor):
    translation = ArticleTranslation(
        article=article, language="es", title="El calor ayuda", summary="Use calor.", body="Use calor 20 minutos."
    )
    translation.record_source(article)
    translation.save()
    return translation


def spanish_reader() -> Client:
    reader = Client()
    reader.cookies["django_language"] = "es"
    return reader


def change_english(article, editor, reviewer, body: str) -> None:
    content = {**workflow.live_content(article), "body": body}
    workflow.save_working_copy(article, content, user=editor, go_live_at=None, submit=True)
    workflow.approve(article, reviewer=reviewer)
    article.refresh_from_db()


def test_a_translation_made_from_the_live_english_is_current_and_shown_in_spanish(article, spanish):
    assert spanish.is_current
    shown = localized(article, "es")
    assert (shown.title, getattr(shown, "translation_notice", "")) == ("El calor ayuda", None)
    assert "Use calor 20 minutos." in shown.display_html
    assert localized(article, "en").title == "Heat helps"


def test_an_english_change_marks_the_translation_out_of_date(article, spanish, editor, reviewer):
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    spanish.refresh_from_db()
    assert not spanish.is_current
    shown = localized(article, "es")
    assert getattr(shown, "translation_notice", "") == "outdated"
    assert shown.title == "Heat helps"
    assert "10 to 20 minutes" in shown.display_html


def test_a_working_copy_alone_does_not_make_the_translation_out_of_date(article, spanish, editor):
    content = {**workflow.live_content(article), "body": "Something new."}
    workflow.save_working_copy(article, content, user=editor, go_live_at=None)
    spanish.refresh_from_db()
    assert spanish.is_current


def test_the_admin_list_and_form_say_out_of_date_with_what_changed(client, article, spanish, editor, reviewer):
    client.force_login(editor)
    listing = client.get("/admin/education/articletranslation/").content.decode()
    assert 'class="badge badge-current">Up to date' in listing
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    listing = client.get("/admin/education/articletranslation/").content.decode()
    assert 'class="badge badge-overdue">Out of date' in listing
    form = client.get(f"/admin/education/articletranslation/{spanish.pk}/change/").content.decode()
    assert "<strong>Out of date.</strong>" in form
    assert re.search(r'<li class="removed">- Use heat for 20 minutes\.</li>', form)
    assert re.search(r'<li class="added">\+ Use heat for 10 to 20 minutes\.</li>', form)
    articles = client.get("/admin/education/article/").content.decode()
    assert 'class="badge badge-overdue">Out of date' in articles
    assert (
        "Spanish (español) translation out of date."
        in client.get(f"/admin/education/article/{article.pk}/change/").content.decode()
    )


def test_updating_the_translation_and_ticking_matches_makes_it_current(client, article, spanish, editor, reviewer):
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    client.force_login(editor)
    url = f"/admin/education/articletranslation/{spanish.pk}/change/"
    data = {"title": "El calor ayuda", "summary": "Use calor.", "body": "Use calor de 10 a 20 minutos."}
    client.post(url, data)  # a fix without ticking: still out of date
    spanish.refresh_from_db()
    assert not spanish.is_current
    client.post(url, {**data, "matches_english": "on"})
    spanish.refresh_from_db()
    assert spanish.is_current
    assert spanish.body == "Use calor de 10 a 20 minutos."


def test_a_spanish_reader_sees_spanish_or_the_english_with_a_notice(article, spanish, editor, reviewer):
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "El calor ayuda" in html
    assert "translation-notice" not in html
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "El calor ayuda" not in html
    assert "10 to 20 minutes" in html
    assert 'class="alert alert-info translation-notice no-print" role="note"' in html


def test_a_spanish_reader_of_an_untranslated_article_is_told(article):
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "translation-notice" in html
    assert "Heat helps" in html
