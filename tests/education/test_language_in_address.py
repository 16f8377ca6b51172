"""The public library's pages in the language their address names (`?lang=es`), and their alternates in the head
(clinic_portal.languages: "The language in the address"; education/alternates.py). Before, a page had one address,
in the cookie's language: search engines saw only English, and no link could open an article in Spanish.
"""

from __future__ import annotations

import html as html_text
import re

import pytest
from django.test import Client

from clinic_portal.languages import return_path
from education.models import ArticleTranslation, TopicTranslation
from tests.education.factories import ArticleFactory, TopicFactory, approve_translations

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
COOKIE = "django_language"


def translate(article, title: str, *, approve: bool = True) -> None:
    translation = ArticleTranslation(article=article, language="es", title=title, summary="Qué hacer.", body="Calor.")
    translation.record_source(article)
    translation.save()
    if approve:
        approve_translations()


@pytest.fixture
def library():
    topic = TopicFactory.create(name="Running", slug="running")
    both = ArticleFactory.create(title="Heat helps", slug="heat-helps", summary="Use heat.", topics=[topic])
    translate(both, "El calor ayuda")
    english_only = ArticleFactory.create(title="Ice or heat", slug="ice-or-heat", summary="Which.", topics=[topic])
    return both, english_only


def head_links(html: str) -> dict[str, str]:
    """hreflang -> href of the head's alternates, and "canonical" -> the canonical address."""
    head = html.split("</head>")[0]
    found = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', head)
    assert len(canonical) == 1, canonical
    found["canonical"] = canonical[0]
    return {name: html_text.unescape(href) for name, href in found.items()}


