"""The education library in a real browser: a patient on a phone finds an article and its review date."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import DESKTOP, LAPTOP, PHONE, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def assert_easy_to_tap(locator):
    """Every element of the locator is at least 44 x 44 px (WCAG 2.5.5), as a thumb on a phone needs."""
    assert locator.count()
    for element in locator.all():
        box = element.bounding_box()
        assert box, element.inner_text()
        assert min(box["width"], box["height"]) >= 44, (element.inner_text(), box)


@pytest.mark.usefixtures("library")
def test_a_phone_visitor_searches_sciatica_from_the_header_and_reads_the_review_date(open_page):
    page = open_page("/", PHONE)
    assert_easy_to_tap(page.locator(".language-switcher button"))
    page.locator("summary", has_text="Menu").click()
    assert_easy_to_tap(page.locator("summary", has_text="Menu"))
    assert_accessible(page, context="home page with the phone menu open")
    box = page.get_by_role("searchbox", name="Search articles")
    box.fill("sciatica")
    box.press("Enter")
    page.wait_for_url("**/search/?q=sciatica")
    assert_accessible(page, context="search results")
    first = page.locator(".search-result h2 a").first
    assert first.inner_text() == "Sciatica explained for runners"
    first.click()
    page.wait_for_url("**/articles/sciatica-explained-for-runners/")
    review = page.locator("article .review-meta")
    assert "Medically reviewed by" in review.inner_text()
    assert "Next review due" in review.inner_text()
    assert page.locator("article blockquote.help-now").is_visible()
    assert_easy_to_tap(page.locator("article .topic-tags a"))
    assert_fits(page, PHONE)
    assert_accessible(page, context="article")


# What a reader pastes into the search box, or an editor types in an article: one "word" wider than a phone.
LONG_ADDRESS = "https://www.nhs.uk/conditions/sciatica/treatment-and-recovery-for-runners/"
LONG_WORD = "spondylolisthesis" * 4  # 68 letters, no place to break
# The same in a table's cells, and a table with more columns than a phone has room for.
TABLES = f"""
| Where to read more | Address |
| --- | --- |
| The NHS | {LONG_ADDRESS} |
| A long word | {LONG_WORD} |

