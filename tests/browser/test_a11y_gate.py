"""The accessibility gate itself: assert_accessible fails on a known violation, at each width, and the guard notices
a visited page nobody checked."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders

from tests.browser.a11y import AXE_JS, page_key
from tests.browser.conftest import TABLET, assert_accessible

CLEAN = """<!doctype html><html lang="en"><head><title>Clean</title></head>
<body><main><h1>A form</h1><label for="n">Name</label> <input id="n" type="text"></main></body></html>"""
UNLABELED = """<!doctype html><html lang="en"><head><title>Unlabeled</title></head>
<body><main><h1>A form</h1><input type="text" id="nameless"></main></body></html>"""
# Grey on white (#999: 2.85:1) below 500 px only: a problem only the phone-width run can see.
PHONE_ONLY = """<!doctype html><html lang="en"><head><title>Narrow</title>
<style>p { color: #000; } @media (max-width: 500px) { p { color: #999; } }</style></head>
<body><main><h1>Narrow</h1><p id="faint">Read me on a phone.</p></main></body></html>"""


def data_url(html: str) -> str:
    return "data:text/html," + quote(html)


@pytest.fixture
def blank_page(browser):
    context = browser.new_context(viewport=TABLET)
    yield context.new_page()
    context.close()


def test_an_unlabeled_input_fails_with_the_rule_the_impact_the_element_and_the_fix(blank_page):
    blank_page.goto(data_url(UNLABELED))
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(blank_page, context="the gate's own test")
    message = str(failure.value)
    assert message.startswith("the gate's own test: axe-core found")
    assert "label [critical] at #nameless: Form elements must have labels" in message
    assert "at 390 px:" in message
    assert "at 1366 px:" in message


def test_a_problem_seen_only_at_phone_width_fails_and_the_window_size_is_put_back(blank_page):
    blank_page.goto(data_url(PHONE_ONLY))
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(blank_page)
    [problem] = [line for line in str(failure.value).splitlines() if "color-contrast" in line]
    assert problem.strip().startswith("at 390 px: color-contrast [serious] at #faint")
    assert blank_page.viewport_size == TABLET


def test_a_clean_page_passes(blank_page):
    blank_page.goto(data_url(CLEAN))
    assert_accessible(blank_page)


def test_the_guard_names_a_page_visited_after_its_last_check(blank_page, a11y_guard):
    blank_page.goto(data_url(CLEAN))
    assert a11y_guard.unchecked() == [page_key(blank_page.url)]
    assert_accessible(blank_page)
    assert a11y_guard.unchecked() == []

    blank_page.goto(data_url(CLEAN) + "#more")  # a move within the same document is not a new page
    assert a11y_guard.unchecked() == []
    blank_page.reload()  # the same page loaded again is
    assert a11y_guard.unchecked() == [page_key(blank_page.url)]
    with pytest.raises(pytest.fail.Exception, match="not checked with assert_accessible"):
        a11y_guard.verify()
    a11y_guard.forget(blank_page)


def test_pages_are_told_apart_by_path_not_by_query():
    assert page_key("http://localhost:8123/search/?q=shoes") == "/search/"
    assert page_key("http://localhost:8123/search/?q=sciatica#results") == "/search/"
    assert page_key("http://localhost:8123/articles/") == "/articles/"
    assert page_key("about:blank") is None
    assert page_key("chrome-error://chromewebdata/") is None


def test_axe_core_is_installed_for_the_tests_and_never_served_by_the_site(client):
    assert AXE_JS.exists()
    assert finders.find("axe-core/axe.min.js") is None
    assert finders.find("axe.min.js") is None
    assert client.get("/static/axe-core/axe.min.js").status_code == 404


def test_a_page_opened_without_javascript_is_checked_too(browser):
    page = browser.new_page(java_script_enabled=False)  # axe's timers cannot run there: the helper runs them
    try:
        page.goto(data_url(UNLABELED))
        with pytest.raises(pytest.fail.Exception, match="label \\[critical\\] at #nameless"):
            assert_accessible(page)
    finally:
        page.close()
