"""Reads for the public pages. Each function costs a fixed number of queries, whatever the number of articles."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Replace
from django.shortcuts import get_object_or_404

from education.models import Article, Topic, placeholder_values
from education.rendering import HIT_END, HIT_START, fill_text, placeholder_marker
from education.search import highlighted, plain_snippet, query_terms

FEATURED_LIMIT = 3


def topics_with_articles() -> QuerySet[Topic]:
    """Topics that have at least one published article, with how many (one query)."""
    published = Q(articles__in=Article.objects.published().values("pk"))
    topics = Topic.objects.annotate(article_count=Count("articles", filter=published))
    return topics.filter(article_count__gt=0).order_by("name")


def featured_articles(limit: int = FEATURED_LIMIT) -> list[Article]:
    return list(Article.objects.published().filter(featured=True).for_cards()[:limit])


def published_articles(*, topic: Topic | None = None) -> QuerySet[Article]:
    articles = Article.objects.published().for_cards()
    if topic is not None:
        articles = articles.filter(topics=topic)
    return articles.order_by("title")


def article_for_page(slug: str, *, can_preview: bool) -> Article:
    """The article at `slug` with its topics and published related articles; drafts only for those who may preview."""
    visible = Article.objects.all() if can_preview else Article.objects.published()
    related = Article.objects.published().for_cards().order_by("title")
    return get_object_or_404(
        visible.prefetch_related("topics", Prefetch("related", queryset=related, to_attr="related_published")),
        slug=slug,
    )


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: str


def _body_text_filled() -> Combinable:
    """`body_text` with the clinic placeholders replaced by today's settings, inside the query (for ts_headline)."""
    text: Combinable = F("body_text")
    for name, value in placeholder_values().items():
        text = Replace(text, Value(placeholder_marker(name)), Value(value))
    return text


def search_articles(query: str) -> QuerySet[Article]:
    """Published articles matching `query`, best first; each carries a `raw_snippet` (or none on SQLite)."""
    articles = Article.objects.published().defer("body", "body_html", "sources").prefetch_related("topics")
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        return (
            articles.filter(search_vector=search)
            .annotate(
                rank=SearchRank(F("search_vector"), search),
                raw_snippet=SearchHeadline(
                    _body_text_filled(),
                    search,
                    config="english",
                    start_sel=HIT_START,
                    stop_sel=HIT_END,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "title")
        )
    # SQLite (development): every word must appear somewhere; title hits first.
    terms = query_terms(query) or [query.lower()]
    for term in terms:
        articles = articles.filter(Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_text__icontains=term))
    title_hit = Q()
    for term in terms:
        title_hit |= Q(title__icontains=term)
    return articles.annotate(
        title_rank=Case(When(title_hit, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("title_rank", "title")


def search_hits(page_articles: list[Article], query: str) -> list[SearchHit]:
    terms = query_terms(query)
    values = placeholder_values()
    hits = []
    for article in page_articles:
        raw = getattr(article, "raw_snippet", None)
        # PostgreSQL has filled the placeholders in already (see _body_text_filled); the fallback fills them here,
        # before the hits are marked, so a hit can never split a placeholder.
        snippet = highlighted(raw) if raw else plain_snippet(fill_text(article.body_text, values), terms)
        hits.append(SearchHit(article=article, snippet=snippet))
    return hits