| Week | Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday |
| --- | --- | --- | --- | --- | --- | --- | --- |
| One | Walk 20 minutes | Rest | Walk 20 minutes | Rest | Walk 25 minutes | Stretches | Rest |
"""


def test_a_long_web_address_in_a_search_or_an_article_wraps_instead_of_widening_the_page_on_a_phone(
    open_page, screenshot
):
    """The search page's "No articles found for “...”" line, and an article's paragraph, list item and table cell, ran
    off the right edge of a phone with a pasted web address or a long word: the whole page scrolled sideways (452 px
    at 375 px with one in a table)."""
    from tests.education.factories import ArticleFactory

    ArticleFactory.create(
        slug="further-reading", body=f"Read more at {LONG_ADDRESS} today.\n\n- <{LONG_ADDRESS}>\n\n{TABLES}"
    )
    page = open_page(f"/search/?q={quote(LONG_ADDRESS)}", PHONE)
    assert LONG_ADDRESS in page.get_by_role("status").inner_text()
    assert_fits(page, PHONE)
    assert_accessible(page, context="search for a web address")
    page.goto("/articles/further-reading/")
    assert page.locator(".article-body table").count() == 2
    assert_fits(page, PHONE)
    # The long words wrap in their cells; the week's eight columns scroll in their own box, which a keyboard reaches.
    overflow = page.locator(".table-scroll").evaluate_all(
        "boxes => boxes.map((box) => box.scrollWidth - box.clientWidth)"
    )
    assert overflow[0] == 0, overflow
    assert overflow[1] > 0, overflow
    assert page.locator(".table-scroll").nth(1).get_attribute("tabindex") == "0"
    screenshot(page, "education-article-long-words-phone")
    assert_accessible(page, context="article with a web address in its text and tables")  # at phone and desktop
    page.set_viewport_size(LAPTOP)
    assert_fits(page, LAPTOP)
    screenshot(page, "education-article-long-words-laptop")


LIBRARY_PAGES = [
    ("home", "/"),
    ("list", "/articles/"),
    ("topic", "/topics/running/"),
    ("article", "/articles/back-pain-after-a-run/"),
    # An article that opens with its red "get help now" box (articles 3, 10 and 15 put what to do first).
    ("article-help-now", "/articles/cancer-history-and-back-pain/"),
    ("search", "/search/?q=running"),  # more than a page of results: the page links
]
# What a thumb taps on each page, at least 44 x 44 px (WCAG 2.5.5) as the header's are: the home page's topic buttons
# measured 38 px tall, the topic menu's links 38 px, the search page's box and button 38 px and its page links 40 px.
TAP_TARGETS = {
    "home": ("main .topic-pills a",),
    "list": ("main .topic-list a",),
    "topic": ("main .topic-list a",),
    "search": ("main .search-form input, main .search-form button", "main .pagination a"),
}


@pytest.mark.usefixtures("library")
def test_library_pages_look_right_at_phone_and_desktop_width(open_page, screenshot):
    """Every library page at both widths in one browser (the library is loaded once): a heading, no sideways
    scrolling, targets big enough for a thumb, no script errors, a screenshot of each, and axe-core at both widths."""
    errors: list[str] = []
    page = open_page("/", PHONE)
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        for name, path in LIBRARY_PAGES:
            page.goto(path)
            assert page.locator("h1").first.is_visible(), f"{name} page at {size} width has no visible heading"
            # The line under the heading is the same normal weight on every page (the list's and a topic's were light).
            weights = page.locator("main .lead").evaluate_all("els => els.map((el) => getComputedStyle(el).fontWeight)")
            assert set(weights) <= {"400"}, (name, weights)
            assert_fits(page, viewport)
            for targets in TAP_TARGETS.get(name, ()):
                assert_easy_to_tap(page.locator(targets))
            screenshot(page, f"education-{name}-{size}")
            assert_accessible(page, context=f"library {name} page ({size})")
    assert errors == []


@pytest.mark.usefixtures("library")
def test_an_editor_sees_the_article_form_with_readability_and_its_history_in_the_admin(open_page, screenshot, editor):
    from education.models import Article

    article = Article.objects.get(slug="back-pain-after-a-run")
    page = open_page(f"/admin/education/article/{article.pk}/change/", DESKTOP, user=editor)
    assert page.get_by_text("Flesch-Kincaid grade").is_visible()
    assert page.get_by_role("link", name="View on site").is_visible()
    screenshot(page, "education-admin-change-desktop")
    assert_accessible(page, context="admin article form")
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/history/")  # the history page loaded, not the document the click left behind
    assert "Loaded from the starter library" in page.content()
    screenshot(page, "education-admin-history-desktop")
    assert_accessible(page, context="admin article history")
    page.goto("/admin/education/article/")
    screenshot(page, "education-admin-list-desktop")
    assert_accessible(page, context="admin article list")


@pytest.mark.usefixtures("library")
def test_the_library_in_spanish_at_phone_and_desktop_width(open_page, screenshot, live_server):
    """A Spanish reader: the cards, topics and "read next" in Spanish (the starter translations, approved by a
    clinical reviewer), nothing sideways, axe-core at both widths."""
    from tests.education.factories import approve_translations

    approve_translations()
    page = open_page("/", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        for name, path in LIBRARY_PAGES:
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == "es"
            assert_fits(page, viewport)
            screenshot(page, f"education-es-{name}-{size}")
            assert_accessible(page, context=f"Spanish library {name} page ({size})")
    page.goto("/topics/running/")
    assert page.get_by_role("heading", level=1).inner_text() == "Correr"
    assert page.locator(".article-card[lang=en]").count() == 0  # every starter article has an approved translation
    assert_accessible(page, context="Spanish topic page")
