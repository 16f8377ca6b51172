"""The language switcher takes no CSRF token (so public pages are the same for every reader, issue 16); a page on
another site still cannot change a visitor's language: the browser's own word on where a request comes from
(Sec-Fetch-Site, else Origin, else Referer) decides, and a refusal changes nothing.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.education.factories import ArticleFactory, TopicFactory
from tests.security.url_table import ROWS
from tests.security.world import client_for

pytestmark = pytest.mark.django_db

SWITCH = "/i18n/setlang/"
CHOICE = {"language": "es", "next": "/articles/"}

FROM_ELSEWHERE = {
    "a cross-site form (Sec-Fetch-Site)": {"Sec-Fetch-Site": "cross-site"},
    "a sibling site (Sec-Fetch-Site)": {"Sec-Fetch-Site": "same-site"},
    "another origin (Origin, no fetch metadata)": {"Origin": "https://elsewhere.example"},
    "a hidden origin (Origin: null)": {"Origin": "null"},
    "another site's page (Referer only)": {"Referer": "https://elsewhere.example/page"},
    "Origin ours, fetch metadata cross-site": {
        "Origin": "http://testserver",
        "Sec-Fetch-Site": "cross-site",
    },
}
FROM_HERE = {
    "this site (Sec-Fetch-Site)": {"Sec-Fetch-Site": "same-origin"},
    "typed or bookmarked (Sec-Fetch-Site: none)": {"Sec-Fetch-Site": "none"},
    "this origin (Origin, no fetch metadata)": {"Origin": "http://testserver"},
    "this site's page (Referer only)": {"Referer": "http://testserver/articles/"},
    "no word at all (not a browser page)": {},
}


def language_cookie(response) -> str | None:
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie.value if cookie is not None else None


@pytest.mark.parametrize("headers", FROM_ELSEWHERE.values(), ids=FROM_ELSEWHERE.keys())
def test_a_language_change_from_another_site_is_refused_and_changes_nothing(headers):
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(SWITCH, CHOICE, headers=headers)
    assert response.status_code == 403
    assert "That form could not be sent" in response.content.decode()
    assert language_cookie(response) is None
    assert "<h1>Articles</h1>" in visitor.get("/articles/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize("headers", FROM_HERE.values(), ids=FROM_HERE.keys())
def test_a_language_change_from_this_site_needs_no_token(headers):
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(SWITCH, CHOICE, headers=headers)
    assert response.status_code == 302
    assert response["Location"] == "/articles/"
    assert language_cookie(response) == "es"


def test_a_trusted_origin_from_settings_counts_as_this_site(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.clinic.example"]
    response = Client().post(SWITCH, CHOICE, headers={"Origin": "https://portal.clinic.example"})
    assert language_cookie(response) == "es"


def test_the_switcher_is_the_only_url_whose_post_is_guarded_this_way():
    guarded = [row.key for row in ROWS if row.post == "from-this-site"]
    assert guarded == ["set_language"]


def test_a_first_visit_to_any_public_page_gets_no_csrf_token_or_cookie():
    article = ArticleFactory.create(slug="sciatica-basics", topics=[TopicFactory.create(slug="sciatica")])
    for path in ("/", "/articles/", "/search/?q=sciatica", f"/articles/{article.slug}/", "/topics/sciatica/"):
        response = Client(enforce_csrf_checks=True).get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert 'action="/i18n/setlang/"' in html, path
        assert "csrfmiddlewaretoken" not in html, path
        assert settings.CSRF_COOKIE_NAME not in response.cookies, path


def test_forms_other_than_the_switcher_keep_their_csrf_token(world):
    staff = client_for("front_desk", world, enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" in staff.get("/staff/queue/").content.decode()
    assert staff.post("/staff/sign-out/").status_code == 403
