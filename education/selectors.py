"""Reads for the public pages: at most two queries a page, the same at ten articles or a hundred thousand.

How (issue 16):
- The topics, with how many published articles each has and how many there are in all, are counted once per
  change of the library in each process (`library()`, education/cache.py's memo): every page shows them, none
  counts them.
- A card needs its article's topics: their ids come in the article query itself (`_topic_ids`, a small aggregate
  per row), their names from `library()`. No prefetch query per page.
- Lists are paged by key, after or before an article (`?after=<slug>`), never by counting and skipping rows: a page
  costs the same at the end of the alphabet as at its start. The page's number and the number of pages come from
  the counts of `library()`.
- A reader of a translated language reads the lists in the order of the titles they see (`title_order`), which no
  index holds: that order is worked out once per change of the library in each process (`reading_order`), and a
  page is the articles at its places in it, read by id.
- Search has its own module, education/search_results.py: it ranks a bounded set of candidates, in one query too.
- A reader of another language (education/translation.py) gets the same queries: the topics' names in that language
  come with the topic list (`Library.topics_in`), and a card's or a related article's title and summary in that
  language, when patients may read its translation, come as two more columns of the article query (`_in_language`).
  What has no translation is shown in English and marked so (`fallback_lang`, the template's `lang="en"`).
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from clinic_portal.db_backend import prepared_cursor
from clinic_portal.db_expressions import OneOf
from clinic_portal.db_rows import quoted_column
from education import cache
from education.folding import sort_key, sort_key_sql
from education.models import Article, ArticleTranslation, Topic, TopicTranslation, filled_summary
from education.translation import (
    TRANSLATED,
    language_code,
    shown_condition,
    shown_filter,
    shown_sql,
    shown_translations,
    title_order,
    with_shown_title,
)

ENGLISH = "en"

FEATURED_LIMIT = 3
PAGE_SIZE = 20
# What a card or a link to an article shows: the long text columns stay in the database.
CARD_DEFERRED = ("body", "body_html", "body_text", "search_vector", "sources")


# --- The topics, counted once per change of the library ------------------------------------------------------------


@dataclass(frozen=True)
class Topics:
    """The topics as a reader of one language sees them: by name in that language, by id and by slug."""

    topics: Sequence[Topic]  # each with `article_count` and `fallback_lang` ("en" where it has no translation),
    # and `readable`: one of its published articles may be read in that language (its translation is shown)
    by_id: dict[int, Topic] = field(default_factory=dict)
    by_slug: dict[str, Topic] = field(default_factory=dict)


@dataclass(frozen=True)
class Library:
    topics: Sequence[Topic]  # every topic by name, each with `article_count` (published articles)
    published: int  # published articles in all
    by_id: dict[int, Topic] = field(default_factory=dict)
    by_slug: dict[str, Topic] = field(default_factory=dict)
    languages: dict[str, Topics] = field(default_factory=dict)  # the same topics for each other language
    readable_in: frozenset[str] = frozenset()  # the other languages in which a published article may be read

    def topics_in(self, language: str | None) -> Topics:
        return self.languages.get(language_code(language)) or Topics(self.topics, self.by_id, self.by_slug)


def _topics_in(topics: Sequence[Topic], code: str) -> Topics:
    """Copies of the topics with their names in `code` where they have one (else English, marked), by that name."""
    shown = []
    for topic in topics:
        copy_ = Topic(pk=topic.pk, slug=topic.slug, name=topic.name, description=topic.description)
        copy_.article_count = topic.article_count  # type: ignore[attr-defined]
        name, description = getattr(topic, f"name_{code}", None), getattr(topic, f"description_{code}", None)
        if name:
            copy_.name, copy_.description = name, description or ""
        copy_.fallback_lang = "" if name else ENGLISH  # type: ignore[attr-defined]
        copy_.readable = bool(getattr(topic, f"readable_{code}", False))  # type: ignore[attr-defined]
        shown.append(copy_)
    return Topics(_by_name(shown, code), {t.pk: t for t in shown}, {t.slug: t for t in shown})


def _by_name(topics: Iterable[Topic], language: str | None) -> list[Topic]:
    """Topics by the names a reader of `language` reads: compared as a Spanish reader compares words in a translated
    language (casefolded alone, "Úlceras" came after "Zapatillas"); by the English name as stored in English."""
    if language_code(language) in TRANSLATED:
        return sorted(topics, key=lambda topic: sort_key(topic.name))
    return sorted(topics, key=lambda topic: topic.name)


def _count_library() -> Library:
    """One query: every topic with its published articles counted (one join, grouped), and the published articles in
    all (an index-only count, computed once by PostgreSQL as an init plan). For each translated language, a topic's
    name there and whether one of its published articles may be read there; and whether any published article may
    (an init plan too): the lists name their version in that language only then (`list_languages`)."""
    now = timezone.now()
    live = Article.objects.published()
    in_all = live.order_by().values("status").annotate(n=Count("*")).values("n")
    names: dict[str, Any] = {}
    live_article = {"article__status": Article.Status.PUBLISHED, "article__published_at__lte": now}
    for code in sorted(TRANSLATED):
        translated = TopicTranslation.objects.filter(topic=OuterRef("pk"), language=code)
        names[f"name_{code}"] = Subquery(translated.values("name")[:1])
        names[f"description_{code}"] = Subquery(translated.values("description")[:1])
        readable = shown_translations(code).filter(**live_article)
        # The topics of those articles, read once for all the topics (`OneOf`): an EXISTS per topic read every
        # translation in the language once per topic where none is approved (22 ms a topic at 100,000).
        topics_read = readable.filter(article__topics__isnull=False).values("article__topics")
        names[f"readable_{code}"] = OneOf("pk", topics_read)
        names[f"any_readable_{code}"] = Exists(readable)
    topics = list(
        Topic.objects.annotate(
            article_count=Count(
                "articles", filter=Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=now)
            ),
            published_in_all=Coalesce(Subquery(in_all, output_field=IntegerField()), 0),
            **names,
        ).order_by("name")
    )
    published = topics[0].published_in_all if topics else live.count()
    readable_in = {
        code
        for code in TRANSLATED
        if (
            getattr(topics[0], f"any_readable_{code}")
            if topics
            else shown_translations(code).filter(**live_article).exists()
        )
    }
    return Library(
        topics=topics,
        published=published,
        by_id={topic.pk: topic for topic in topics},
        by_slug={topic.slug: topic for topic in topics},
        languages={code: _topics_in(topics, code) for code in TRANSLATED},
        readable_in=frozenset(readable_in),
    )


def library() -> Library:
    return cache.memo("education.library", _count_library)


def topics_with_articles(language: str | None = None) -> list[Topic]:
    """Topics that have at least one published article, by name (in `language`), each with `article_count`."""
    return [topic for topic in library().topics_in(language).topics if topic.article_count]  # type: ignore[attr-defined]


def topic_or_404(slug: str, language: str | None = None) -> Topic:
    """A topic patients can read something in. One without a published article (new, or its articles drafts,
    scheduled or taken offline) is not found, as an unknown one is: the menus and the sitemap leave it out, and its
    page would only say which topics are being written."""
    topic = library().topics_in(language).by_slug.get(slug)
    if topic is None or not topic.article_count:  # type: ignore[attr-defined]
        raise Http404("No such topic.")
    return topic


def list_languages(topic: Topic | None = None) -> list[str]:
    """The languages a list of articles (all of them, or a topic's) has something to read in, English first: each
    translated language in which patients may read one of its articles (`localized`'s rule) and, for a topic, which
    names the topic. Without that its page in the language would be the English under translated menus (a topic's
    heading and description in English), which no search engine should list as a version in that language
    (education/alternates.py). No query: read from `library()`."""
    found = library()
    languages = [ENGLISH]
    for code in sorted(TRANSLATED):
        if topic is None:
            readable = code in found.readable_in
        else:
            shown = found.topics_in(code).by_id.get(topic.pk)
            readable = shown is not None and not shown.fallback_lang and shown.readable  # type: ignore[attr-defined]
        if readable:
            languages.append(code)
    return languages


# --- Cards ----------------------------------------------------------------------------------------------------------


class _IdList(Aggregate):
    """The ids of a group, comma-separated (PostgreSQL's string_agg, SQLite's group_concat)."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')"
        )


def _topic_ids() -> Subquery:
    """An article's topic ids, as one column of the article query."""
    through = Article.topics.through
    ids = (
        through.objects.filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(ids=_IdList("topic_id"))
    )
    return Subquery(ids.values("ids"), output_field=CharField())  # type: ignore[misc]  # as in _count_library


def _attach_topics(article: Article, topics: list[Topic]) -> None:
    """`article.topics.all()` answers `topics` without a query, exactly as after `prefetch_related("topics")`.

    Templates read an article's topics as `article.topics.all` (the admin's preview of a working copy renders the
    same article template); here the topics are already known from the article query and `library()`.
    """
    listing = article.topics.all()  # lazy: nothing is sent
    listing._result_cache = topics
    listing._prefetch_done = True  # type: ignore[attr-defined]  # what prefetch_related sets (not in the stubs)
    cached: dict[str, Any] = getattr(article, "_prefetched_objects_cache", {})
    article._prefetched_objects_cache = {**cached, "topics": listing}  # type: ignore[attr-defined]


def _with_topics(articles: Iterable[Article], language: str | None = None) -> list[Article]:
    """Each article with its topics by name, from the ids its query brought and `library()` (no query), and its
    title and summary in `language` when its query brought them (`_in_language`)."""
    by_id = library().topics_in(language).by_id
    shown = list(articles)
    for article in shown:
        raw = getattr(article, "topic_ids", None) or ""
        topics = [by_id[int(pk)] for pk in raw.split(",") if pk and int(pk) in by_id]
        _attach_topics(article, _by_name(topics, language))
        _show_translation(article, language)
    return shown


def _in_language(articles: QuerySet[Article], language: str | None) -> QuerySet[Article]:
    """The articles with their title and summary in `language` as two more columns, where patients may read the
    translation (made from the live English, approved: education/translation.py); none for English."""
    code = language_code(language)
    if code not in TRANSLATED:
        return articles
    shown = ArticleTranslation.objects.filter(shown_filter(code), article=OuterRef("pk"))
    return articles.annotate(
        shown_title=Subquery(shown.values("title")[:1]), shown_summary=Subquery(shown.values("summary")[:1])
    )


def _show_translation(
    article: Article | ReadNext, language: str | None, title: str | None = None, summary: str = ""
) -> None:
    """Put the translated title and summary in the article's place (never saved); `fallback_lang` is "en" when a
    reader of another language is shown the English (the template marks it), else ""."""
    title = title or getattr(article, "shown_title", None)
    if title:
        article.title = title
        article.summary = summary or getattr(article, "shown_summary", None) or article.summary
    untranslated = language_code(language) in TRANSLATED and not title
    article.fallback_lang = ENGLISH if untranslated else ""  # type: ignore[union-attr]


def _cards(language: str | None = None) -> QuerySet[Article]:
    cards = Article.objects.published().defer(*CARD_DEFERRED).annotate(topic_ids=_topic_ids())
    return _in_language(cards, language)


def featured_articles(limit: int = FEATURED_LIMIT, language: str | None = None) -> list[Article]:
    """The home page's featured articles, newest first, with their topics (one query)."""
    featured = _cards(language).filter(featured=True).order_by("-published_at", title_order(language))[:limit]
    return _with_topics(featured, language)


# --- Lists, paged by key --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """One page of an article list. `after`/`before`: the slugs the next and previous pages start from."""

    articles: list[Article]
    number: int
    num_pages: int
    next_after: str = ""
    previous_before: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_after or self.previous_before)

    @property
    def previous_query(self) -> str:
        return urlencode({"before": self.previous_before, "page": self.number - 1}) if self.previous_before else ""

    @property
    def next_query(self) -> str:
        return urlencode({"after": self.next_after, "page": self.number + 1}) if self.next_after else ""


