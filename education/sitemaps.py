"""sitemap.xml: the home page, the article list, every topic with published articles, every published article."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
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

    def items(self) -> QuerySet[Topic]:
        return selectors.topics_with_articles()


class ArticleSitemap(Sitemap[Article]):
    changefreq = "monthly"

    def items(self) -> QuerySet[Article]:
        return Article.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, article: Article) -> datetime.datetime:
        return article.updated_at


SITEMAPS: dict[str, type[Sitemap[Any]]] = {"pages": PagesSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}
