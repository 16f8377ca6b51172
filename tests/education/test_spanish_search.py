"""A reader of Spanish searches in Spanish (found in stop 26's audit: search matched English words only): the words
of the translations patients may read are searched, in Spanish on PostgreSQL (its stemming), with the snippet in
Spanish; English words still find English articles; a translation not approved as it stands, or made from older
English, is never searched; and the page sends one query more than in English (the Spanish titles of the hits)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from education.models import ArticleTranslation
from tests.education.factories import (
    ArticleFactory,
    approve_translations,
    change_english_after_translation,
    edit_translation_after_approval,
)

pytestmark = pytest.mark.django_db


def reader(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def _translate(article, *, title: str, summary: str, body: str) -> ArticleTranslation:
    translation = ArticleTranslation(article=article, language="es", title=title, summary=summary, body=body)
    translation.record_source(article)
    translation.save()
    return translation


@pytest.fixture
def library(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    heat = ArticleFactory.create(
        title="Heat helps", slug="heat-helps", summary="Use heat.", body="A warm pack eases stiff muscles."
    )
    ice = ArticleFactory.create(title="Ice or heat", slug="ice-or-heat", summary="Which one.", body="Cold first.")
    _translate(
        heat,
        title="El calor ayuda",
        summary="Use calor.",
        body="Una compresa tibia alivia los músculos rígidos y los dolores de espalda.",
    )
    approve_translations()
    return heat, ice


def _results(html: str) -> list[str]:
    return re.findall(r'<li class="search-result"[^>]*>\s*<h2 class="h5"><a href="/articles/([^/]+)/">', html)


def test_a_spanish_word_finds_the_article_in_spanish_with_a_spanish_snippet(library):
    html = reader("es").get("/search/?q=compresa").content.decode()
    assert _results(html) == ["heat-helps"]
    assert '<a href="/articles/heat-helps/">El calor ayuda</a>' in html
    snippet = re.search(r'<p class="snippet[^"]*">(.*?)</p>', html, re.S)
    assert snippet is not None
    assert "<mark>compresa</mark>" in snippet.group(1)
    assert "tibia" in snippet.group(1)


def test_an_english_reader_does_not_search_the_spanish_words(library):
    html = reader("en").get("/search/?q=compresa").content.decode()
    assert _results(html) == []


def test_a_spanish_reader_still_finds_english_articles_by_english_words(library):
    html = reader("es").get("/search/?q=cold").content.decode()
    assert _results(html) == ["ice-or-heat"]
    assert re.search(r'<li class="search-result" lang="en">', html)


def test_an_article_found_by_its_english_words_shows_no_english_snippet_under_its_spanish_title(library):
    html = reader("es").get("/search/?q=stiff").content.decode()
    assert _results(html) == ["heat-helps"]
    assert '<a href="/articles/heat-helps/">El calor ayuda</a>' in html
    assert "stiff" not in html.split('<ol class="search-results')[1]


def test_words_not_approved_as_they_stand_are_not_searched_until_a_reviewer_approves_them(library):
    heat, _ice = library
    translation = ArticleTranslation.objects.get(article=heat)
    translation.body = "Una bolsa de agua caliente alivia los músculos."
    translation.save()
    assert _results(reader("es").get("/search/?q=bolsa").content.decode()) == []
    approve_translations()
    assert _results(reader("es").get("/search/?q=bolsa").content.decode()) == ["heat-helps"]


def test_a_translation_of_older_english_is_not_searched(library):
    heat, _ice = library
    heat.body = "A warm pack eases stiff muscles. Never on broken skin."
    heat.save()
    heat.refresh_from_db()
    assert heat.english_sha256 != ArticleTranslation.objects.get(article=heat).source_sha256
    assert _results(reader("es").get("/search/?q=compresa").content.decode()) == []


@pytest.mark.usefixtures("on_postgresql")
def test_spanish_words_are_stemmed_as_spanish(library):
    # "dolor" finds "dolores", "rígido" finds "rígidos": Spanish stemming, not English.
    assert _results(reader("es").get("/search/?q=dolor").content.decode()) == ["heat-helps"]
    assert _results(reader("es").get("/search/?q=rígido").content.decode()) == ["heat-helps"]


def test_a_search_in_spanish_sends_one_query_more_than_in_english(library):
    counts = []
    for client, query in ((reader("en"), "heat"), (reader("es"), "calor")):
        client.get("/")  # the session and the kept fragments, once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/search/?q={query}").status_code == 200
        counts.append(len(captured))
    assert counts[1] == counts[0] + 1  # the Spanish titles and summaries of the hits (education.translation)


def test_a_word_typed_without_its_accents_finds_the_one_with_them(library):
    """Phones make accents a long press: "musculos" for "músculos", "rigidos" for "rígidos". On SQLite too (the
    development database of `make run`), where it found nothing before stop 28."""
    html = reader("es").get("/search/?q=musculos+rigidos").content.decode()
    assert _results(html) == ["heat-helps"]
    assert "<mark>músculos</mark>" in html  # the word as the article spells it, marked
    assert _results(reader("es").get("/search/?q=M%C3%9ASCULOS").content.decode()) == ["heat-helps"]  # MÚSCULOS


def test_a_word_sent_with_a_separate_accent_mark_is_one_word(library):
    """A phone may send "músculos" as "mu" + a combining accent + "sculos" (NFD): it was searched as two words."""
    decomposed = "mu\u0301sculos rigidos"
    html = reader("es").get("/search/", {"q": decomposed}).content.decode()
    assert _results(html) == ["heat-helps"]
    assert 'value="músculos rigidos"' in html  # shown back as one word


def test_an_article_found_in_both_languages_shows_its_spanish_snippet(library):
    _heat, ice = library
    ice.title = "Ice or heat after yoga"
    ice.save()
    ice.refresh_from_db()
    _translate(ice, title="¿Hielo o calor?", summary="Cuál usar.", body="Después del yoga, el frío primero.")
    approve_translations()
    html = reader("es").get("/search/?q=yoga").content.decode()
    assert _results(html) == ["ice-or-heat"]
    snippet = re.search(r'<p class="snippet[^"]*">(.*?)</p>', html, re.S)
    assert snippet is not None
    assert "frío primero" in snippet.group(1)


def test_a_word_in_the_spanish_title_a_reader_sees_ranks_that_hit_above_the_word_in_another_text(settings):
    """The title a Spanish reader sees lifts a hit as the English title lifts it for an English reader (SQLite read
    the English title only, found in review)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    in_title = ArticleFactory.create(title="Runners' joints", slug="runners-joints", body="Rest.")
    in_text = ArticleFactory.create(title="Arm exercises", slug="arm-exercises", body="Rest.")
    _translate(in_title, title="La rodilla del corredor", summary="Para corredores.", body="Descanse.")
    _translate(in_text, title="Ejercicios suaves", summary="Para todos.", body="Cuide la rodilla en la escalera.")
    approve_translations()
    html = reader("es").get("/search/?q=rodilla").content.decode()
    assert _results(html) == ["runners-joints", "arm-exercises"]


