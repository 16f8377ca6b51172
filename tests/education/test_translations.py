"""Article translations (education/translation.py): made from a recorded English version, marked out of date in the
admin when the English changes, approved by a clinical reviewer before patients read them, and never shown to
patients stale or unreviewed without a notice."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from education import workflow
from education.admin_forms import MSG_TRANSLATION_SAVED_BY_SOMEONE_ELSE
from education.models import ArticleTranslation
from education.translation import localized
from education.translation_approval import MSG_NOT_CURRENT, approve_translation
from tests.education.factories import (
    ArticleFactory,
    approve_translations,
    change_english_after_translation,
    edit_translation_after_approval,
)
from tests.education.pages import spanish_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory.create(title="Heat helps", summary="Use heat.", body="Use heat for 20 minutes.")


@pytest.fixture
def unreviewed(article, editor):
    translation = ArticleTranslation(
        article=article, language="es", title="El calor ayuda", summary="Use calor.", body="Use calor 20 minutos."
    )
    translation.record_source(article)
    translation.save()
    return translation


@pytest.fixture
def spanish(unreviewed, reviewer):
    return approve_translation(unreviewed, reviewer=reviewer)


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


def test_ticking_matches_without_changing_a_word_does_not_put_the_old_spanish_back_before_a_reviewer(
    client, article, spanish, editor, reviewer
):
    """The approval was of the Spanish as a translation of the old English: an editor's tick alone showed patients
    Spanish that lacked the English article's new sentence."""
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes. Stop if it burns.")
    client.force_login(editor)
    url = f"/admin/education/articletranslation/{spanish.pk}/change/"
    unchanged = {"title": spanish.title, "summary": spanish.summary, "body": spanish.body, "matches_english": "on"}
    client.post(url, unchanged)
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "El calor ayuda" not in html
    assert "Stop if it burns." in html  # the English, with its notice
    assert "Not approved yet." in client.get(url).content.decode()


def test_a_spanish_reader_sees_spanish_or_the_english_with_a_notice(article, spanish, editor, reviewer):
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "El calor ayuda" in html
    assert "translation-notice" not in html
    assert '<h1 id="article-title">' in html
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "El calor ayuda" not in html
    assert "10 to 20 minutes" in html
    assert 'class="alert alert-info translation-notice no-print" role="note"' in html
    # The English words are marked as English on the Spanish page, for screen readers.
    assert '<h1 id="article-title" lang="en">' in html
    assert '<div class="article-body" lang="en">' in html


def test_a_spanish_reader_of_an_untranslated_article_is_told(article):
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "translation-notice" in html
    assert "Heat helps" in html


def test_a_translation_no_reviewer_approved_is_not_shown_to_patients(article, unreviewed):
    """And the notice says it is not checked yet: it said "being updated after a recent change", of English "the
    clinic checked", for a starter translation nobody had approved (the stop-30 audit)."""
    shown = localized(article, "es")
    assert (shown.title, getattr(shown, "translation_notice", None)) == ("Heat helps", "pending")
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "El calor ayuda" not in html
    assert "translation-notice" in html
    assert "todavía no se ha revisado" in html
    assert "cambio reciente" not in html


def test_an_editors_change_to_an_approved_translation_waits_for_a_reviewer_before_patients_see_it(
    client, article, spanish, editor, reviewer
):
    """Found by an audit: an editor's sentence went live at once, under the article's medical-review line."""
    client.force_login(editor)
    url = f"/admin/education/articletranslation/{spanish.pk}/change/"
    data = {"title": "El calor ayuda", "summary": "Use calor.", "body": "Espere una semana antes de llamar."}
    client.post(url, {**data, "matches_english": "on"})
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "Espere una semana" not in html
    assert "Use heat for 20 minutes." in html  # the approved English, with a notice
    form = client.get(url).content.decode()
    assert "Not approved yet." in form
    assert "Approve this translation for patients" not in form  # an editor cannot approve
    assert client.post(f"/admin/education/articletranslation/{spanish.pk}/approve/").status_code == 403
    assert (
        'class="badge badge-overdue">Awaiting review'
        in client.get("/admin/education/articletranslation/").content.decode()
    )

    client.force_login(reviewer)
    form = client.get(url).content.decode()
    assert "Approve this translation for patients" in form
    response = client.post(f"/admin/education/articletranslation/{spanish.pk}/approve/", {"shown": shown_in(form)})
    assert response.status_code == 302
    html = spanish_reader().get(article.get_absolute_url()).content.decode()
    assert "Espere una semana antes de llamar." in html
    approved = client.get(url).content.decode()
    assert "<strong>Approved</strong> by Riley Reviewer" in approved


def shown_in(form: str) -> str:
    found = re.search(r'name="shown" value="([0-9a-f]+)"', form)
    assert found is not None
    return found.group(1)


