"""sitemap.xml: the home page, the article list, every topic with published articles, every published article.

One query for the lot: the topics and the number of published articles come from `selectors.library()` (counted
once per change of the library), so the article section's paginator never counts; the page itself is kept for
anonymous readers like every public page (education/views.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import reverse

from education import selectors
from education.models import Article, Topic


class PagesSitemap(Sitemap[str]):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "article-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class TopicSitemap(Sitemap[Topic]):
    changefreq = "weekly"

    def items(self) -> list[Topic]:
        return selectors.topics_with_articles()


class CountedPaginator(Paginator[Article]):
    """A paginator told how many items there are, instead of counting them."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: this is its value


class ArticleSitemap(Sitemap[Article]):
    changefreq = "monthly"

    def items(self) -> QuerySet[Article]:
        return selectors.sitemap_articles()

    @property
    def paginator(self) -> Paginator[Article]:
        items = self._items()  # type: ignore[attr-defined]  # Sitemap's own item list (i18n aware), not in the stubs
        return CountedPaginator(items, self.limit, count=selectors.library().published)

    def lastmod(self, article: Article) -> datetime.datetime:
        return article.updated_at


SITEMAPS: dict[str, type[Sitemap[Any]]] = {"pages": PagesSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}
