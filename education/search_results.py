"""Reads for the search page: one query on PostgreSQL that ranks a bounded set of candidates, counts them and cuts
a page, with the snippets of that page only (issue 16).

The first SEARCH_CANDIDATES published matches the full-text index finds are ranked (a word found in most of a large
library costs the same as a rare one); with more matches than that, the page says "More than 200 articles found"
and shows the best of the candidates. SQLite (development) has no full-text index: every word must appear somewhere,
hits in the title first, and the snippets are made in Python (education/search.py). On both, the title that lifts a
hit is the one its reader sees: a Spanish reader's Spanish title where they may read the translation, not the English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.expressions import Combinable
from django.db.models.functions import Replace
from django.utils import timezone

from clinic_portal.db_rows import quoted_column
from education import snippets
from education.folding import Folded, fold, sort_key_sql
from education.models import SEARCH_CONFIGS, Article, ArticleTranslation, placeholder_values
from education.rendering import fill_text, placeholder_marker
from education.search import (
    ENGLISH,
    highlighted,
    plain_snippet,
    query_terms,
    sentence_bounded,
    snippet_near_first_hit,
    snippet_params,
)
from education.translation import seen_title, shown_sql, shown_translations, title_order, with_shown_title

# A search page shows fewer articles than a list: each hit's snippet is made by PostgreSQL's ts_headline
# (education/search.py), and a common word fills every page, so this is what a search costs at any size.
SEARCH_PAGE_SIZE = 10
SEARCH_CANDIDATES = 200


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: str
    in_translation: bool = False  # found in the words of its translation (and its snippet is of them)


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    number: int
    count: int  # matches, up to SEARCH_CANDIDATES
    capped: bool  # more matches than that

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // SEARCH_PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_query(self) -> str:
        return urlencode({"q": self.query, "page": self.number - 1}) if self.has_previous else ""

    @property
    def next_query(self) -> str:
        return urlencode({"q": self.query, "page": self.number + 1}) if self.has_next else ""


def _body_text_filled(*, boxes: bool = True) -> Combinable:
    """`body_text` with the clinic placeholders replaced by today's settings, inside the query (SQLite's snippets);
    without `boxes`, a box (the warning signs every article carries) leaves nothing, so searching a warning sign does
    not find every article."""
    text: Combinable = F("body_text")
    box_names = set(snippets.texts()) if not boxes else set()
    for name, value in placeholder_values().items():
        text = Replace(text, Value(placeholder_marker(name)), Value("" if name in box_names else value))
    return text


def _every_word(rows: QuerySet[Any, Any], terms: list[str]) -> QuerySet[Any, Any]:
    """SQLite: rows with every term in their title, summary or text, whatever the case and accents."""
    # The text as patients read it: the stored one keeps placeholder names ("clinic_phone"), which "_" found in every
    # article while "911" found none (the stop-30 audit).
    rows = rows.alias(
        folded_title=Folded("title"),
        folded_summary=Folded("summary"),
        folded_text=Folded(_body_text_filled(boxes=False)),
    )
    for term in map(fold, terms):
        rows = rows.filter(
            Q(folded_title__contains=term) | Q(folded_summary__contains=term) | Q(folded_text__contains=term)
        )
    return rows


def _matching(query: str, language: str = "") -> QuerySet[Any, Any]:
    """SQLite (development): every word must appear somewhere (in the English, or in a translation in `language`
    that patients may read); hits in the title the reader sees first (`seen_title`: a Spanish reader's Spanish title,
    where they may read it, not the English one), then by that title (`title_order`). PostgreSQL uses `_search_sql`
    and `_translated_search_sql`."""
    published = Article.objects.published()
    terms = query_terms(query) or [query.lower()]
    title_hit = Q()
    for term in terms:
        title_hit |= Q(folded_title__contains=fold(term))
    found = Q(pk__in=_every_word(published, terms).order_by().values("pk")[: SEARCH_CANDIDATES + 1])
    in_translation: Any = Value(False)
    translated_text: Any = Value("")
    articles: QuerySet[Article] = Article.objects.all()
    if language in SEARCH_CONFIGS:
        matched = _every_word(shown_translations(language), terms).filter(article__in=published)
        found |= Q(pk__in=matched.order_by().values("article_id")[: SEARCH_CANDIDATES + 1])
        in_translation = Exists(matched.filter(article_id=OuterRef("pk")))
        translated_text = Subquery(matched.filter(article_id=OuterRef("pk")).values("body_text")[:1])
        articles = with_shown_title(articles, language)  # what `title_order` orders by
    return (
        articles.filter(found)
        .alias(folded_title=Folded(seen_title(language)))
        .annotate(
            title_rank=Case(When(title_hit, then=Value(0)), default=Value(1), output_field=IntegerField()),
            in_translation=in_translation,
            translated_text=translated_text,
        )
        .order_by("title_rank", title_order(language), "pk")
    )


# TS_RANK's weights of the labels D, C, B and A (education.models.search_text: a title is A, a summary B, a text C):
# PostgreSQL's own, and the same with the title weighed as text, for the English words of an article whose reader sees
# its translated title: they do not see the English one, so its words must not lift the hit above others.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
RANK_WEIGHTS_TITLE_UNSEEN = "{0.1, 0.2, 0.4, 0.2}"


# What a search hit shows of its article (besides its snippet), and the hash of its English, which says whether its
# translation may be shown (education.translation.shown_words) without loading each article again.
HIT_FIELDS = ("id", "title", "slug", "summary", "english_sha256")


@lru_cache(maxsize=4)
def _search_sql(placeholders: int) -> str:
    """The search page's one query on PostgreSQL, written once per process (as the article page's is): building it
    through the ORM cost more than running it. The first SEARCH_CANDIDATES + 1 published matches the full-text index
    finds, each ranked as it is found; counted, sorted and cut to a page; then the snippets of that page only.
    Parameters: `_search_params`.
    """
    shown = ", ".join(quoted_column(Article, name) for name in HIT_FIELDS)
    body, vector = quoted_column(Article, "body_text"), quoted_column(Article, "search_vector")
    status, published_at = quoted_column(Article, "status"), quoted_column(Article, "published_at")
    order = f"rank DESC, {quoted_column(Article, 'title')}, {quoted_column(Article, 'id')}"
    text = f"page.{body}"
    for _ in range(placeholders):
        text = f"REPLACE({text}, %s, %s)"
    query = "WEBSEARCH_TO_TSQUERY('english'::regconfig, %s)"
    return (
        f"SELECT {shown}, {snippet_near_first_hit(text)} AS raw_snippet, matches FROM ("  # noqa: S608 - names only
        f"SELECT {shown}, {body}, rank, COUNT(*) OVER () AS matches FROM ("
        f"SELECT {shown}, {body}, TS_RANK({vector}, {query}) AS rank "
        f"FROM {connection.ops.quote_name(Article._meta.db_table)} "
        f"WHERE {status} = %s AND {published_at} <= %s AND {vector} @@ {query} LIMIT %s"
        f") AS found ORDER BY {order} LIMIT %s OFFSET %s"
        f") AS page ORDER BY {order}"
    )


@lru_cache(maxsize=4)
def _translated_search_sql(placeholders: int, config: str) -> str:
    """The same for a reader of a translated language: the words of the translations patients may read (approved
    as they stand, made from the English live now), in that language's configuration, and the English words of
    every published article (a reader may type "sciatica"). Each side's first SEARCH_CANDIDATES + 1 matches from
    its index; an article found by both is ranked and shown by its translation's match (a snippet in the reader's
    words); its snippet comes from the text that matched. An article found by its English words only, whose reader
    sees its translated title, is ranked with its English title weighed as text (RANK_WEIGHTS_TITLE_UNSEEN). Hits
    ranked alike are in the order of the titles the reader sees (`shown_title`: the translation's where patients may
    read it, found by its words or not; `title_order`).
    Parameters: `_translated_search_params`.
    """
    article_table = connection.ops.quote_name(Article._meta.db_table)
    translation_table = connection.ops.quote_name(ArticleTranslation._meta.db_table)

    def a(name: str) -> str:
        return f"a.{quoted_column(Article, name)}"

    def t(name: str) -> str:
        return f"t.{quoted_column(ArticleTranslation, name)}"

    shown = ", ".join(quoted_column(Article, name) for name in HIT_FIELDS)
    from_article = ", ".join(a(name) for name in HIT_FIELDS)
    title, pk = quoted_column(Article, "title"), quoted_column(Article, "id")
    order = f"rank DESC, {sort_key_sql(f'COALESCE(shown_title, {title})')}, {pk}"
    text = "page.text"
    for _ in range(placeholders):
        text = f"REPLACE({text}, %s, %s)"
    translated = f"WEBSEARCH_TO_TSQUERY('{config}'::regconfig, %s)"
    english = f"WEBSEARCH_TO_TSQUERY({ENGLISH}, %s)"
    live = f"{a('status')} = %s AND {a('published_at')} <= %s"
    readable = f"{t('language')} = %s AND {shown_sql('t', 'a')}"
    # The English side joins the translation its reader may read, if any: then they see its title, not the English.
    weights = f"(CASE WHEN {t('id')} IS NULL THEN '{RANK_WEIGHTS}' ELSE '{RANK_WEIGHTS_TITLE_UNSEEN}' END)::float4[]"
    english_rank = f"TS_RANK({weights}, {a('search_vector')}, {english})"
    row_config = f"(CASE WHEN page.in_translation THEN '{config}' ELSE 'english' END)::regconfig"
    return (
        f"SELECT {shown}, {snippet_near_first_hit(text, row_config)} AS raw_snippet, matches, in_translation "  # noqa: S608 - names only
        f"FROM (SELECT {shown}, text, rank, in_translation, shown_title, COUNT(*) OVER () AS matches FROM ("
        f"SELECT DISTINCT ON ({pk}) {shown}, text, rank, in_translation, shown_title FROM ("
        f"(SELECT {from_article}, {t('body_text')} AS text, TS_RANK({t('search_vector')}, {translated}) AS rank, "
        f"TRUE AS in_translation, {t('title')} AS shown_title FROM {translation_table} AS t JOIN {article_table} AS a "
        f"ON {a('id')} = {t('article_id')} "
        f"WHERE {readable} AND {live} "
        f"AND {t('search_vector')} @@ {translated} LIMIT %s) "
        f"UNION ALL (SELECT {from_article}, {a('body_text')}, {english_rank}, FALSE, "
        # Found by its English words: the title its reader sees is still its translation's, where they may read it.
        f"{t('title')} FROM {article_table} AS a LEFT JOIN {translation_table} AS t "
        f"ON {t('article_id')} = {a('id')} AND {readable} "
        f"WHERE {live} AND {a('search_vector')} @@ {english} LIMIT %s)"
        # An article found by both: the row of its translation, so the hit's snippet is in the reader's words.
        f") AS both_sides ORDER BY {pk}, in_translation DESC, rank DESC"
        f") AS found ORDER BY {order} LIMIT %s OFFSET %s"
        f") AS page ORDER BY {order}"
    )


def _translated_search_params(query: str, offset: int, language: str) -> list[Any]:
    """The parameters of `_translated_search_sql`, in its order."""
    filled: list[Any] = []
    for name, value in placeholder_values().items():
        filled += [placeholder_marker(name), value]
    live = [Article.Status.PUBLISHED.value, timezone.now()]
    return [
        *snippet_params(query),
        *filled,
        query,
        language,
        *live,
        query,
        SEARCH_CANDIDATES + 1,
        query,
        language,
        *live,
        query,
        SEARCH_CANDIDATES + 1,
        SEARCH_PAGE_SIZE,
        offset,
    ]


def _search_params(query: str, offset: int) -> list[Any]:
    """The parameters of `_search_sql`, in its order: the snippet's, the placeholders' values, then the page's."""
    filled: list[Any] = []
    for name, value in placeholder_values().items():
        filled += [placeholder_marker(name), value]
    return [
        *snippet_params(query),
        *filled,
        query,
        Article.Status.PUBLISHED.value,
        timezone.now(),
        query,
        SEARCH_CANDIDATES + 1,
        SEARCH_PAGE_SIZE,
        offset,
    ]


