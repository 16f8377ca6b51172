"""Every public page costs the same few queries at 3 articles as at 30 (issue 16: at most two of its own).

Measured with the public-page cache off, so each request renders. "Warm": the topic list and its counts are already
known in this process (education/selectors.library(), counted once per change of the library). "Cold": the first
request after a change counts them (one query more, once).

The library of 30 articles is built once for the module (tests/module_data.py: about 2 s a test when each built its
own, twice for the cold and warm ones); a test that needs 3 deletes the other 27, and its changes are rolled back.
"""

from __future__ import annotations

import pytest
from django.db import connection

from education import cache
from education.models import Article
from tests.education.factories import ArticleFactory, TopicFactory
from tests.module_data import built_for_module

pytestmark = pytest.mark.django_db

# The article page is one statement on PostgreSQL; on SQLite (`make run`, `make test` without DATABASE_URL) the ORM
# reads it in two (education.selectors.article_for_page).
ARTICLE_PAGE = 1 if connection.vendor == "postgresql" else 2

PAGES = [
    ("/", 1),  # featured articles (with their topic ids)
    ("/articles/", 1),  # a page of articles by title
    ("/articles/?after=back-care-1&page=2", 1),  # the next page, by key
    ("/topics/topic-a/", 1),  # a page of the topic's articles
    ("/articles/the-article/", ARTICLE_PAGE),  # the article with its topic ids and its published related articles
    ("/search/?q=back", 1),  # ranked, counted, cut to a page and its snippets made, in one query
    ("/search/?q=", 0),  # the topic list only
    ("/sitemap.xml", 0),  # the index: its sections' pages from the count of the topic list
    ("/sitemap-pages.xml", 0),  # home and the article list, in the languages the topic list says they may be read
    ("/sitemap-topics.xml", 0),  # the topic list
    ("/sitemap-articles.xml", 1),  # the published articles with their translations' state
]
# Every page but a search with words shows topics (a card's, the topic list) or counts (pages, the sitemap).
WITHOUT_TOPIC_LIST = {"/search/?q=back"}
# In Spanish the lists page through an order worked out once per change of the library, as the topic list is counted
# (education.selectors.reading_order). One query more in Spanish: the article page reads the article's own
# translation, a search the hits' words in Spanish (education.translation).
SPANISH_LISTS = {"/articles/", "/articles/?after=back-care-1&page=2", "/topics/topic-a/"}
SPANISH_WORDS = {"/articles/the-article/", "/search/?q=back"}


@pytest.fixture(autouse=True)
def _render_every_request(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


LARGE = 30


def library(count: int) -> None:
    topic = TopicFactory.create(name="Topic A", slug="topic-a")
    other = TopicFactory.create(name="Topic B", slug="topic-b")
    others = [
        ArticleFactory.create(featured=True, topics=[topic, other], title=f"Back care {n}", slug=f"back-care-{n}")
        for n in range(count)
    ]
    ArticleFactory.create(slug="the-article", topics=[topic], related=others[:3], title="Back basics")


@pytest.fixture(scope="module", autouse=True)
def _large_library(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, lambda: library(LARGE))


def cut_to(count: int) -> None:
    """The library as patients would see `library(count)`: the back-care articles from `count` on taken offline (drafts
    again, in one UPDATE: deleting them kept a version of each for recovery, 0.07 s an article), then the change the
    public pages hear of; the article's three "Read next" stay."""
    assert count >= 3
    kept = [f"back-care-{n}" for n in range(count)]
    offline = Article.objects.filter(slug__startswith="back-care-").exclude(slug__in=kept)
    offline.update(status=Article.Status.DRAFT)
    cache.library_changed()
    assert Article.objects.published().count() == count + 1


def changed(count: int) -> None:
    """A change of the library, which then holds `count` articles: the cut, or an article saved (an editor's save)."""
    if count < LARGE:
        cut_to(count)
    else:
        Article.objects.get(slug="back-care-0").save()


def queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("path", "expected"), PAGES)
@pytest.mark.parametrize("count", [3, 30])
def test_each_public_page_costs_at_most_two_queries_of_its_own(client, path, expected, count):
    changed(count)
    client.get("/search/?q=")  # the topic list is counted once after the library changed
    assert queries(client, path) == expected


def cold_and_warm(client, path: str) -> tuple[list[int], list[int]]:
    """The queries of `path`'s first request after the library changed, and of the next, with 30 and with 3 articles."""
    cold, warm = [], []
    for count in (LARGE, 3):
        changed(count)
        cold.append(queries(client, path))
        warm.append(queries(client, path))
    return cold, warm


@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_the_cost_is_the_same_with_3_and_30_articles_and_the_first_request_after_a_change_adds_one(
    client, path, expected
):

    cold, warm = cold_and_warm(client, path)
    assert warm == [expected, expected]
    once = 0 if path in WITHOUT_TOPIC_LIST else 1
    assert cold == [expected + once, expected + once]


@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_in_spanish_the_cost_is_the_same_with_3_and_30_articles_and_a_list_works_out_its_order_once_after_a_change(
    path, expected
):
    from django.test import Client

    spanish = Client()
    spanish.cookies["django_language"] = "es"
    expected += 1 if path in SPANISH_WORDS else 0
    once = (0 if path in WITHOUT_TOPIC_LIST else 1) + (1 if path in SPANISH_LISTS else 0)
    cold, warm = cold_and_warm(spanish, path)
    assert warm == [expected, expected]
    assert cold == [expected + once, expected + once]


def test_the_page_cache_serves_a_kept_page_without_any_query(client, settings, django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    for path, _expected in PAGES:
        client.get(path)
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200
