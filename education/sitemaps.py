"""sitemap.xml: the home page, the article list, every topic with published articles, every published article."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from education import selectors
from education.models import Article


class PagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "article-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return selectors.topics_with_articles()


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> Any:
        return Article.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, article: Article) -> Any:
        return article.updated_at


SITEMAPS = {"pages": PagesSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}
