"""Addresses (articles, topics, the patient's pages) are built without resolving the URL patterns each time, and
say the same."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from clinic_portal.links import slug_url, slug_urls, url


@pytest.mark.parametrize("name", ["article-detail", "topic-detail"])
@pytest.mark.parametrize("slug", ["back-pain-after-a-run", "a", "x_1-2"])
def test_an_address_is_the_one_reverse_gives(name, slug):
    assert slug_url(name, slug) == reverse(name, kwargs={"slug": slug})


@pytest.mark.parametrize("name", ["article-detail", "topic-detail"])
def test_a_page_of_links_gets_the_addresses_reverse_gives(name):
    url = slug_urls(name)
    for slug in ["back-pain-after-a-run", "a", "x_1-2"]:
        assert url(slug) == reverse(name, kwargs={"slug": slug})


def test_a_slug_the_pattern_refuses_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        slug_url("article-detail", "not a slug/")
    with pytest.raises(NoReverseMatch):
        slug_urls("article-detail")("not a slug/")


def test_the_address_follows_the_script_prefix():
    from django.urls import set_script_prefix

    set_script_prefix("/portal/")
    try:
        assert slug_url("article-detail", "back-care") == "/portal/articles/back-care/"
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("name", ["intake:resume", "intake:review", "intake:exit", "intake:still-here", "home"])
def test_an_address_without_arguments_is_the_one_reverse_gives(name):
    assert url(name) == reverse(name)


def test_an_address_follows_the_script_prefix(settings):
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    try:
        set_script_prefix("/clinic/")
        assert url("intake:review") == "/clinic/intake/review/"
        assert slug_url("intake:step", "work") == "/clinic/intake/step/work/"
    finally:
        set_script_prefix(before)
    assert url("intake:review") == "/intake/review/"


def test_an_unknown_name_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        url("intake:no-such-page")
