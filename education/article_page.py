"""What the article page and the search results show of articles, prepared once per request (issue 16).

The article template (templates/education/article_detail.html) is the library's most read page, and a search page
lists ten articles. Each value they show more than once, or for each topic, related article or hit, is worked out
here once, as plain values in dictionaries: a template looks a value up anew at every use, through attributes,
methods and properties, and those lookups cost more than the work itself. The public page and the admin's preview
(an unsaved working copy, education/admin_views.PreviewArticle) both render through `article_context`.
"""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override, pgettext

from clinic_portal.links import slug_urls
from education.search_results import SearchHit
from education.translation import language_code


def article_context(article: Any) -> dict[str, Any]:
    """The template's context for `article` (an Article with `related_published`, or the admin's PreviewArticle)."""
    # The page's links to topics and articles, as their get_absolute_url() gives them, each URL pattern looked up once.
    topic_url, article_url = slug_urls("topic-detail"), slug_urls("article-detail")
    english_marked = language_code(get_language()) != "en"
    return {
        "article": article,
        "author": author_shown(article.author, english_marked=english_marked),
        "live": article.is_live,
        "summary": article.display_summary,
        "body": _scrolling_tables(article.display_html, english=bool(getattr(article, "translation_notice", None))),
        "topics": [
            {"url": topic_url(topic.slug), "name": topic.name, "lang": getattr(topic, "fallback_lang", "")}
            for topic in _topics(article)
        ],
        "sources": article.source_list,
        # A translation has no sources of its own: a reader of another language is shown the English ones, marked.
        "sources_lang": "en" if english_marked else "",
        # Past its review date: the page says it is being checked again rather than "next review due" in the past.
        "review_overdue": bool(article.next_review_due and article.next_review_due < timezone.localdate()),
        "reviewed_on": _review_day(article.reviewed_on),
        # "" when the stored name is the approver's sign-in name: the line then names no one.
        "reviewer": name_shown(article.reviewed_by, getattr(article, "reviewer_username", None)),
        "next_review": _review_day(article.next_review_due),
        "translation_approved": _translation_approved(getattr(article, "translation_approval", None)),
        "related": [
            {
                "url": article_url(related.slug),
                "title": related.title,
                "summary": related.display_summary,
                "lang": getattr(related, "fallback_lang", ""),
            }
            for related in article.related_published
        ],
    }


# The library's own team as its articles name their author: "Spine Clinic education team" (the starter articles,
# education/content/articles), or another clinic's name before "education team".
TEAM_AUTHOR = re.compile(r"(?P<clinic>\S.*?)\s+education\s+team", re.IGNORECASE)


def author_shown(author: str, *, english_marked: bool) -> str | SafeString:
    """The author as the page's "Written by ..." shows it. A clinic's team ("Spine Clinic education team", whatever
    the case and spaces typed) is named in the reader's language, the clinic's name as typed: "Escrito por el equipo
    educativo de Spine Clinic". Any other author (a person's name) is shown as typed; it has no translation, so on a
    page in another language it is marked English (WCAG 3.1.2), or a screen reader says it with that language's
    sounds."""
    if not english_marked:
        return author
    team = TEAM_AUTHOR.fullmatch(author.strip())
    if team is not None:
        named = pgettext("A clinic's team as the author of an article, after “Written by”", "%(clinic)s education team")
        if named != "%(clinic)s education team":  # a language without its translation keeps the English, marked
            return named % {"clinic": " ".join(team["clinic"].split())}
    return format_html('<span lang="en">{}</span>', author)


def _review_day(day: datetime.date | None) -> dict[str, str] | None:
    """A review date as the page shows it: for `<time datetime>`, and in words in the reader's language. Formatted
    here, only for dates the page shows, rather than by two `date` filters in the template for each (each filter
    looks its format up anew, and the translated format was looked up even for an article with no dates)."""
    if day is None:
        return None
    words_format = pgettext("Django date format: a review date, e.g. March 27, 2026", "F j, Y")
    return {"iso": day.isoformat(), "words": date_format(day, words_format)}


def name_shown(name: str, username: str | None) -> str:
    """The approver's name as patients read it: the name stored with the approval, unless it is the approving account's
    sign-in name (approvals stored before an approval needed a full name kept that in its place). A login is never
    published; the line then gives the date only."""
    return "" if username and name.strip() == username else name


def _translation_approved(
    approval: tuple[str, str | None, datetime.datetime | None] | None,
) -> dict[str, str] | None:
    """Who approved the translation shown and on which day, for the review line (None: the page is not shown in a
    translation; "by" empty: no name to show, `name_shown`). The article's own review (`reviewed_by`, `reviewed_on`)
    is of its English words: a page in a translation says so, and names this approval of the words it shows
    (education.translation.localized)."""
    if approval is None or approval[2] is None:
        return None
    name, username, approved_at = approval
    day = _review_day(timezone.localdate(approved_at))
    return {**day, "by": name_shown(name, username)} if day is not None else None


def _scrolling_tables(html: SafeString, *, english: bool) -> SafeString:
    """The body with each table in a box of its own that scrolls sideways when the table is wider than the screen (a
    phone: education.css), so the page itself does not. The box takes the keyboard's focus, so it can be scrolled
    without a mouse, and is named for a screen reader ("Table 2": each name its own) in the body's language
    (`english`: the English shown to a reader of another language). Tables come from Markdown only (raw HTML is
    switched off): a bare `<table>`."""
    if "<table>" not in html:
        return html
    first, *rest = html.split("<table>")
    with override("en" if english else get_language()):
        label = pgettext("a table in an article, as a screen reader names the box it scrolls in", "Table %(number)s")
        names = [escape(label % {"number": number}) for number in range(1, len(rest) + 1)]
    boxes = (
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{name}"><table>{part}'
        for name, part in zip(names, rest, strict=True)
    )
    return mark_safe(first + "".join(boxes).replace("</table>", "</table></div>"))  # noqa: S308


def _topics(article: Any) -> Any:
    """The article's topics by name: `page_topics` as `selectors.article_for_page` reads them with the article (no
    query), else its topics (the admin's preview, the ORM's path on SQLite)."""
    topics = getattr(article, "page_topics", None)
    return topics if topics is not None else article.topics.all()


def hit_context(hit: SearchHit, words: tuple[str, str] | None = None, *, fallback_lang: str = "") -> dict[str, Any]:
    """What the search page shows of one hit: in the reader's language when `words` (its translated title and
    summary) are given; else the English, marked with `fallback_lang` for a reader of another language."""
    article = hit.article
    if words is not None:
        shown = copy.copy(article)  # its summary's placeholders filled as the English one's are
        shown.title, shown.summary = words
        return {
            "url": article.get_absolute_url(),
            "title": shown.title,
            "summary": shown.display_summary,
            # Found in the reader's words: the snippet is of them. Found in the English only: no English snippet
            # under a title and summary in the reader's language.
            "snippet": hit.snippet if hit.in_translation else "",
            "lang": "",
        }
    return {
        "url": article.get_absolute_url(),
        "title": article.title,
        "summary": article.display_summary,
        "snippet": hit.snippet,
        "lang": fallback_lang,
    }
