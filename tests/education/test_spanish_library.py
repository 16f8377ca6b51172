"""The library in the reader's language (found by an audit: a Spanish reader's home, lists and topics were English):
cards, related articles and search results in Spanish where patients may read the translation, topic names in
Spanish, English shown where there is none and marked `lang="en"`, and no query more than in English."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from education.models import ArticleTranslation, Topic, TopicTranslation
from education.services import load_starter_library
from tests.education.factories import ArticleFactory, TopicFactory, approve_translations

pytestmark = pytest.mark.django_db


def reader(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def library(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    running = TopicFactory.create(name="Running", slug="running")
    TopicTranslation.objects.create(topic=running, language="es", name="Correr", description="Para corredores.")
    untranslated_topic = TopicFactory.create(name="Gear", slug="gear")
    heat = ArticleFactory.create(
        title="Heat helps", slug="heat-helps", summary="Use heat.", topics=[running, untranslated_topic], featured=True
    )
    ice = ArticleFactory.create(
        title="Ice or heat", slug="ice-or-heat", summary="Which one.", topics=[running], featured=True, related=[heat]
    )
    for article, title, summary in ((heat, "El calor ayuda", "Use calor."),):
        translation = ArticleTranslation(article=article, language="es", title=title, summary=summary, body="Calor.")
        translation.record_source(article)
        translation.save()
    approve_translations()
    return heat, ice


def card_html(html: str, slug: str) -> str:
    match = re.search(
        rf'<article class="article-card[^"]*"[^>]*>(?:(?!</article>).)*/articles/{slug}/.*?</article>', html, re.S
    )
    assert match is not None, slug
    return match.group(0)


@pytest.mark.parametrize("path", ["/", "/articles/", "/topics/running/"])
def test_a_spanish_reader_sees_the_cards_in_spanish_and_the_untranslated_one_in_marked_english(library, path):
    html = reader("es").get(path).content.decode()
    spanish = card_html(html, "heat-helps")
    assert "El calor ayuda" in spanish
    assert "Use calor." in spanish
    assert 'lang="en"' not in spanish.split(">")[0]
    english = card_html(html, "ice-or-heat")
    assert "Ice or heat" in english
    assert english.startswith('<article class="article-card card h-100" lang="en">')
    assert ">Correr</li>" in spanish  # the topic's own Spanish name
    assert '<li class="list-inline-item" lang="en">Gear</li>' in spanish  # none yet: English, marked


def test_an_english_reader_sees_the_english_and_no_language_marks(library):
    html = reader("en").get("/").content.decode()
    assert "Heat helps" in html
    assert "El calor ayuda" not in html
    assert "Correr" not in html
    assert 'article-card card h-100" lang=' not in html
    assert '<li class="list-inline-item" lang=' not in html


def test_topic_pages_and_menus_name_the_topic_in_spanish(library):
    html = reader("es").get("/topics/running/").content.decode()
    assert "<h1>Correr</h1>" in html
    assert "Para corredores." in html
    assert re.search(r'<li><a href="/topics/running/" aria-current="page">Correr', html)


def test_a_topic_with_no_spanish_name_has_all_its_english_words_marked_as_english(library):
    # Its name in the heading was marked, its description and the breadcrumb's last step were not: a screen reader
    # read the English sentence with Spanish sounds.
    gear = Topic.objects.get(slug="gear")
    gear.description = "Shoes, watches and other kit."
    gear.save()
    html = reader("es").get("/topics/gear/").content.decode()
    assert '<h1 lang="en">Gear</h1>' in html
    assert '<p class="lead" lang="en">Shoes, watches and other kit.</p>' in html
    assert '<li class="breadcrumb-item active" aria-current="page" lang="en">Gear</li>' in html
    translated = reader("es").get("/topics/running/").content.decode()
    assert '<p class="lead">Para corredores.</p>' in translated
    assert '<li class="breadcrumb-item active" aria-current="page">Correr</li>' in translated


def test_read_next_on_an_article_page_is_in_spanish_where_it_may_be(library):
    html = reader("es").get("/articles/ice-or-heat/").content.decode()
    assert re.search(r'<li><a href="/articles/heat-helps/">El calor ayuda</a><br><span[^>]*>Use calor\.</span>', html)


def test_the_sources_under_an_article_in_spanish_are_marked_as_english(library):
    # A translation has no sources of its own: the article's English references are listed under the Spanish words,
    # and a screen reader read them with Spanish sounds.
    sources = re.compile(r'<section class="article-sources"[^>]*>.*?<ol( lang="en")?><li>First source\.</li>', re.S)
    for path in ("/articles/heat-helps/", "/articles/ice-or-heat/"):  # translated, and English with a notice
        found = sources.search(reader("es").get(path).content.decode())
        assert found is not None
        assert found.group(1) == ' lang="en"', path
    found = sources.search(reader("en").get("/articles/heat-helps/").content.decode())
    assert found is not None
    assert found.group(1) is None


def test_the_authors_name_under_an_article_in_spanish_is_marked_as_english(library):
    # "Escrito por Education team": the team's English name was read with Spanish sounds (WCAG 3.1.2).
    for path in ("/articles/heat-helps/", "/articles/ice-or-heat/"):  # translated, and English with a notice
        html = reader("es").get(path).content.decode()
        assert 'Escrito por <span lang="en">Education team</span>' in html, path
    html = reader("en").get("/articles/heat-helps/").content.decode()
    assert "Written by Education team" in html
    article = html.split('<article class="article"', 1)[1].split("</article>")[0]
    assert 'lang="en"' not in article  # nothing to mark on an English page


def test_search_results_are_shown_in_spanish_where_they_may_be(library):
    html = reader("es").get("/search/?q=heat").content.decode()
    assert '<a href="/articles/heat-helps/">El calor ayuda</a>' in html
    assert re.search(r'<li class="search-result" lang="en">\s*<h2 class="h5"><a href="/articles/ice-or-heat/">', html)


def test_an_unapproved_translation_leaves_the_card_in_english(library):
    heat, _ice = library
    translation = ArticleTranslation.objects.get(article=heat)
    translation.title = "Un cambio sin revisar"
    translation.save()
    html = reader("es").get("/articles/").content.decode()
    assert "Un cambio sin revisar" not in html
    assert card_html(html, "heat-helps").startswith('<article class="article-card card h-100" lang="en">')


@pytest.mark.parametrize("path", ["/", "/articles/", "/topics/running/", "/articles/ice-or-heat/"])
def test_a_page_in_spanish_sends_no_more_queries_than_in_english(library, path):
    english, spanish = reader("en"), reader("es")
    english.get(path)  # the topic list counted once
    spanish.get(path)  # and the lists' Spanish order worked out once (education.selectors.reading_order)
    counts = []
    for client in (english, spanish):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts.append(len(captured))
    extra = 1 if path.startswith("/articles/ice") else 0  # the article's own translation (education.translation)
    assert counts[1] == counts[0] + extra


def test_the_starter_topics_come_with_their_spanish_names_and_an_editors_name_is_kept():
    load_starter_library()
    assert TopicTranslation.objects.get(topic__slug="red-flags", language="es").name == "Señales de alerta"
    TopicTranslation.objects.filter(topic__slug="running").update(name="Running (correr)")
    load_starter_library()
    assert TopicTranslation.objects.get(topic__slug="running", language="es").name == "Running (correr)"
