"""Article and topic addresses are built without resolving the URL patterns each time, and say the same."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from education.links import slug_url, slug_urls


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
