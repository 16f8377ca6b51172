"""Searching the library: the best article first, hits highlighted, nothing a visitor types becomes markup."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings

from education.models import Article
from tests.education.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def result_slugs(html: str) -> list[str]:
    return re.findall(r'<h2 class="h5"><a href="/articles/([\w-]+)/">', html)


@pytest.mark.usefixtures("starter_library_for_class")
class TestTheStarterLibrary:
    """Searches of the starter library share one load of it (tests/education/conftest.py)."""

    @pytest.mark.usefixtures("on_postgresql")
    @pytest.mark.parametrize(
        ("query", "expected_first"),
        [
            ("sciatica", "sciatica-explained-for-runners"),
            ("shoes", "form-surfaces-and-shoes"),
            ("bladder", "cauda-equina-warning-signs"),
            ("scan", "do-i-need-a-scan"),
            ("running shoes", "form-surfaces-and-shoes"),
        ],
    )
    def test_full_text_search_ranks_the_expected_starter_article_first(self, client, query, expected_first):
        html = client.get("/search/", {"q": query}).content.decode()
        assert result_slugs(html)[0] == expected_first

    def test_search_finds_the_sciatica_article_first_on_any_database(self, client):
        html = client.get("/search/", {"q": "sciatica"}).content.decode()
        slugs = result_slugs(html)
        assert slugs[0] == "sciatica-explained-for-runners"
        assert "cauda-equina-warning-signs" in slugs
        assert "<mark>" in html


def test_snippets_highlight_hits_and_escape_whatever_the_article_text_contains(client):
    ArticleFactory.create(title="Plain", body='Back pain <b onclick="x()">loud</b> <script>alert(1)</script> happens.')
    html = client.get("/search/", {"q": "pain"}).content.decode()
    snippet = re.search(r'<p class="snippet[^"]*">(.*?)</p>', html, re.DOTALL)
    assert snippet is not None
    text = snippet.group(1)
    assert re.search(r"<mark>pain</mark>", text, re.IGNORECASE)
    # PostgreSQL's ts_headline drops tag-like text, the SQLite fallback shows it escaped; either way the only
    # markup in a snippet is our own <mark>.
    assert "<" not in re.sub(r"</?mark>", "", text)
    assert "alert(1)" in text


def test_what_the_visitor_typed_is_shown_back_escaped(client):
    html = client.get("/search/", {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "No articles found" in html


def test_drafts_never_appear_in_search_results(client):
    ArticleFactory.create(title="Secret shoes draft", status=Article.Status.DRAFT)
    ArticleFactory.create(title="Public shoes guide")
    html = client.get("/search/", {"q": "shoes"}).content.decode()
    assert "Public shoes guide" in html
    assert "Secret shoes draft" not in html


def test_an_empty_search_offers_topics_instead_of_results(client):
    from tests.education.factories import TopicFactory

    ArticleFactory.create(topics=[TopicFactory.create(name="Running", slug="running")])
    response = client.get("/search/", {"q": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Browse by topic" in html
    assert "found for" not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_the_header_search_box_on_every_page_sends_q_to_the_search_page(client):
    html = client.get("/articles/").content.decode()
    assert re.search(r'<form[^>]*role="search"[^>]*method="get"[^>]*action="/search/"', html)
    assert 'name="q"' in html


def test_the_header_search_box_shows_each_visitors_own_search_escaped_and_no_one_elses(client):
    searched = client.get("/search/", {"q": "<b>\"back'&"}).content.decode()
    boxes = re.findall(r'id="(?:phone|desktop)-search-q" name="q"[^>]*value="([^"]*)"', searched)
    assert boxes == ["&lt;b&gt;&quot;back&#x27;&amp;"] * 2
    # The header is kept once for every visitor: the next page shows an empty box, not the last visitor's words.
    later = client.get("/articles/").content.decode()
    assert re.findall(r'id="(?:phone|desktop)-search-q" name="q"[^>]*value="([^"]*)"', later) == ["", ""]


@pytest.mark.usefixtures("on_postgresql")
def test_a_snippet_marks_a_hit_far_into_a_long_article_and_one_spelled_unlike_its_stem(client):
    filler = "\n\n".join(f"Paragraph {n} is about gentle walking and sleep." for n in range(80))
    ArticleFactory.create(title="Long read", body=f"{filler}\n\nLate in the text: sciatica settles.")
    ArticleFactory.create(title="Another", body=f"{filler}\n\nA small injury heals.")  # "injury" is kept as "injuri"
    for query, word in (("sciatica", "sciatica"), ("injuries", "injury")):
        html = client.get("/search/", {"q": query}).content.decode()
        snippet = re.search(r'<p class="snippet[^"]*">(.*?)</p>', html, re.DOTALL)
        assert snippet is not None
        assert f"<mark>{word}</mark>" in snippet.group(1)


@pytest.mark.usefixtures("on_postgresql")
def test_the_portals_connections_start_every_scan_of_a_large_table_at_its_first_page():
    # Search ranks the first matches a scan meets: with synchronized scans, a scan joining another midway met other
    # matches, so the same words gave different results (and page 2 came from another candidate set) under load.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronize_seqscans")
        assert cursor.fetchone() == ("off",)


@pytest.mark.usefixtures("on_postgresql")
def test_the_portals_connections_never_compile_a_query_just_in_time():
    # A staff list's query costed past jit_above_cost spent 150-400 ms compiling against 10-110 ms of work at 5,000
    # invitations: a query planned with a cost far past that threshold must plan no JIT on the portal's connections.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)  # also where the server was built without JIT, so the plan shows none
        cursor.execute("EXPLAIN SELECT sum(g) FROM generate_series(1, 100000000) AS g")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Function Scan" in plan
    assert "JIT" not in plan


@pytest.mark.skipif(django_settings.DATABASE_IS_POSTGRES, reason="SQLite search: PG splits words")
def test_search_finds_the_clinic_phone_a_page_shows_not_its_placeholder_name(client, settings):
    """The stored text keeps `clinic_phone` until the page fills it in: "_" found every article with a number in it,
    and the number itself found none (the stop-30 audit)."""
    settings.CLINIC_PHONE = "(555) 010-0199"
    ArticleFactory.create(title="Call us", slug="call-us", body="If it gets worse, call {{ clinic_phone }}.")
    assert "Call us" in client.get("/search/", {"q": "010-0199"}).content.decode()
    for query in ("clinic_phone", "_"):
        assert "Call us" not in client.get("/search/", {"q": query}).content.decode(), query


@pytest.mark.skipif(not django_settings.DATABASE_IS_POSTGRES, reason="PostgreSQL's index of the words")
def test_a_placeholders_name_is_not_a_word_an_article_is_found_by(client):
    """The index took `{{ clinic_phone }}` as "clinic" and "phone": every article with the clinic's number came up for
    "phone", a word its page never shows (the stop-30 audit)."""
    ArticleFactory.create(
        title="When to call",
        slug="when-to-call",
        summary="Ring {{ emergency_number }} at once.",
        body="If it gets worse, call {{ clinic_phone }}.\n\n[[get-help-now]]\n",
    )
    ArticleFactory.create(title="Your phone and your posture", slug="phone-posture", body="Hold your phone up high.")

    assert result_slugs(client.get("/search/", {"q": "phone"}).content.decode()) == ["phone-posture"]
    assert result_slugs(client.get("/search/", {"q": "emergency number"}).content.decode()) == []
    assert result_slugs(client.get("/search/", {"q": "worse"}).content.decode()) == ["when-to-call"]


def test_a_search_that_finds_nothing_says_what_to_do_about_the_warning_signs(client, settings):
    """A reader typing "incontinence" or "can't pee" found no article and no word on what to do."""
    settings.CLINIC_EMERGENCY_NUMBER = "911"
    html = client.get("/search/", {"q": "incontinence"}).content.decode()
    assert "No articles found" in html
    assert "Need help now?" in html
    assert '<a href="tel:911">911</a> or go to the nearest emergency room' in html
    reader = client.__class__()
    reader.cookies["django_language"] = "es"
    assert "¿Necesita ayuda ahora?" in reader.get("/search/", {"q": "pañales"}).content.decode()


def test_a_page_past_the_last_of_a_capped_search_shows_the_last_page_not_one_beyond_it(client, monkeypatch):
    """More matches than the search ranks: the last page to read is the one that holds the last ranked article. A
    page number past it showed the first unranked match as "Page 3 of 2" (here: two a page, four ranked)."""
    from education import search_results

    monkeypatch.setattr(search_results, "SEARCH_PAGE_SIZE", 2)
    monkeypatch.setattr(search_results, "SEARCH_CANDIDATES", 4)
    for number in range(6):
        ArticleFactory.create(slug=f"zygapophyseal-{number}", body=f"Zygapophyseal joints, part {number}.")
    html = client.get("/search/", {"q": "zygapophyseal", "page": 3}).content.decode()
    assert "Page 2 of 2" in html
    assert "Page 3 of 2" not in html