@pytest.mark.parametrize(
    ("change", "english_title_seen"),
    [(None, False), (edit_translation_after_approval, True), (change_english_after_translation, True)],
    ids=["translation approved as it stands", "translation edited since", "translation of older english"],
)
def test_an_english_title_lifts_a_hit_only_for_a_reader_who_sees_that_title(settings, change, english_title_seen):
    """A Spanish reader who may read an article's translation sees its Spanish title, not the English one, so a word
    of the English title does not lift it above a hit in another article's text. One who may not (its words changed
    since a reviewer approved them, or made from older English: education.translation.is_shown) sees the English
    title, which lifts it as for an English reader."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    knee = ArticleFactory.create(title="Knee pain", slug="knee-pain", summary="What helps.", body="Ice and rest help.")
    ArticleFactory.create(
        title="Braces and supports",
        slug="braces",
        summary="What to wear.",
        body="A brace can support a sore knee. Ask us before you buy a knee brace.",
    )
    _translate(knee, title="Dolor de rodilla", summary="Qué ayuda.", body="El hielo y el descanso ayudan.")
    approve_translations()
    if change is not None:
        change(knee)
    lifted = ["knee-pain", "braces"]
    assert _results(reader("es").get("/search/?q=knee").content.decode()) == (
        lifted if english_title_seen else ["braces", "knee-pain"]
    )
    assert _results(reader("en").get("/search/?q=knee").content.decode()) == lifted
