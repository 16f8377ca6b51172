"""Which words a reader of another language is shown, and whether a translation still matches its English.

The public article page asks `localized(article, translation.get_language())`:
- English (or a language the library has no translations for): the article as it is.
- A translation made from the English that is live now, whose words a clinical reviewer approved: its title,
  summary and body, and who approved them and when (`translation_approval`: the page's review line says the medical
  review was of the English original, and who approved the translation; sources, topics, the review dates and the
  "When to get help now" box stay the article's own; the box and the numbers are in the reader's language through
  the templates).
- A translation made from older English (the English changed since), or changed since a reviewer approved it (or
  never approved): the current English, with a notice in the reader's language that the translation is being
  updated. Clinical advice the clinic has since changed, or that no clinician has read, is never shown, and the
  reader is told why they see English (`notice == "outdated"`).
- No translation: the English, with a notice that the article is not translated yet (`notice == "missing"`).

Editors see the same state in the admin: a badge in the list and a banner with what changed in the English since.
"""

from __future__ import annotations

import copy

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, When
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from clinic_portal.db_rows import quoted_column
from education.diffs import line_changes
from education.folding import SortKey
from education.models import TRANSLATION_LANGUAGES, Article, ArticleTranslation

TRANSLATED = {code for code, _name in TRANSLATION_LANGUAGES}
OUTDATED = "outdated"
PENDING = "pending"  # never approved yet: not "being updated after a recent change"
MISSING = "missing"


def language_code(language: str | None) -> str:
    return (language or "en").split("-")[0].lower()


def localized(article: Article, language: str | None) -> Article:
    """The article as a reader of `language` should see it (a copy when anything differs; never saved)."""
    code = language_code(language)
    article.translation_notice = None  # type: ignore[attr-defined]
    article.translation_approval = None  # type: ignore[attr-defined]
    if code not in TRANSLATED:
        return article
    shown = copy.copy(article)
    # The approver's sign-in name beside the stored name, by a join in the same query: an approval stored before
    # approvals needed a full name holds the sign-in name, which patients are not shown (article_page.name_shown).
    found = (
        ArticleTranslation.objects.filter(article=article, language=code)
        .annotate(approver_username=F(f"approved_by__{get_user_model().USERNAME_FIELD}"))
        .first()
    )
    if found is None:
        shown.translation_notice = MISSING  # type: ignore[attr-defined]
    elif not is_shown(found, article):
        shown.translation_notice = OUTDATED if found.approved_sha256 else PENDING  # type: ignore[attr-defined]
    else:
        shown.title = found.title
        shown.summary = found.summary
        shown.body_html = found.body_html
        shown.body_text = found.body_text
        shown.translation_notice = None  # type: ignore[attr-defined]
        approval = (found.approved_by_name, found.approver_username, found.approved_at)
        shown.translation_approval = approval  # type: ignore[attr-defined]
    return shown


def is_shown(translation: ArticleTranslation, article: Article) -> bool:
    """Patients may read this translation: made from the English live now, and its words approved by a clinical
    reviewer as they stand. The one rule, also as a query's condition (`shown_condition`) and as SQL for statements
    written out (`shown_sql`): every place that shows a translation asks one of the three."""
    return translation.source_sha256 == article.english_sha256 and translation.is_approved


def shown_condition(*, english: Combinable, translation: str = "") -> Q:
    """`is_shown` as a condition of a query: the translation was made from `english` (its article's `english_sha256`
    as the query reaches it: `OuterRef("english_sha256")` in a subquery beside the article,
    `F("article__english_sha256")` in a query of translations) and its words are approved as they stand.
    `translation` is the path from the query's model to the translation ("" in a query of translations). (A saved
    translation's `content_sha256` is never empty, so equal hashes are an approval, as `is_approved` asks.)"""
    path = f"{translation}__" if translation else ""
    return Q(**{f"{path}source_sha256": english, f"{path}approved_sha256": F(f"{path}content_sha256")})


def shown_sql(translation: str, article: str) -> str:
    """`is_shown` as an SQL condition, for statements written out: `translation` and `article` are the aliases the
    statement gives the translation's table and its article's."""
    source, english = quoted_column(ArticleTranslation, "source_sha256"), quoted_column(Article, "english_sha256")
    approved = quoted_column(ArticleTranslation, "approved_sha256")
    content = quoted_column(ArticleTranslation, "content_sha256")
    return f"{translation}.{source} = {article}.{english} AND {translation}.{approved} = {translation}.{content}"


def shown_translations(language: str) -> QuerySet[ArticleTranslation]:
    """The translations in `language` that patients may read (as `is_shown` says), as a query of translations."""
    return ArticleTranslation.objects.filter(shown_condition(english=F("article__english_sha256")), language=language)


def shown_filter(language: str) -> Q:
    """The translations patients may read, as a filter (for a subquery beside the article: its `english_sha256`)."""
    return Q(language=language) & shown_condition(english=OuterRef("english_sha256"))


def with_shown_title(articles: QuerySet[Article], language: str) -> QuerySet[Article]:
    """The articles with `shown_title`: the title of their translation in `language` where patients may read it (as
    `is_shown` says), else NULL. A join (one translation per article and language), where `shown_filter`'s
    subquery would run once per article: for a list of every article (selectors.reading_order), and SQLite's search.
    The rule is checked beside the join, not in it: a condition of a FilteredRelation that names the relation's own
    columns on both sides joins the table a second time."""
    shown = shown_condition(english=F("english_sha256"), translation="shown_translation")
    return articles.annotate(
        shown_translation=FilteredRelation("translations", condition=Q(translations__language=language)),
    ).annotate(shown_title=Case(When(shown, then=F("shown_translation__title"))))


