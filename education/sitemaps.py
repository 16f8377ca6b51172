"""The sitemap: the home page, the article list, every topic with published articles, every published article, each
in every language patients may read it in, with its versions named (`xhtml:link rel="alternate" hreflang`).

`/sitemap.xml` is an index of sections (`/sitemap-pages.xml`, `/sitemap-topics.xml`, `/sitemap-articles.xml` and its
further pages, `?p=2`...): a sitemap holds at most 50,000 addresses (sitemaps.org), and the articles' section is cut
into pages of 25,000 articles, each listed in up to two languages. The index is read from counts already known.

The languages and addresses are those the pages name in their heads (education/alternates.py): English the plain
address, Spanish `?lang=es`, `x-default` the plain one; an article in Spanish only where patients may read its
translation (`is_shown`), the article list once one article may be read in Spanish, a topic once it also has a
Spanish name, the home page always. Django's own `i18n` option is not used: it switches the active language for every
address (several times per entry with alternates) to let `i18n_patterns` prefix them, and the portal's addresses
carry the language in a query string instead.

An article's `lastmod` is when what its page shows last changed: saved, gone live, its topics or "Read next" list
changed (education/page_changes.py); its Spanish address's, that or its translation's release, whichever is later.

One query for the lot: the topics, which may be read in Spanish, and the number of published articles come from
`selectors.library()` (counted once per change of the library), the articles and their translations' state from
`selectors.sitemap_articles()`; the article section's paginator never counts. The page itself is kept for anonymous
readers like every public page (education/views.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Page, Paginator
from django.urls import reverse

from clinic_portal.languages import address_in
from education import selectors
from education.alternates import every_language, versions
from education.links import slug_urls
from education.translation import TRANSLATED

ENGLISH = "en"


class Address(NamedTuple):
    """One `<url>` of the sitemap: the page in one language, its versions in all of them (relative addresses)."""

    address: str
    lastmod: datetime.datetime | None
    alternates: Sequence[tuple[str, str]]


def addresses(path: str, languages: Sequence[str], lastmods: Sequence[datetime.datetime | None] = ()) -> list[Address]:
    """The page at `path` in each of `languages` (`lastmods`: each one's, in the same order, if known)."""
    named = versions(path, languages)
    return [
        Address(address_in(path, code), lastmods[n] if lastmods else None, named) for n, code in enumerate(languages)
    ]


class VersionsSitemap(Sitemap[Address]):
    """Items are `Address`es: each writes its own address, lastmod and versions."""

    def location(self, item: Address) -> str:
        return item.address

    def get_urls(self, page: int | str = 1, site: Any = None, protocol: str | None = None) -> list[dict[str, Any]]:
        urls: list[dict[str, Any]] = super().get_urls(page=page, site=site, protocol=protocol)
        origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        for url in urls:
            url["alternates"] = [
                {"location": origin + address, "lang_code": code} for code, address in url["item"].alternates
            ]
        return urls


class PagesSitemap(VersionsSitemap):
    changefreq = "weekly"

    def items(self) -> list[Address]:
        return [
            *addresses(reverse("home"), every_language()),  # its own words are translated: always
            *addresses(reverse("article-list"), selectors.list_languages()),
        ]


class TopicSitemap(VersionsSitemap):
    changefreq = "weekly"

    def items(self) -> list[Address]:
        found = []
        for topic in selectors.topics_with_articles():
            found.extend(addresses(topic.get_absolute_url(), selectors.list_languages(topic)))
        return found


class ArticlePaginator(Paginator[Any]):
    """Pages of the published articles' rows (`selectors.sitemap_articles`), `per_page` articles each, told how many
    there are instead of counting them; a page's items are the rows' addresses, one to three per article."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: this is its value

    def _get_page(self, object_list: Any, number: int, paginator: Paginator[Any]) -> Page[Any]:
        article_url = slug_urls("article-detail")
        languages = [ENGLISH, *sorted(TRANSLATED)]
        shown: list[Address] = []
        for slug, changed, *translated in object_list:
            readable = [code for code, when in zip(languages[1:], translated, strict=True) if when is not None]
            lastmods = [changed, *(when for when in translated if when is not None)]
            shown.extend(addresses(article_url(slug), [ENGLISH, *readable], lastmods))
        return Page(shown, number, paginator)


class ArticleSitemap(VersionsSitemap):
    changefreq = "monthly"
    # Articles per page of the sitemap: each may be listed in every language, and a sitemap holds at most 50,000
    # addresses (sitemaps.org).
    limit = Sitemap.limit // len(every_language())

    def items(self) -> Any:
        return selectors.sitemap_articles()

    @property
    def paginator(self) -> Paginator[Any]:
        return ArticlePaginator(self.items(), self.limit, count=selectors.library().published)

    def lastmod(self, item: Address) -> datetime.datetime | None:
        return item.lastmod

    def get_latest_lastmod(self) -> None:
        """None: the index (`/sitemap.xml`) gives no date for the section, which Django would find by reading every
        article (optional in the protocol; each address in the section has its own)."""
        return None


SITEMAPS: dict[str, type[Sitemap[Any]]] = {"pages": PagesSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}