def test_a_reviewer_approves_the_words_their_page_showed_not_words_saved_since(client, unreviewed, editor, reviewer):
    """The reviewer opened "Camine un poco"; an editor then saved its opposite; "Approve" approved what was stored,
    words nobody had read (the stop-30 forms audit)."""
    url = f"/admin/education/articletranslation/{unreviewed.pk}/change/"
    client.force_login(reviewer)
    shown = shown_in(client.get(url).content.decode())
    editor_client = Client()
    editor_client.force_login(editor)
    data = {"title": "El calor ayuda", "summary": "Use calor.", "body": "No use calor nunca."}
    editor_client.post(url, {**data, "matches_english": "on"})
    response = client.post(
        f"/admin/education/articletranslation/{unreviewed.pk}/approve/", {"shown": shown}, follow=True
    )
    assert "changed after you opened it" in response.content.decode()
    unreviewed.refresh_from_db()
    assert not unreviewed.is_approved
    assert unreviewed.body == "No use calor nunca."


def test_a_translation_made_from_older_english_cannot_be_approved(client, article, unreviewed, editor, reviewer):
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    client.force_login(reviewer)
    shown = shown_in(client.get(f"/admin/education/articletranslation/{unreviewed.pk}/change/").content.decode())
    response = client.post(
        f"/admin/education/articletranslation/{unreviewed.pk}/approve/", {"shown": shown}, follow=True
    )
    assert MSG_NOT_CURRENT.split(".")[0] in response.content.decode()
    unreviewed.refresh_from_db()
    assert not unreviewed.is_approved


def test_the_article_page_in_the_admin_says_where_its_translation_stands_and_links_to_it(
    client, article, editor, reviewer
):
    client.force_login(editor)
    page = client.get(f"/admin/education/article/{article.pk}/change/").content.decode()
    add = f"/admin/education/articletranslation/add/?article={article.pk}&amp;language=es"
    assert f'Spanish (español): None yet · <a href="{add}">Add it</a>' in page
    form = client.get(add.replace("&amp;", "&")).content.decode()
    assert f'<option value="{article.pk}" selected>' in form
    assert '<option value="es" selected>' in form
    translation = ArticleTranslation(
        article=article, language="es", title="El calor ayuda", summary="Calor.", body="Calor."
    )
    translation.record_source(article)
    translation.save()
    page = client.get(f"/admin/education/article/{article.pk}/change/").content.decode()
    assert "Spanish (español): Awaiting clinical review: patients read the English" in page
    approve_translation(translation, reviewer=reviewer)
    page = client.get(f"/admin/education/article/{article.pk}/change/").content.decode()
    assert "Spanish (español): Approved: patients read it" in page


def what_a_spanish_reader_sees(zinc, middle) -> dict[str, object]:
    """The titles a Spanish reader meets in each place that decides on its own query whether they may read a
    translation: the list (its cards, in the reading order), the article page, "Read next", and search (found by
    the Spanish words; found by English words, in the order of the titles the reader sees)."""

    def titles(page: str, pattern: str) -> list[str]:
        return [html.unescape(title) for title in re.findall(pattern, page)]

    reader = spanish_reader()
    listing = reader.get("/articles/").content.decode()
    page = reader.get(zinc.get_absolute_url()).content.decode()
    read_next = reader.get(middle.get_absolute_url()).content.decode()
    by_spanish_words = reader.get("/search/?q=calcio").content.decode()
    by_english_words = reader.get("/search/?q=walk").content.decode()
    hit = r'<h2 class="h5"><a href="/articles/[^"]+/">([^<]+)</a>'
    return {
        "list": titles(listing, r'class="stretched-link" href="[^"]+">([^<]+)</a>'),
        "article": titles(page, r'<h1 id="article-title"[^>]*>([^<]+)</h1>'),
        "read next": titles(read_next, r'<li(?: lang="en")?><a href="/articles/[^"]+/">([^<]+)</a><br>'),
        "search by its Spanish words": titles(by_spanish_words, hit),
        "search by English words": titles(by_english_words, hit),
    }