def _search_rows(query: str, offset: int, language: str) -> list[Article]:
    """A page of ranked hits (PostgreSQL), each an Article with `raw_snippet`, `matches` and `in_translation` (its
    snippet is from the translation in `language`)."""
    placeholders = len(placeholder_values())
    config = SEARCH_CONFIGS.get(language)
    if config is None:
        sql, params = _search_sql(placeholders), _search_params(query, offset)
    else:
        sql, params = _translated_search_sql(placeholders, config), _translated_search_params(query, offset, language)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    fields = _hit_fields()
    found = []
    for row in rows:
        article = Article.from_db(connection.alias, fields, row[: len(fields)])
        article.raw_snippet, article.matches = row[len(fields) : len(fields) + 2]  # type: ignore[attr-defined]
        article.in_translation = len(row) > len(fields) + 2 and bool(row[-1])  # type: ignore[attr-defined]
        found.append(article)
    return found


@lru_cache(maxsize=1)
def _hit_fields() -> list[str]:
    return [field.attname for field in Article._meta.concrete_fields if field.attname in HIT_FIELDS]


def search_page(query: str, *, number: int = 1, language: str = "") -> SearchPage:
    """A page of published articles matching `query`, best first, with snippets (one query). For a reader of a
    translated `language` (a code such as "es"), also the translations they may read, in their words."""
    # The last page holds the last ranked match: one past it would show the first unranked one ("Page 21 of 20").
    number = max(1, min(number, -(-SEARCH_CANDIDATES // SEARCH_PAGE_SIZE)))
    offset = (number - 1) * SEARCH_PAGE_SIZE
    if connection.vendor == "postgresql":
        found = _search_rows(query, offset, language)
    else:
        matching = _matching(query, language).only(*HIT_FIELDS, "body_text")
        found = list(matching.annotate(matches=Window(Count("*")))[offset : offset + SEARCH_PAGE_SIZE])
    if not found and number > 1:
        return search_page(query, number=1, language=language)
    matches = found[0].matches if found else 0  # type: ignore[attr-defined]
    hits = _search_hits(found, query)
    return SearchPage(query, hits, number, min(matches, SEARCH_CANDIDATES), matches > SEARCH_CANDIDATES)


def _search_hits(page_articles: Sequence[Article], query: str) -> list[SearchHit]:
    terms = query_terms(query)
    values = placeholder_values()
    hits = []
    for article in page_articles:
        raw = getattr(article, "raw_snippet", None)
        in_translation = bool(getattr(article, "in_translation", False))
        # PostgreSQL has filled the placeholders in already (see _body_text_filled); the fallback fills them here,
        # before the hits are marked, so a hit can never split a placeholder.
        if raw:
            snippet = highlighted(sentence_bounded(raw))
        else:
            text = getattr(article, "translated_text", "") if in_translation else article.body_text
            snippet = plain_snippet(fill_text(text or "", values), terms)
        hits.append(SearchHit(article=article, snippet=snippet, in_translation=in_translation))
    return hits
