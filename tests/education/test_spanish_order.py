"""Lists by title in the reader's language: a Spanish reader saw the cards in the order of their English titles, so
the Spanish titles they read looked unsorted. Every list by title is in the order of the title the reader sees (the
translation's where patients may read it, else the English), compared as a Spanish reader compares words ("Úlceras"
between "Tobillo" and "Vértebras", not after "Zapatillas"), and paging by key neither repeats nor skips an article."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from education import cache, selectors
from education.models import ArticleTranslation
from tests.education.factories import ArticleFactory, TopicFactory, approve_translations

pytestmark = pytest.mark.django_db

# (English title, Spanish title or None): the Spanish order is not the English one.
ARTICLES = [
    ("Ageing spine", "Vértebras y edad"),
    ("Ankle sprains", "Esguince de tobillo"),
    ("Back pain basics", "dolor de espalda: lo básico"),  # lower case: compared without case
    ("Core exercises", "Ejercicios para el abdomen"),
    ("Disc herniation", "Hernia de disco"),
    ("Neck stretches", None),  # no translation: read, and sorted, in English
    ("Pressure sores", "Úlceras por presión"),
    ("Running shoes", "Zapatillas para correr"),
    ("Sciatica", "Ciática: cuándo preocuparse"),
    ("Sleep positions", "Posturas para dormir"),
]
# What a Spanish reader sees, in the order they expect.
SPANISH_ORDER = [
    "Ciática: cuándo preocuparse",
    "dolor de espalda: lo básico",
    "Ejercicios para el abdomen",
    "Esguince de tobillo",
    "Hernia de disco",
    "Knee pain",  # its translation is not approved yet: the English is shown, and sorted where it reads
    "Neck stretches",
    "Posturas para dormir",
    "Úlceras por presión",
    "Vértebras y edad",
    "Zapatillas para correr",
]
ENGLISH_ORDER = sorted([english for english, _spanish in ARTICLES] + ["Knee pain"])


def reader(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def library():
    topic = TopicFactory.create(name="Back", slug="back")
    articles = []
    for english, spanish in ARTICLES:
        slug = re.sub(r"\W+", "-", english.lower())
        article = ArticleFactory.create(title=english, slug=slug, topics=[topic], featured=True)
        articles.append(article)
        if spanish:
            translate(article, spanish)
    approve_translations()
    unapproved = ArticleFactory.create(title="Knee pain", slug="knee-pain", topics=[topic], featured=True)
    translate(unapproved, "Artrosis de rodilla")
    return [*articles, unapproved]


def translate(article, title: str) -> None:
    translation = ArticleTranslation(article=article, language="es", title=title, summary="Resumen.", body="Texto.")
    translation.record_source(article)
    translation.save()


def card_titles(page: str) -> list[str]:
    return [html.unescape(title) for title in re.findall(r'class="stretched-link" href="[^"]+">([^<]+)</a>', page)]


def link(page: str, name: str) -> str | None:
    found = re.search(rf'<a class="page-link" href="([^"]+)">{name}</a>', page)
    return html.unescape(found.group(1)) if found else None


def every_page(client: Client, path: str) -> tuple[list[str], list[str]]:
    """The titles of every page, following "Next" from the first page, then "Previous" back from the last."""
    forward, pages = [], []
    query: str | None = ""
    while query is not None:
        page = client.get(path + query).content.decode()
        pages.append(page)
        forward += card_titles(page)
        query = link(page, "Siguiente")
    backward: list[str] = []
    query = link(pages[-1], "Anterior")
    while query is not None:
        page = client.get(path + query).content.decode()
        backward = card_titles(page) + backward
        query = link(page, "Anterior")
    return forward, backward + card_titles(pages[-1])


@pytest.mark.parametrize("path", ["/articles/", "/topics/back/"])
def test_a_spanish_reader_sees_the_list_in_the_order_of_the_spanish_titles_they_read(library, path):
    assert card_titles(reader("es").get(path).content.decode()) == SPANISH_ORDER


@pytest.mark.parametrize("path", ["/articles/", "/topics/back/"])
def test_a_spanish_reader_paging_forward_and_back_sees_every_article_once_in_spanish_order(library, path, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    forward, backward = every_page(reader("es"), path)
    assert forward == SPANISH_ORDER
    assert backward == SPANISH_ORDER


def test_a_translation_approved_later_takes_its_spanish_place_in_the_list_at_once(library):
    spanish = reader("es")
    assert card_titles(spanish.get("/articles/").content.decode()) == SPANISH_ORDER  # the order worked out and kept
    approve_translations()  # "Knee pain" is "Artrosis de rodilla" from now on
    assert card_titles(spanish.get("/articles/").content.decode())[:2] == ["Artrosis de rodilla", SPANISH_ORDER[0]]


def test_an_article_whose_english_changed_since_its_translation_is_sorted_by_the_english_it_shows(library):
    ageing = library[0]  # "Vértebras y edad" until its English changed
    ageing.title = "Ageing spine and discs"
    ageing.save()
    titles = card_titles(reader("es").get("/articles/").content.decode())
    assert titles == ["Ageing spine and discs", *SPANISH_ORDER[:-2], SPANISH_ORDER[-1]]


def test_an_english_reader_of_the_same_address_still_sees_the_english_order(library):
    reader("es").get("/articles/")  # kept for Spanish readers: an English reader gets a page of their own
    assert card_titles(reader("en").get("/articles/").content.decode()) == ENGLISH_ORDER


def test_a_spanish_reader_sees_read_next_in_the_order_of_the_spanish_titles(library):
    article = ArticleFactory.create(title="Back to running", slug="back-to-running", related=library)
    page = reader("es").get(article.get_absolute_url()).content.decode()
    read_next = re.findall(r'<li(?: lang="en")?><a href="/articles/[^"]+/">([^<]+)</a><br>', page)
    assert [html.unescape(title) for title in read_next] == SPANISH_ORDER


def test_a_spanish_reader_sees_featured_articles_of_the_same_moment_in_spanish_order(library):
    from education.models import Article

    Article.objects.update(published_at=library[0].published_at)  # one moment: the title decides
    cache.library_changed()  # a write that bypassed the models
    featured = card_titles(reader("es").get("/").content.decode())
    assert featured == SPANISH_ORDER[: selectors.FEATURED_LIMIT]


def test_a_spanish_reader_sees_equally_good_search_results_in_the_order_of_the_spanish_titles(library):
    def hits(page: int) -> list[str]:
        found = reader("es").get("/search/", {"q": "walk", "page": str(page)}).content.decode()
        titles = re.findall(r'<h2 class="h5"><a href="/articles/[^"]+/">([^<]+)</a>', found)
        return [html.unescape(title) for title in titles]

    # Every article has the word once, in the same English text: none ranks above another, so the titles decide.
    assert hits(1) + hits(2) == SPANISH_ORDER


def test_a_spanish_reader_sees_the_topics_in_the_order_of_their_spanish_names():
    from education.models import TopicTranslation

    topics = []
    for english, spanish in (("Shoes", "Zapatillas"), ("Ulcers", "Úlceras"), ("Vertebrae", "Vértebras")):
        topic = TopicFactory.create(name=english, slug=english.lower())
        TopicTranslation.objects.create(topic=topic, language="es", name=spanish)
        topics.append(topic)
    ArticleFactory.create(title="Everything", slug="everything", topics=topics)
    page = reader("es").get("/articles/").content.decode()
    menu = re.findall(r'<a href="/topics/[^"]+/"[^>]*>([^<\n]+)', page)
    tags = re.findall(r'<li class="list-inline-item"[^>]*>([^<]+)</li>', page)
    assert [html.unescape(name) for name in menu] == ["Úlceras", "Vértebras", "Zapatillas"]
    assert [html.unescape(name) for name in tags] == ["Úlceras", "Vértebras", "Zapatillas"]
