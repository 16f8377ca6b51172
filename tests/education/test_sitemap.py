"""sitemap.xml and robots.txt: what search engines are told to read, in which languages, and when it last changed."""

from __future__ import annotations

import datetime
from xml.etree import ElementTree

import pytest

from education.models import Article, ArticleTranslation, TopicTranslation
from education.translation_approval import approve_release, approve_translation
from tests.education.factories import ArticleFactory, TopicFactory, approve_translations

pytestmark = pytest.mark.django_db


def test_robots_txt_points_crawlers_to_the_sitemap_and_away_from_private_pages(client, settings):
    """It answered 404: crawlers had no sitemap to find and nothing asking them to keep out of the patient's form."""
    settings.SITE_URL = "https://portal.example"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/intake/", "/staff/", "/admin/", "/search/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: https://portal.example/sitemap.xml" in lines


# --- What the sitemap lists: every page in each language patients may read it in, with its versions named ---------

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ORIGIN = "http://testserver"


def parsed(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 - our own server's answer in a test, not untrusted input


def sitemap_sections(client) -> list[bytes]:
    """Each sitemap the index at /sitemap.xml names, as the server answers it."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    found = []
    for loc in parsed(index.content).iter(f"{SITEMAP}loc"):
        assert (loc.text or "").startswith(ORIGIN), loc.text
        response = client.get((loc.text or "").removeprefix(ORIGIN))
        assert response.status_code == 200
        found.append(response.content)
    return found


def sitemap_text(client) -> str:
    """Every section of the sitemap, as one text: what a search engine that reads the index is told."""
    return "".join(section.decode() for section in sitemap_sections(client))


def sitemap_entries(client) -> dict[str, dict[str, object]]:
    """Each <url> of the sitemap's sections by its address (without the origin): its `lastmod` (or None) and its
    `alternates` ({hreflang: address without the origin})."""
    entries: dict[str, dict[str, object]] = {}
    urls = [url for section in sitemap_sections(client) for url in parsed(section).iter(f"{SITEMAP}url")]
    for url in urls:
        loc = url.findtext(f"{SITEMAP}loc", "")
        assert loc.startswith(ORIGIN), loc
        alternates = {
            link.get("hreflang"): (link.get("href") or "").removeprefix(ORIGIN) for link in url.iter(f"{XHTML}link")
        }
        assert loc.removeprefix(ORIGIN) not in entries, f"{loc} is listed once"
        entries[loc.removeprefix(ORIGIN)] = {"lastmod": url.findtext(f"{SITEMAP}lastmod"), "alternates": alternates}
    return entries


def translate(article, *, approve: bool = True) -> ArticleTranslation:
    translation = ArticleTranslation(
        article=article, language="es", title="Título", summary="Resumen.", body="Palabras en español."
    )
    translation.record_source(article)
    translation.save()
    if approve:
        approve_translations()
    return translation


def both(path: str) -> dict[str, str]:
    return {"en": path, "es": f"{path}?lang=es", "x-default": path}


def test_an_article_patients_may_read_in_spanish_is_listed_at_its_spanish_address_with_both_versions_named(client):
    read = ArticleFactory.create(slug="read-in-spanish")
    waiting = ArticleFactory.create(slug="translation-not-approved")
    english = ArticleFactory.create(slug="english-only")
    translate(read)
    translate(waiting, approve=False)
    entries = sitemap_entries(client)
    assert entries["/articles/read-in-spanish/"]["alternates"] == both("/articles/read-in-spanish/")
    assert entries["/articles/read-in-spanish/?lang=es"]["alternates"] == both("/articles/read-in-spanish/")
    for unread in (waiting, english):
        assert entries[f"/articles/{unread.slug}/"]["alternates"] == {}
        assert f"/articles/{unread.slug}/?lang=es" not in entries


def test_a_translation_made_from_older_english_is_not_listed(client, editor, reviewer):
    article = ArticleFactory.create(slug="changed-english")
    translate(article)
    article.body = "New English words, not yet translated."
    article.save()
    entries = sitemap_entries(client)
    assert "/articles/changed-english/?lang=es" not in entries
    assert entries["/articles/changed-english/"]["alternates"] == {}


def test_the_home_page_list_and_topics_are_listed_in_spanish_where_their_pages_name_a_spanish_version(client):
    named = TopicFactory.create(name="Running", slug="running")
    TopicTranslation.objects.create(topic=named, language="es", name="Correr")
    unnamed = TopicFactory.create(name="Sciatica", slug="sciatica")
    entries = sitemap_entries(client)
    assert entries["/"]["alternates"] == both("/")  # its own words are translated: always
    assert "/articles/?lang=es" not in entries  # nothing to read in Spanish yet
    translate(ArticleFactory.create(slug="running-in-spanish", topics=[named, unnamed]))
    entries = sitemap_entries(client)
    assert entries["/?lang=es"]["alternates"] == both("/")
    assert entries["/articles/?lang=es"]["alternates"] == both("/articles/")
    assert entries["/topics/running/?lang=es"]["alternates"] == both("/topics/running/")
    assert "/topics/sciatica/?lang=es" not in entries  # no Spanish name: its Spanish page is English headings
    assert entries["/topics/sciatica/"]["alternates"] == {}


# --- lastmod: when what the page shows last changed ------------------------------------------------------------------

DAY = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)


def on_day(time_machine, day: int) -> None:
    time_machine.move_to(DAY + datetime.timedelta(days=day - 1), tick=False)


def lastmods(client, slug: str) -> tuple[object, object]:
    entries = sitemap_entries(client)
    spanish = entries.get(f"/articles/{slug}/?lang=es")
    return entries[f"/articles/{slug}/"]["lastmod"], spanish["lastmod"] if spanish else None


def test_the_spanish_address_is_last_modified_when_its_translation_was_released(
    client, time_machine, reviewer, committed
):
    on_day(time_machine, 1)
    article = ArticleFactory.create(slug="heat", published_at=DAY - datetime.timedelta(days=1))
    on_day(time_machine, 3)
    with committed():
        translation = translate(article, approve=False)
    assert lastmods(client, "heat") == ("2026-10-01", None)  # not released: not listed
    on_day(time_machine, 5)  # the English page names it from then on too
    with committed():
        approve_translation(translation, reviewer=reviewer)
    assert lastmods(client, "heat") == ("2026-10-05", "2026-10-05")
    on_day(time_machine, 8)  # new words, approved: what Spanish readers read changed that day
    translation.body = "Otras palabras en español."
    with committed():
        translation.save()
    on_day(time_machine, 9)
    with committed():
        approve_translation(translation, reviewer=reviewer)
    assert lastmods(client, "heat")[1] == "2026-10-09"
    on_day(time_machine, 11)  # the English article's own change (its review dates) shows on both pages
    article.next_review_due = datetime.date(2027, 12, 1)
    with committed():
        article.save()
    assert lastmods(client, "heat") == ("2026-10-11", "2026-10-11")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a change's transaction leaves for its commit (education/page_changes.py writes `page_changed_at`
    then), as the commit would: a test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_english_address_is_last_modified_when_its_spanish_version_comes_or_goes(
    client, time_machine, reviewer, committed
):
    """The English page's head names its Spanish version (hreflang) only while patients may read it: the day that
    starts or stops, the English page changed too. Its lastmod stayed the article's own, the Spanish version's
    coming unsaid. A new release approved over approved words changes the Spanish page only."""
    on_day(time_machine, 1)
    article = ArticleFactory.create(slug="heat", published_at=DAY - datetime.timedelta(days=1))
    on_day(time_machine, 3)
    with committed():
        translation = translate(article, approve=False)
    assert lastmods(client, "heat") == ("2026-10-01", None)  # not released: not named
    on_day(time_machine, 5)
    with committed():
        approve_translation(translation, reviewer=reviewer)
    assert lastmods(client, "heat") == ("2026-10-05", "2026-10-05")
    on_day(time_machine, 7)  # a release approved in place of approved words: the Spanish version never went
    translation.refresh_from_db()
    release = {"title": "Calor", "summary": "Resumen nuevo.", "body": "Palabras nuevas."}
    translation.new_release = {**release, "over": translation.content_sha256, "english": translation.source_sha256}
    translation.save()
    with committed():
        approve_release(translation, reviewer=reviewer)
    assert lastmods(client, "heat") == ("2026-10-05", "2026-10-07")
    on_day(time_machine, 8)  # its words changed, not yet approved: patients read the English, named alone
    translation.refresh_from_db()
    translation.body = "Otras palabras en español."
    with committed():
        translation.save()
    assert lastmods(client, "heat") == ("2026-10-08", None)
    on_day(time_machine, 9)
    with committed():
        approve_translation(translation, reviewer=reviewer)
    assert lastmods(client, "heat") == ("2026-10-09", "2026-10-09")
    on_day(time_machine, 10)  # deleted: the English page names no Spanish version any more
    with committed():
        translation.delete()
    assert lastmods(client, "heat") == ("2026-10-10", None)


def test_an_article_is_last_modified_when_its_topics_change(client, time_machine, reviewer, committed):
    on_day(time_machine, 1)
    running = TopicFactory.create(name="Running", slug="running")
    sciatica = TopicFactory.create(name="Sciatica", slug="sciatica")
    article = ArticleFactory.create(slug="heat", published_at=DAY - datetime.timedelta(days=1))
    translate(article)
    ArticleFactory.create(slug="other", topics=[sciatica], published_at=DAY - datetime.timedelta(days=1))
    on_day(time_machine, 2)
    with committed():
        article.topics.add(running)
    assert lastmods(client, "heat") == ("2026-10-02", "2026-10-02")
    on_day(time_machine, 3)  # from the topic's side
    with committed():
        sciatica.articles.add(article)
    assert lastmods(client, "heat") == ("2026-10-03", "2026-10-03")
    on_day(time_machine, 4)  # a topic renamed: the page shows its name
    running.name = "Running and jogging"
    with committed():
        running.save()
    assert lastmods(client, "heat") == ("2026-10-04", "2026-10-04")
    assert lastmods(client, "other") == ("2026-10-01", None)  # not in that topic
    on_day(time_machine, 5)  # its Spanish name: shown on the Spanish page
    with committed():
        TopicTranslation.objects.create(topic=running, language="es", name="Correr")
    assert lastmods(client, "heat")[1] == "2026-10-05"
    on_day(time_machine, 6)
    with committed():
        running.articles.clear()
    assert lastmods(client, "heat") == ("2026-10-06", "2026-10-06")
    on_day(time_machine, 7)  # a topic deleted leaves the pages of its articles
    with committed():
        sciatica.delete()
    assert lastmods(client, "heat") == ("2026-10-07", "2026-10-07")
    assert lastmods(client, "other") == ("2026-10-07", None)


def test_an_article_is_last_modified_when_its_read_next_list_changes(client, time_machine, committed):
    on_day(time_machine, 1)
    article = ArticleFactory.create(slug="heat", published_at=DAY - datetime.timedelta(days=1))
    next_read = ArticleFactory.create(slug="next-read", published_at=DAY - datetime.timedelta(days=1))
    on_day(time_machine, 2)
    with committed():
        article.related.add(next_read)
    assert lastmods(client, "heat") == ("2026-10-02", None)
    on_day(time_machine, 4)  # its title, shown under "Read next"
    next_read.title = "A better title"
    with committed():
        next_read.save()
    assert lastmods(client, "heat") == ("2026-10-04", None)
    on_day(time_machine, 5)  # deleted: gone from the list
    with committed():
        next_read.delete()
    assert lastmods(client, "heat") == ("2026-10-05", None)


def test_a_sitemap_kept_between_the_commit_and_the_lastmod_write_is_not_served_after_it(
    client, time_machine, django_capture_on_commit_callbacks
):
    """The page cache's generation changes when the change commits, before `page_changed_at` is written (also on
    commit, after it): a sitemap made in between was kept with the old `lastmod` under the new generation."""
    on_day(time_machine, 1)
    article = ArticleFactory.create(slug="heat", published_at=DAY - datetime.timedelta(days=1))
    next_read = ArticleFactory.create(slug="next-read", published_at=DAY - datetime.timedelta(days=1))
    on_day(time_machine, 2)
    with django_capture_on_commit_callbacks() as on_commit:
        article.related.add(next_read)
    *first, last = on_commit
    for callback in first:  # the page cache's new generation, among others
        callback()
    assert lastmods(client, "heat") == ("2026-10-01", None)  # made and kept before the write
    last()  # page_changed_at written
    assert lastmods(client, "heat") == ("2026-10-02", None)


def test_the_sitemap_costs_one_query_with_3_or_30_articles_read_in_spanish(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    counted = []
    for count in (3, 30):
        Article.objects.all().delete()
        topic = TopicFactory.create(name="Running", slug="running")
        TopicTranslation.objects.get_or_create(topic=topic, language="es", defaults={"name": "Correr"})
        for n in range(count):
            translate(ArticleFactory.create(slug=f"article-{count}-{n}", topics=[topic]), approve=False)
        approve_translations()
        client.get("/sitemap.xml")  # the topic list is counted once after the library changed
        with CaptureQueriesContext(connection) as captured:
            entries = sitemap_entries(client)
        assert sum(path.endswith("?lang=es") and "/articles/" in path for path in entries) == count + 1
        counted.append(len(captured))
    assert counted == [1, 1]  # the index and three sections: the articles' is the one query


def test_the_index_names_every_page_of_the_articles_section(client, monkeypatch):
    """A sitemap holds at most 50,000 addresses: the articles' section is cut into pages of articles (25,000, each in
    up to two languages), and the index names every page. Before, /sitemap.xml was one sitemap: past 50,000
    articles, the rest were on pages nothing named."""
    from education.sitemaps import ArticleSitemap

    assert ArticleSitemap.limit * 2 <= 50_000
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for n in range(5):
        translate(ArticleFactory.create(slug=f"article-{n}"))
    index = [loc.text for loc in parsed(client.get("/sitemap.xml").content).iter(f"{SITEMAP}loc")]
    assert index == [
        f"{ORIGIN}/sitemap-pages.xml",
        f"{ORIGIN}/sitemap-topics.xml",
        f"{ORIGIN}/sitemap-articles.xml",
        f"{ORIGIN}/sitemap-articles.xml?p=2",
        f"{ORIGIN}/sitemap-articles.xml?p=3",
    ]
    last = client.get("/sitemap-articles.xml?p=3").content.decode()
    assert "/articles/article-4/</loc>" in last
    assert "/articles/article-4/?lang=es</loc>" in last
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    entries = sitemap_entries(client)
    assert all(f"/articles/article-{n}/?lang=es" in entries for n in range(5))


def test_the_sections_say_what_djangos_sitemap_template_says(client):
    """The sections are written out directly (education/sitemaps.py `urlset_xml`: Django's template took 17 s for the
    50,000 addresses of a page, at 100,000 articles), in the same XML as Django's template for the same addresses."""
    from django.contrib.sites.requests import RequestSite
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from education.sitemaps import SITEMAPS

    running = TopicFactory.create(name="Running", slug="running")
    TopicTranslation.objects.create(topic=running, language="es", name="Correr")
    translate(ArticleFactory.create(slug="heat", topics=[running]))
    ArticleFactory.create(slug="english-only", topics=[running])
    for section in SITEMAPS:
        ours = client.get(f"/sitemap-{section}.xml")
        assert ours["Content-Type"] == "application/xml"
        assert ours["X-Robots-Tag"] == "noindex, noodp, noarchive"
        urlset = SITEMAPS[section]().get_urls(site=RequestSite(RequestFactory().get("/")), protocol="http")
        djangos = render_to_string("sitemap.xml", {"urlset": urlset}).encode()
        assert canonical(ours.content) == canonical(djangos), section


def canonical(content: bytes) -> list[tuple[str, dict[str, str], str]]:
    return [(element.tag, dict(element.attrib), (element.text or "").strip()) for element in parsed(content).iter()]
