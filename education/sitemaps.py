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
changed, its Spanish version come or gone from its head (education/page_changes.py); its Spanish address's, that
or its translation's release, whichever is later.

One query for the lot: the topics, which may be read in Spanish, and the number of published articles come from
`selectors.library()` (counted once per change of the library), the articles and their translations' state from
`selectors.sitemap_articles()`; the article section's paginator never counts. The page itself is kept for anonymous
readers like every public page (education/views.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import wraps
from html import escape
from typing import Any, Concatenate, NamedTuple, ParamSpec

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from clinic_portal.languages import address_in
from clinic_portal.links import slug_urls
from education import selectors
from education.alternates import every_language, versions
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


# --- Written out --------------------------------------------------------------------------------------------------

URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def urlset_xml(urls: Sequence[dict[str, Any]]) -> bytes:
    """The XML Django's `sitemap.xml` template makes of `urls` (Django's sitemap view's `urlset`), written directly:
    the template took 17 s for a page of 50,000 addresses with their alternates at 100,000 articles (its `for` tag
    and variable lookups, 13 per address), more than everything else the page does. The same elements, attributes
    and text (tests/education/test_sitemap.py compares them); `lastmod` as the template's `date:"Y-m-d"` gives it,
    in the clinic's time zone."""
    parts = [URLSET_OPEN]
    zone = timezone.get_current_timezone()  # once: timezone.localtime() looks it up for each date
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url["priority"]:
            parts.append(f"<priority>{escape(url['priority'])}</priority>")
        for alternate in url["alternates"]:
            link = f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
            parts.append(f'{link}href="{escape(alternate["location"])}"/>')
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts).encode()


def _day(when: datetime.date, zone: datetime.tzinfo) -> str:
    if isinstance(when, datetime.datetime) and when.tzinfo is not None:
        when = when.astimezone(zone)
    return when.strftime("%Y-%m-%d")


P = ParamSpec("P")


def written_out(
    view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Django's sitemap view, its answer written by `urlset_xml` instead of its template (its headers, its 404 for a
    page past the last, its `Last-Modified` kept)."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, TemplateResponse) and not response.is_rendered and response.context_data:
            response.content = urlset_xml(response.context_data["urlset"])  # marks it rendered: no template
        return response

    return wrapped


SITEMAPS: dict[str, type[Sitemap[Any]]] = {"pages": PagesSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}