def seen_title(language: str | None) -> Combinable:
    """The title a reader of `language` sees, in a query of articles: in English (or a language the library has no
    translations for) the article's; in a translated language its translation's where patients may read it
    (`shown_title`, which the query annotates beside each article), else the English."""
    if language_code(language) not in TRANSLATED:
        return F("title")
    return Coalesce(F("shown_title"), F("title"))


def title_order(language: str | None) -> Combinable:
    """What a list by title is ordered by for a reader of `language`. In English, the title as stored (the order of
    the title index the lists page through). In a translated language, the title the reader sees (`seen_title`),
    compared as a Spanish reader compares them (education.folding.sort_key): in the English order the Spanish titles
    a reader saw looked unsorted."""
    if language_code(language) not in TRANSLATED:
        return F("title")
    return SortKey(seen_title(language))


def shown_words(articles: list[Article], language: str | None) -> dict[int, tuple[str, str]]:
    """Article id -> (title, summary) in `language`, for the articles whose translation patients may read ({} in
    English; one query otherwise): search results in the reader's language."""
    code = language_code(language)
    if code not in TRANSLATED or not articles:
        return {}
    by_id = {article.pk: article for article in articles}
    found = ArticleTranslation.objects.filter(article_id__in=by_id, language=code).only(
        "article_id", "title", "summary", "source_sha256", "content_sha256", "approved_sha256"
    )
    return {row.article_id: (row.title, row.summary) for row in found if is_shown(row, by_id[row.article_id])}


def current_titles(articles: list[Article], language: str | None) -> dict[int, str]:
    """Article id -> its title in `language`, for the articles whose translation patients may read ({} in English):
    what a list of links shows a reader, who then opens the article in their own language."""
    return {article_id: title for article_id, (title, _summary) in shown_words(articles, language).items()}


def with_waiting_release(translations: QuerySet[ArticleTranslation]) -> QuerySet[ArticleTranslation]:
    """The translations with a starter release waiting for a clinical reviewer, as a query:
    `ArticleTranslation.waiting_release` (queued over the words they have, of the English they were made from)."""
    return translations.alias(release_over=KT("new_release__over"), release_english=KT("new_release__english")).filter(
        release_over=F("content_sha256"), release_english=F("source_sha256")
    )


def release_waiting() -> Exists:
    """In a query of articles: one of the article's translations has a starter release waiting for a clinical
    reviewer that still applies (of the English live now), as education/reminders.py lists them."""
    translations = ArticleTranslation.objects.filter(article=OuterRef("pk"), source_sha256=OuterRef("english_sha256"))
    return Exists(with_waiting_release(translations))


def awaiting_approval(translations: QuerySet[ArticleTranslation]) -> QuerySet[ArticleTranslation]:
    """The translations whose words no clinical reviewer approved as they stand (never approved, or changed since): the
    opposite of `ArticleTranslation.is_approved`, as a query. (Of the English live now, they wait for a reviewer.)"""
    return translations.exclude(approved_sha256=F("content_sha256"))  # never approved (""), or other words approved


def approval_waiting() -> Q:
    """In a query of articles: a live article with a translation of its English as it is now whose words wait for a
    clinical reviewer's approval (patients read the English meanwhile), as education/reminders.py lists them."""
    translations = ArticleTranslation.objects.filter(article=OuterRef("pk"), source_sha256=OuterRef("english_sha256"))
    return Q(Exists(awaiting_approval(translations)), status=Article.Status.PUBLISHED)


def with_out_of_date(translations: QuerySet[ArticleTranslation]) -> QuerySet[ArticleTranslation]:
    """Annotate `is_up_to_date`: made from the English that is live now (False: it changed since). One query."""
    current = Article.objects.filter(pk=OuterRef("article_id"), english_sha256=OuterRef("source_sha256"))
    return translations.annotate(is_up_to_date=Exists(current))


def english_changes(translation: ArticleTranslation) -> SafeString:
    """What changed in the English since the translation was made, field by field (all text escaped)."""
    article = translation.article
    before = translation.source or {}
    parts = [
        format_html('<h3 class="english-change-field">{}</h3>{}', label, line_changes(str(before.get(field, "")), now))
        for field, label in (("title", "Title"), ("summary", "Summary"), ("body", "Body"))
        if str(before.get(field, "")) != (now := str(getattr(article, field)))
    ]
    return format_html_join("", "{}", ((part,) for part in parts))


def release_changes(translation: ArticleTranslation) -> SafeString:
    """What the starter release waiting for review changes in the translation's words, field by field (all text
    escaped): what a clinical reviewer reads before approving it."""
    release = translation.waiting_release or {}
    parts = [
        format_html('<h3 class="english-change-field">{}</h3>{}', label, line_changes(now, new))
        for field, label in (("title", "Title"), ("summary", "Summary"), ("body", "Body"))
        if (now := str(getattr(translation, field))) != (new := str(release.get(field, now)))
    ]
    return format_html_join("", "{}", ((part,) for part in parts))