def _keyed(articles: QuerySet[Article], slug: str, *, forward: bool) -> QuerySet[Article]:
    """Articles after (or before) the article at `slug` in (title, id) order: one range of the title index."""
    anchor = Article.objects.published().filter(slug=slug)  # a draft's slug must not answer differently
    title = Subquery(anchor.values("title")[:1])
    pk = Subquery(anchor.values("pk")[:1])
    if forward:
        return articles.filter(Q(title__gte=title), Q(title__gt=title) | Q(pk__gt=pk))
    return articles.filter(Q(title__lte=title), Q(title__lt=title) | Q(pk__lt=pk))


def article_page(
    *, topic: Topic | None, after: str = "", before: str = "", number: int = 1, language: str | None = None
) -> ListPage:
    """A page of published articles by the title a reader of `language` sees, of one topic or all, after or before an
    article (one query); each shown in `language` where it may be. In English by the title index
    (`_english_slice`), in a translated language by the order worked out for it (`_translated_slice`)."""
    total = topic.article_count if topic is not None else library().published  # type: ignore[attr-defined]
    num_pages = max(1, -(-total // PAGE_SIZE))
    slice_ = _translated_slice if language_code(language) in TRANSLATED else _english_slice
    shown, more = slice_(topic=topic, after=after, before=before, language=language)
    articles = _with_topics(shown, language)
    if before:
        # `more`: there are articles before these.
        return ListPage(
            articles,
            max(2, min(number, num_pages)) if more else 1,
            num_pages,
            next_after=articles[-1].slug if articles else "",
            previous_before=articles[0].slug if more and articles else "",
        )
    # `more`: there are articles after these.
    return ListPage(
        articles,
        max(2, min(number, num_pages)) if after else 1,
        num_pages,
        next_after=articles[-1].slug if more and articles else "",
        previous_before=articles[0].slug if after and articles else "",
    )


def _english_slice(*, topic: Topic | None, after: str, before: str, language: str | None) -> tuple[list[Article], bool]:
    """A page's articles by (title, id) from the article at `after` or `before` (one range of the title index), and
    whether there are more beyond them in the direction of paging."""
    articles = _cards(language)
    if topic is not None:
        articles = articles.filter(topics=topic)
    if before:
        found = list(_keyed(articles, before, forward=False).order_by("-title", "-pk")[: PAGE_SIZE + 1])
        return found[:PAGE_SIZE][::-1], len(found) > PAGE_SIZE
    if after:
        articles = _keyed(articles, after, forward=True)
    found = list(articles.order_by("title", "pk")[: PAGE_SIZE + 1])
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def _translated_slice(
    *, topic: Topic | None, after: str, before: str, language: str | None
) -> tuple[list[Article], bool]:
    """The same in the order of the titles a reader of `language` sees (`reading_order`): the page's places are
    counted out from the article at `after` or `before` without a query, and its cards read by id (one query)."""
    order = reading_order(language)
    places = order.places_of(topic)
    if before or after:
        anchor = order.place.get(before or after)
        if anchor is None:  # not a published article: no page (the view starts again from the first)
            return [], False
        if before:
            end = bisect.bisect_left(places, anchor)
            start = max(0, end - PAGE_SIZE)
            return _cards_at(order, places[start:end], language), start > 0
        start = bisect.bisect_right(places, anchor)
    else:
        start = 0
    end = start + PAGE_SIZE
    return _cards_at(order, places[start:end], language), end < len(places)


def _cards_at(order: ReadingOrder, places: Sequence[int], language: str | None) -> list[Article]:
    """The cards of the articles at `places` in `order`, in that order (one query)."""
    ids = [order.ids[place] for place in places]
    by_id = {card.pk: card for card in _cards(language).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- The order of the lists in a translated language, worked out once per change of the library -------------------


@dataclass(frozen=True)
class ReadingOrder:
    """The published articles in the order of the titles a reader of one translated language sees (`title_order`).

    Worked out once per change of the library in each process (`reading_order`), as the topic counts are: ordered by
    a title the query must first look up (the translation's, where patients may read it) and fold, a list cannot be
    read from an index. Sorting every published article for each page took 0.4 to 5 s a page at a hundred thousand
    (PostgreSQL 15, half of them translated); worked out once, it takes about 1.3 s after each change, and a page
    about 10 ms.
    """

    ids: Sequence[int]  # the articles' ids, in that order
    place: dict[str, int]  # an article's slug -> its index in `ids`
    topic_places: dict[int, Sequence[int]]  # a topic's id -> the indexes of its articles in `ids`, ascending

    def places_of(self, topic: Topic | None) -> Sequence[int]:
        """The indexes in `ids` of the articles of a list: of `topic`, or all."""
        return range(len(self.ids)) if topic is None else self.topic_places.get(topic.pk, ())


def reading_order(language: str | None) -> ReadingOrder:
    code = language_code(language)
    return cache.memo(f"education.reading_order.{code}", lambda: _work_out_reading_order(code))


def _work_out_reading_order(code: str) -> ReadingOrder:
    """One query: every published article's id, slug and topics (a row for each topic, an article's rows together),
    by the title a reader of `code` sees. Kept in compact arrays: every process keeps one per translated language."""
    rows = (
        with_shown_title(Article.objects.published(), code)
        .order_by(title_order(code), "pk")
        .values_list("pk", "slug", "topics")
    )
    ids: array[int] = array("q")
    place: dict[str, int] = {}
    topic_places: dict[int, array[int]] = {}
    for pk, slug, topic_id in rows:
        if slug not in place:
            place[slug] = len(ids)
            ids.append(pk)
        if topic_id is not None:
            topic_places.setdefault(topic_id, array("q")).append(place[slug])
    return ReadingOrder(ids, place, dict(topic_places))


# --- One article ----------------------------------------------------------------------------------------------------


def articles_linking_to(article: Article, *, limit: int = 10) -> list[str]:
    """Titles of published or scheduled articles whose text (English, or a translation) links to `article` at its
    address or an old one (an editor's action, not a page: a scan of the library's text is fine), at most `limit`."""
    slugs = [article.slug, *article.old_addresses.values_list("slug", flat=True)]
    mentions = Q()
    for slug in slugs:
        mentions |= Q(body__contains=f"/articles/{slug}/") | Q(translations__body__contains=f"/articles/{slug}/")
    linking = Article.objects.filter(mentions, status=Article.Status.PUBLISHED).exclude(pk=article.pk).distinct()
    return list(linking.order_by("title").values_list("title", flat=True)[:limit])


def moved_article_url(slug: str) -> str | None:
    """The address of the published article that had `slug` before an editor changed it, or None: asked only when no
    published article has the address (a page that would be "not found"), so it costs the article page nothing. An
    address an article took after (a draft, or one taken offline since) does not hide the live one's redirect."""
    article = Article.objects.published().filter(old_addresses__slug=slug).only("slug").first()
    return article.get_absolute_url() if article is not None else None


def article_for_page(slug: str, *, can_preview: bool, language: str | None = None) -> Article:
    """The article at `slug` with its topics, `related_published` (its published related articles, by title, each
    in `language` where patients may read its translation) and `shown_languages` (the languages other than English
    patients may read it in, as `is_shown` says): one query. Drafts and scheduled articles only for those
    who may preview them. (The article's own words in `language`: education.translation.localized.)"""
    if connection.vendor != "postgresql":
        return _article_for_page_orm(slug, can_preview=can_preview, language=language)
    now = timezone.now()
    status = Article.Status.PUBLISHED.value
    code = language_code(language)
    params: list[Any] = [code, status, now, slug, *(() if can_preview else (status, now))]
    with prepared_cursor(connection) as cursor:
        # A plain cursor, not `Article.objects.raw()`: the row is read straight into the model (the page's columns
        # need no conversion on PostgreSQL), without the raw query set's per-query column mapping. Prepared once per
        # connection: PostgreSQL spent twice as long planning this statement as running it.
        cursor.execute(_article_page_sql(can_preview=can_preview, translated=code in TRANSLATED), params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such article.")
    fields = _page_fields()
    article = Article.from_db(connection.alias, fields, row[: len(fields)])
    topic_ids, rows, shown_languages, reviewer_username = row[len(fields) :]
    article.reviewer_username = reviewer_username  # type: ignore[attr-defined]
    article.shown_languages = sorted((shown_languages or "").split(",")) if shown_languages else []  # type: ignore[attr-defined]
    by_id = library().topics_in(language).by_id
    topics = [by_id[int(pk)] for pk in (topic_ids or "").split(",") if pk and int(pk) in by_id]
    # A plain list for the page (education.article_page reads it), not `article.topics.all()`: making the related
    # manager twice per request cost more than the rest of the row's reading.
    article.page_topics = _by_name(topics, language)  # type: ignore[attr-defined]
    if isinstance(rows, str):  # json arrives as text when the driver leaves it to us
        rows = json.loads(rows)
    related = _related_fields()
    shown = []
    for values in rows or ():
        other = ReadNext(**dict(zip(related, values, strict=False)))
        _show_translation(other, language, *values[len(related) :])
        shown.append(other)
    article.related_published = shown  # type: ignore[attr-defined]
    return article


@dataclass
class ReadNext:
    """A related article as the article page's "Read next" shows it, from `article_for_page`'s row: a plain object,
    as making a model instance for each cost more than reading the row (issue 16). (The ORM's path and the admin's
    preview give Articles, which have the same attributes.)"""

    id: int
    title: str
    slug: str
    summary: str
    fallback_lang: str = ""

    @property
    def display_summary(self) -> str:
        return filled_summary(self.summary)


# What "Read next" shows of a related article; and what the article page leaves in the database: the long texts, and
# the columns it never shows (reading each timestamp and number cost more than the rest of the row, issue 16).
RELATED_FIELDS = ("id", "title", "slug", "summary")
PAGE_DEFERRED = ("body", "body_text", "search_vector")
PAGE_UNSHOWN = (
    "featured",
    "reviewer",
    "reading_grade",
    "word_count",
    "created_at",
    "updated_at",
    "page_changed_at",
)


@lru_cache(maxsize=1)
def _page_fields() -> list[str]:
    """The attnames the article page reads, in the model's order (the first columns of its query)."""
    return [field.attname for field in Article._meta.concrete_fields if field.name not in PAGE_DEFERRED + PAGE_UNSHOWN]


@lru_cache(maxsize=1)
def _related_fields() -> list[str]:
    """RELATED_FIELDS in the model's order, as `Model.from_db` reads a partial row."""
    return [field.attname for field in Article._meta.concrete_fields if field.attname in RELATED_FIELDS]


@lru_cache(maxsize=4)
def _article_page_sql(*, can_preview: bool, translated: bool) -> str:
    """The article page's one query, written once per process: the page is the library's most read, and building
    the same query through the ORM on every request cost more than running it. Its columns come from the model, so
    a field added later is read too; its topic ids are `_topic_ids`' aggregate, its related articles one JSON array.
    Each related article comes with its title and summary in the reader's language (NULL when patients may not read
    a translation: education/translation.py); for a reader of a translated language (`translated`), in the order of
    the titles they see (`title_order`), else by the English title.
    Its last column lists the languages patients may read the article itself in (`shown_sql`), for the page's
    alternates (education.alternates).
    Parameters: the language, published status and now (for the related articles), slug, then status and now unless
    previewing.
    """
    quote = connection.ops.quote_name
    meta = Article._meta
    topics = Article.topics.through
    related = Article.related.through
    table = quote(meta.db_table)
    columns = ", ".join(f"a.{quoted_column(Article, name)}" for name in _page_fields())
    topic_article, topic_id = quoted_column(topics, "article"), quoted_column(topics, "topic")
    from_id, to_id = quoted_column(related, "from_article"), quoted_column(related, "to_article")
    status, published_at = quoted_column(Article, "status"), quoted_column(Article, "published_at")
    related_values = ", ".join(f"r.{quoted_column(Article, name)}" for name in _related_fields())
    live = "" if can_preview else f" AND a.{status} = %s AND a.{published_at} <= %s"
    translations = quote(ArticleTranslation._meta.db_table)
    tr_article, tr_language = (
        quoted_column(ArticleTranslation, "article"),
        quoted_column(ArticleTranslation, "language"),
    )
    by_title = sort_key_sql("COALESCE(tr.title, r.title)") if translated else "r.title"
    users = get_user_model()
    username, user_id = quoted_column(users, users.USERNAME_FIELD), quoted_column(users, users._meta.pk.name)
    reviewer = quoted_column(Article, "reviewer")
    return (
        f"SELECT {columns}, "  # noqa: S608 - names from the model, values as parameters
        f"(SELECT STRING_AGG(CAST(t.{topic_id} AS TEXT), ',') FROM {quote(topics._meta.db_table)} t "
        f"WHERE t.{topic_article} = a.id) AS topic_ids, "
        f"(SELECT JSON_AGG(JSON_BUILD_ARRAY({related_values}, tr.title, tr.summary) ORDER BY {by_title}, r.id) "
        f"FROM {quote(related._meta.db_table)} l JOIN {table} r ON r.id = l.{to_id} "
        f"LEFT JOIN {translations} tr ON tr.{tr_article} = r.id AND tr.{tr_language} = %s "
        f"AND {shown_sql('tr', 'r')} "
        f"WHERE l.{from_id} = a.id AND r.{status} = %s AND r.{published_at} <= %s) AS related_rows, "
        f"(SELECT STRING_AGG(s.{tr_language}, ',') FROM {translations} s "
        f"WHERE s.{tr_article} = a.id AND {shown_sql('s', 'a')}) AS shown_languages, "
        f"(SELECT u.{username} FROM {quote(users._meta.db_table)} u WHERE u.{user_id} = a.{reviewer}) "
        "AS reviewer_username "
        f"FROM {table} a WHERE a.slug = %s{live} LIMIT 1"
    )


def _article_for_page_orm(slug: str, *, can_preview: bool, language: str | None = None) -> Article:
    """The same through the ORM, in two queries (SQLite, for `make run`)."""
    visible = Article.objects.all() if can_preview else Article.objects.published()
    in_languages = {
        f"shown_{code}": Exists(ArticleTranslation.objects.filter(shown_filter(code), article=OuterRef("pk")))
        for code in sorted(TRANSLATED)
    }
    page = visible.defer(*PAGE_DEFERRED, *PAGE_UNSHOWN).annotate(
        topic_ids=_topic_ids(), reviewer_username=F(f"reviewer__{get_user_model().USERNAME_FIELD}"), **in_languages
    )
    found = list(page.filter(slug=slug)[:1])
    if not found:
        raise Http404("No such article.")
    article = _with_topics(found, language)[0]
    article.shown_languages = [code for code in sorted(TRANSLATED) if getattr(article, f"shown_{code}")]  # type: ignore[attr-defined]
    related = Article.related.through.objects.filter(from_article_id=article.pk).values("to_article_id")
    others = Article.objects.published().filter(pk__in=related).only(*RELATED_FIELDS, "english_sha256")
    shown = list(_in_language(others, language).order_by(title_order(language), "pk"))
    for other in shown:
        _show_translation(other, language)
    article.related_published = shown  # type: ignore[attr-defined]
    return article


# --- The sitemap ----------------------------------------------------------------------------------------------------


def sitemap_articles() -> QuerySet[Any]:
    """The published articles by slug as the sitemap lists them, in one query, as rows: the slug, when what its page
    shows last changed (saved, gone live, its topics or "Read next" list changed: education/page_changes.py) and,
    for each translated language in order, when its page in that language last changed (the same, or its
    translation released later: approved, or its approved words put back), or None where patients may not read its
    translation (`is_shown`: its address in that language is not listed). The translations come by a join (one per
    article and language), as `with_shown_title`'s."""
    articles = Article.objects.published()
    changed = Greatest(F("updated_at"), F("published_at"), Coalesce(F("page_changed_at"), F("updated_at")))
    columns = ["slug", "changed"]
    for code in sorted(TRANSLATED):
        relation = f"in_{code}"
        released = Greatest(F(f"{relation}__approved_at"), F(f"{relation}__updated_at"))
        shown = shown_condition(english=F("english_sha256"), translation=relation)
        articles = articles.annotate(
            **{relation: FilteredRelation("translations", condition=Q(translations__language=code))}
        ).annotate(**{f"changed_{code}": Case(When(shown, then=Greatest(changed, Coalesce(released, changed))))})
        columns.append(f"changed_{code}")
    return articles.annotate(changed=changed).order_by("slug").values_list(*columns)