@pytest.mark.parametrize(
    ("change", "shown"),
    [(None, True), (edit_translation_after_approval, False), (change_english_after_translation, False)],
    ids=["approved as it stands", "approved then edited", "made from older english"],
)
def test_every_place_that_shows_an_articles_title_agrees_on_whether_patients_may_read_its_translation(
    settings, change, shown
):
    """One rule (education/translation.py) read by several queries, in Python, the ORM and written-out SQL: a place
    that drifted from it would show Spanish no reviewer approved, or sort and find an article by words the reader
    does not see."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    body = "Walk a little every day."
    zinc = ArticleFactory.create(title="Zinc and bones", slug="zinc-and-bones", summary="Zinc.", body=body)
    middle = ArticleFactory.create(title="Middle stretches", slug="middle", body=body, related=[zinc])
    translation = ArticleTranslation(
        article=zinc, language="es", title="Alimentos para los huesos", summary="Zinc.", body="El calcio ayuda."
    )
    translation.record_source(zinc)
    translation.save()
    approve_translations()
    if change is not None:
        change(zinc)
    seen = "Alimentos para los huesos" if shown else "Zinc and bones"
    in_order = sorted([seen, "Middle stretches"], key=str.lower)
    assert what_a_spanish_reader_sees(zinc, middle) == {
        "list": in_order,
        "article": [seen],
        "read next": [seen],
        "search by its Spanish words": [seen] if shown else [],
        "search by English words": in_order,
    }


def test_a_reviewer_approves_a_translation_of_the_english_their_page_showed_not_of_english_changed_since(
    client, article, unreviewed, editor, reviewer
):
    """The reviewer opened the Spanish "Use calor 20 minutos.", made from "Use heat for 20 minutes." Meanwhile the
    English gained "Stop if it burns." and an editor ticked "matches the current English" without changing a word.
    "Approve" on the page opened before approved the Spanish as a translation of the new English, unseen: Spanish
    readers were shown advice without the new warning."""
    url = f"/admin/education/articletranslation/{unreviewed.pk}/change/"
    client.force_login(reviewer)
    shown = shown_in(client.get(url).content.decode())
    change_english(article, editor, reviewer, "Use heat for 20 minutes. Stop if it burns.")
    editor_client = Client()
    editor_client.force_login(editor)
    words = {"title": unreviewed.title, "summary": unreviewed.summary, "body": unreviewed.body}
    editor_client.post(url, {**words, "matches_english": "on"})

    response = client.post(
        f"/admin/education/articletranslation/{unreviewed.pk}/approve/", {"shown": shown}, follow=True
    )
    assert "changed after you opened it" in response.content.decode()
    unreviewed.refresh_from_db()
    assert not unreviewed.is_approved
    assert "Stop if it burns." in spanish_reader().get(article.get_absolute_url()).content.decode()


def test_ticking_matches_the_english_on_a_page_opened_before_the_english_changed_again_is_refused(
    client, article, unreviewed, editor, reviewer
):
    """The editor opens the out-of-date translation (the page shows what changed in the English), translates that
    change and ticks "matches the current English". The English changed again meanwhile: the tick recorded the newer
    English, the translation read "Up to date", a reviewer approved it, and Spanish readers got a translation of the
    older English as if it were the current one."""
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes.")
    url = f"/admin/education/articletranslation/{unreviewed.pk}/change/"
    client.force_login(editor)
    page = client.get(url).content.decode()
    found = re.search(r'name="english_shown" value="([0-9a-f]*)"', page)
    shown_english = found.group(1) if found else ""
    change_english(article, editor, reviewer, "Use heat for 10 to 20 minutes. Never sleep on a heating pad.")

    data = {"title": "El calor ayuda", "summary": "Use calor.", "body": "Use calor de 10 a 20 minutos."}
    response = client.post(url, {**data, "matches_english": "on", "english_shown": shown_english})

    assert response.status_code == 200
    assert "The English article changed again after you opened this page" in response.content.decode()
    unreviewed.refresh_from_db()
    assert not unreviewed.is_current
    assert unreviewed.body == "Use calor 20 minutos."


def test_a_translation_saved_by_another_editor_after_the_page_opened_is_not_saved_over(
    client, unreviewed, editor, django_user_model
):
    """Two editors open the Spanish; one saves a correction, then the other saves theirs: the first one's words were
    gone without a word to either (the article's form refuses such a save once; the translation's did not)."""
    url = f"/admin/education/articletranslation/{unreviewed.pk}/change/"
    client.force_login(editor)
    page = client.get(url).content.decode()
    found = re.search(r'name="opened" value="([0-9a-f]*)"', page)
    opened = found.group(1) if found else ""
    colleague = django_user_model.objects.create_user(username="bea", is_staff=True)
    colleague.groups.set(editor.groups.all())
    other = Client()
    other.force_login(colleague)
    words = {"title": "El calor ayuda", "summary": "Use calor.", "matches_english": "on"}
    assert other.post(url, {**words, "body": "Use calor 20 minutos, no más.", "opened": opened}).status_code == 302

    refused = client.post(url, {**words, "body": "Use calor veinte minutos.", "opened": opened})

    assert refused.status_code == 200
    assert MSG_TRANSLATION_SAVED_BY_SOMEONE_ELSE in html.unescape(refused.content.decode())
    unreviewed.refresh_from_db()
    assert unreviewed.body == "Use calor 20 minutos, no más."
    again = re.search(r'name="opened" value="([0-9a-f]*)"', refused.content.decode())
    assert again is not None
    assert client.post(url, {**words, "body": "Use calor veinte minutos.", "opened": again.group(1)}).status_code == 302


def test_a_reviewer_who_may_not_edit_sees_no_empty_matches_the_english_box(client, unreviewed, reviewer):
    """A clinical reviewer opens the translation read-only: the editors' "matches the English" tick box, a form field
    with nothing stored, was listed as "Matches english: None"."""
    client.force_login(reviewer)
    page = client.get(f"/admin/education/articletranslation/{unreviewed.pk}/change/").content.decode()
    assert "View article translation" in page
    assert "Matches english" not in page