def test_an_address_naming_spanish_opens_the_article_in_spanish_and_the_next_click_stays_in_spanish(library):
    visitor = Client()  # from a search engine: no cookie, a browser in English
    response = visitor.get("/articles/heat-helps/?lang=es", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "El calor ayuda" in html
    assert response.cookies[COOKIE].value == "es"
    # A plain link on the page: still Spanish.
    assert '<html lang="es">' in visitor.get("/articles/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_address_naming_english_opens_english_for_a_reader_whose_cookie_says_spanish(library):
    reader = Client()
    reader.cookies[COOKIE] = "es"
    response = reader.get("/articles/heat-helps/?lang=en")
    assert '<html lang="en">' in response.content.decode()
    assert "Heat helps" in response.content.decode()
    assert response.cookies[COOKIE].value == "en"


@pytest.mark.parametrize("value", ["fr", "", "ES", "es-mx", "<script>"])
def test_an_unknown_language_in_the_address_is_ignored(library, value):
    response = Client().get("/articles/heat-helps/", {"lang": value})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert COOKIE not in response.cookies


@pytest.mark.parametrize("path", ["/", "/articles/", "/topics/running/", "/search/?q=heat"])
def test_every_public_page_takes_the_language_from_its_address(library, path):
    joiner = "&" if "?" in path else "?"
    assert '<html lang="es">' in Client().get(f"{path}{joiner}lang=es").content.decode()


def test_an_article_in_both_languages_names_both_and_its_canonical_is_the_language_shown(library):
    english = head_links(Client().get("/articles/heat-helps/").content.decode())
    spanish = head_links(Client().get("/articles/heat-helps/?lang=es").content.decode())
    alternates = {
        "en": f"{ORIGIN}/articles/heat-helps/",
        "es": f"{ORIGIN}/articles/heat-helps/?lang=es",
        "x-default": f"{ORIGIN}/articles/heat-helps/",
    }
    assert english == {**alternates, "canonical": f"{ORIGIN}/articles/heat-helps/"}
    assert spanish == {**alternates, "canonical": f"{ORIGIN}/articles/heat-helps/?lang=es"}
    # A reader whose cookie chose Spanish reads the Spanish version: the same page as `?lang=es`.
    cookie_reader = Client()
    cookie_reader.cookies[COOKIE] = "es"
    assert head_links(cookie_reader.get("/articles/heat-helps/").content.decode()) == spanish


def test_an_article_whose_address_changed_keeps_the_language_its_old_address_named(library):
    both, _english_only = library
    both.slug = "heat-can-help"
    both.save()
    assert Client().get("/articles/heat-helps/?lang=es")["Location"] == "/articles/heat-can-help/?lang=es"
    assert Client().get("/articles/heat-helps/?lang=en")["Location"] == "/articles/heat-can-help/"


def test_an_article_patients_may_read_only_in_english_names_no_spanish_version(library):
    for path in ("/articles/ice-or-heat/", "/articles/ice-or-heat/?lang=es"):
        html = Client().get(path).content.decode()
        # Shown in English (with the notice that it is not translated yet): its address is the English one.
        assert head_links(html) == {"canonical": f"{ORIGIN}/articles/ice-or-heat/"}
        assert "hreflang" not in html


def test_a_translation_no_reviewer_approved_is_not_named_either():
    article = ArticleFactory.create(title="Sleep", slug="sleep")
    translate(article, "Dormir", approve=False)
    html = Client().get("/articles/sleep/?lang=es").content.decode()
    assert "Dormir" not in html
    assert "hreflang" not in html


def both_languages(path: str) -> dict[str, str]:
    return {"en": f"{ORIGIN}{path}", "es": f"{ORIGIN}{path}?lang=es", "x-default": f"{ORIGIN}{path}"}


@pytest.mark.parametrize("path", ["/", "/articles/", "/topics/running/"])
def test_the_home_page_the_list_and_a_topic_with_its_spanish_name_name_both_languages(library, path):
    TopicTranslation.objects.create(topic=library[0].topics.get(), language="es", name="Correr")
    links = head_links(Client().get(path).content.decode())
    assert links == {**both_languages(path), "canonical": f"{ORIGIN}{path}"}
    assert head_links(Client().get(f"{path}?lang=es").content.decode()) == {
        **both_languages(path),
        "canonical": f"{ORIGIN}{path}?lang=es",
    }


def test_a_topic_without_a_spanish_name_names_no_spanish_version_and_its_address_is_the_english_one(library):
    # Its Spanish page would have the English name for heading and description, whatever its articles are in.
    for path in ("/topics/running/", "/topics/running/?lang=es"):
        assert head_links(Client().get(path).content.decode()) == {"canonical": f"{ORIGIN}/topics/running/"}


def test_a_topic_with_a_spanish_name_but_no_article_patients_may_read_in_spanish_names_no_spanish_version():
    topic = TopicFactory.create(name="Sleep", slug="sleep")
    TopicTranslation.objects.create(topic=topic, language="es", name="Dormir", description="Para dormir mejor.")
    article = ArticleFactory.create(title="Pillows", slug="pillows", topics=[topic])
    translate(article, "Almohadas", approve=False)  # no reviewer has approved it: patients read the English
    for path in ("/topics/sleep/", "/topics/sleep/?lang=es"):
        assert head_links(Client().get(path).content.decode()) == {"canonical": f"{ORIGIN}/topics/sleep/"}
    approve_translations()
    assert head_links(Client().get("/topics/sleep/?lang=es").content.decode()) == {
        **both_languages("/topics/sleep/"),
        "canonical": f"{ORIGIN}/topics/sleep/?lang=es",
    }


def test_the_list_of_all_articles_names_spanish_once_patients_may_read_one_in_spanish_and_the_home_page_always():
    ArticleFactory.create(title="Pillows", slug="pillows")
    assert head_links(Client().get("/articles/?lang=es").content.decode()) == {"canonical": f"{ORIGIN}/articles/"}
    # The home page's own words are Spanish (the urgent-help box among them), whatever the library holds.
    assert head_links(Client().get("/?lang=es").content.decode()) == {
        **both_languages("/"),
        "canonical": f"{ORIGIN}/?lang=es",
    }


def test_a_later_page_of_a_list_keeps_its_place_in_its_canonical_and_names_no_other_language(library):
    links = head_links(Client().get("/articles/?after=heat-helps&lang=es").content.decode())
    assert links == {"canonical": f"{ORIGIN}/articles/?after=heat-helps&lang=es"}


class TestThePageCache:
    @pytest.fixture(autouse=True)
    def _cache_on(self, settings):
        settings.PUBLIC_PAGE_CACHE_SECONDS = 300

    def test_a_kept_english_page_is_never_served_for_spanish_nor_the_other_way(self, library):
        english_reader, spanish_reader = Client(), Client()
        spanish_reader.cookies[COOKIE] = "es"
        assert "Heat helps" in english_reader.get("/articles/heat-helps/").content.decode()  # kept
        assert "El calor ayuda" in spanish_reader.get("/articles/heat-helps/?lang=es").content.decode()  # kept
        # The other readers of each address, each of whom the address moves to its language.
        english_reader.cookies[COOKIE] = "en"
        spanish = english_reader.get("/articles/heat-helps/?lang=es").content.decode()
        assert "El calor ayuda" in spanish
        assert '<html lang="es">' in spanish
        other_spanish_reader = Client()
        other_spanish_reader.cookies[COOKIE] = "es"
        english = other_spanish_reader.get("/articles/heat-helps/?lang=en").content.decode()
        assert "Heat helps" in english
        assert '<html lang="en">' in english

    def test_an_answer_that_sets_the_cookie_is_neither_served_from_the_cache_nor_kept(
        self, library, django_assert_num_queries
    ):
        spanish_reader = Client()
        spanish_reader.cookies[COOKIE] = "es"
        spanish_reader.get("/articles/heat-helps/?lang=es")  # kept: the same for every reader whose cookie says es
        with django_assert_num_queries(0):
            assert spanish_reader.get("/articles/heat-helps/?lang=es").status_code == 200
        visitor = Client()  # from a search engine: the kept page would leave them without the cookie
        response = visitor.get("/articles/heat-helps/?lang=es")
        assert response.cookies[COOKIE].value == "es"
        assert "El calor ayuda" in response.content.decode()
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        # Nor kept: the next visitor without the cookie gets it too.
        assert Client().get("/articles/heat-helps/?lang=es").cookies[COOKIE].value == "es"


def test_the_switcher_on_a_page_whose_address_names_a_language_returns_to_it_without_that_language(rf):
    # Or the address would overrule the language just chosen.
    assert return_path(rf.get("/articles/heat-helps/?lang=es")) == "/articles/heat-helps/"
    assert return_path(rf.get("/search/?q=calor&lang=es")) == "/search/?q=calor"


def test_switching_to_english_from_a_spanish_address_shows_english(library):
    visitor = Client()
    visitor.get("/articles/heat-helps/?lang=es")
    answer = visitor.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/articles/heat-helps/"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert '<html lang="en">' in visitor.get(answer["Location"]).content.decode()


def test_staff_pages_ignore_the_language_in_the_address(clinician):
    client = Client()
    client.force_login(clinician)
    for path in ("/staff/queue/?lang=es", "/staff/sign-in/unlock/?lang=es"):
        response = client.get(path)
        assert response.status_code == 200
        assert '<html lang="en">' in response.content.decode()
        assert COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("path", "onward"),
    [
        # A later page whose first article has gone: the list from its start, in the language the address named.
        ("/articles/?after=no-such-article&page=2&lang=es", "/articles/?lang=es"),
        ("/topics/running/?before=no-such-article&lang=es", "/topics/running/?lang=es"),
        # An old ?topic= link: the topic's own address, in that language too.
        ("/articles/?topic=running&lang=es", "/topics/running/?lang=es"),
    ],
)
def test_a_list_that_sends_the_reader_elsewhere_keeps_the_language_its_address_named(library, path, onward):
    # A search engine keeps no cookie: the Spanish address it listed must not lead to the English page.
    response = Client().get(path)
    assert response.status_code in (301, 302)
    assert response["Location"] == onward
    assert Client().get(path.replace("lang=es", "lang=en"))["Location"] == onward.removesuffix("?lang=es")


def _plan_nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


def test_which_topics_name_a_spanish_version_reads_the_translations_once_not_once_per_topic():
    """`list_languages` reads whether each topic has an article patients may read in Spanish from the library's count
    (`selectors._count_library`, worked out anew after every change to the library). As one EXISTS per topic it read
    every Spanish translation once per topic: at 100,000 articles and translations, none of them approved, 22 ms a
    topic (five topics took the count from 150 to 290 ms). The translations are read once, for every topic."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from education import selectors

    if connection.vendor != "postgresql":
        pytest.skip("the plan that matters is PostgreSQL's")
    topics = [TopicFactory.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(4)]
    for topic in topics:
        translate(ArticleFactory.create(topics=[topic]), "Un artículo", approve=False)
    with CaptureQueriesContext(connection) as queries:
        selectors._count_library()
    [sql] = [query["sql"] for query in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        [[explained]] = cursor.fetchall()
    table = ArticleTranslation._meta.db_table
    reading = [
        (node["Subplan Name"], node["Actual Loops"])
        for node in _plan_nodes(explained[0]["Plan"])
        if "Subplan Name" in node and any(read.get("Relation Name") == table for read in _plan_nodes(node))
    ]
    assert reading  # whether each topic, and the library, has Spanish to read
    # Once for the statement (an InitPlan), not once per topic (a SubPlan, which PostgreSQL ran for each topic at
    # 100,000 translations, and hashed at this size).
    assert all(name.startswith("InitPlan") and loops == 1 for name, loops in reading), reading
