"""Search snippets: turning matched text into safe HTML with the hits marked, and the SQL that finds them.

A snippet is PostgreSQL's ts_headline, which parses the whole text it is given: over an article's whole text that
cost about half a millisecond per hit, most of a search page at any library size (issue 16). `snippet_near_first_hit`
gives it a stretch of the text instead, from a little before the first place a word of the query (its stem, as the
full-text index keeps it) appears, so a snippet costs the same for a long article as for a short one. When no hit
falls in that stretch (a stem spelled differently in the text, "injuri" for "injury"), the whole text is used, as
before. The snippet then shows the hits nearest the first one rather than the densest anywhere in the article.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from education.folding import composed, hit_pattern
from education.rendering import HIT_END, HIT_START

SNIPPET_WORDS = 30
QUERY_MAX_LENGTH = 200


def clean_query(raw: str | None) -> str:
    """The visitor's search text, trimmed and bounded, each accent joined to its letter (a phone keyboard may send
    "ciática" as "cia" + a combining accent + "tica", which split into two words); empty when there is nothing to
    search for."""
    return " ".join(composed(raw or "").split())[:QUERY_MAX_LENGTH]


def query_terms(query: str) -> list[str]:
    return [term for term in re.findall(r"\w+", query.lower()) if len(term) > 1]


# Where a sentence or a block of the article ends, inside a snippet: ". ", "? ", "! " or a new line.
_SENTENCE_END = re.compile(r"[.?!]\s+|\n+")
_ENDS_A_SENTENCE = (".", "?", "!", ":", "…")
_CLOSING_QUOTES = "\"')\u201d\u2019"  # straight and curly quotes, a bracket: after a sentence's end


def sentence_bounded(raw: str) -> str:
    """A snippet (hits marked, blocks on lines) that starts at a sentence and says where it was cut.

    PostgreSQL's ts_headline cuts at words, so a snippet can open on the end of a sentence ("them. Even one or two
    softer runs..."). A snippet that starts in lower case (mid-sentence) loses what comes before the first sentence
    end, when that comes before the first hit; otherwise it gets a leading "…". One that stops mid-sentence gets a
    trailing "…". A snippet that starts with a capital letter is taken to start a sentence and is left alone.
    """
    text = raw.strip()
    if not text:
        return text
    first_letter = next((char for char in text if char.isalnum()), "")
    if first_letter.islower():
        first_hit = text.find(HIT_START)
        end = _SENTENCE_END.search(text)
        if end is not None and (first_hit < 0 or end.end() <= first_hit) and end.end() < len(text):
            text = text[end.end() :]
        else:
            text = f"… {text}"
    last = text.rstrip(HIT_END + _CLOSING_QUOTES)
    if not last.endswith(_ENDS_A_SENTENCE):
        text = f"{text} …"
    return text


def highlighted(raw: str) -> SafeString:
    """A snippet whose hits are wrapped in HIT_START/HIT_END: escape everything, then turn the marks into <mark>."""
    # Article text keeps one block (paragraph, heading, list item) a line; in a snippet a dot separates them.
    flat = " · ".join(line.strip() for line in raw.splitlines() if line.strip())
    return mark_safe(escape(flat).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>"))  # noqa: S308


def plain_snippet(text: str, terms: list[str], *, words: int = SNIPPET_WORDS) -> SafeString:
    """The stretch of `text` around the first hit, hits marked (the SQLite fallback for PostgreSQL's ts_headline)."""
    tokens = " · ".join(line.strip() for line in composed(text).splitlines() if line.strip()).split()
    if not tokens:
        return mark_safe("")
    pattern = hit_pattern(terms)
    first = next((i for i, token in enumerate(tokens) if pattern and pattern.search(token)), 0)
    start = max(first - words // 3, 0)
    window = tokens[start : start + words]
    joined = " ".join(window)
    if pattern:
        joined = pattern.sub(lambda m: f"{HIT_START}{m.group(0)}{HIT_END}", joined)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return highlighted(f"{prefix}{joined}{suffix}")


# What ts_headline shows of a hit, and the stretch of text it is given (characters before the first hit, in all).
HEADLINE_OPTIONS = "MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=' … '"
STRETCH_BEFORE = 150
STRETCH_LENGTH = 800


ENGLISH = "'english'::regconfig"


def snippet_near_first_hit(text_sql: str, config_sql: str = ENGLISH) -> str:
    """SQL for the snippet of the text `text_sql` (an SQL expression): ts_headline over the stretch around the first
    hit, or over the whole text when no hit falls in that stretch (see the module docstring). PostgreSQL only.
    `config_sql` is the text-search configuration of its language (an SQL expression: it may depend on the row).
    Its parameters: `snippet_params(query)`, then those of `text_sql` (which comes last in it)."""
    query = f"WEBSEARCH_TO_TSQUERY({config_sql}, %s)"
    first_hit = (
        "(SELECT MIN(NULLIF(STRPOS(LOWER(filled.text), stem), 0)) "  # noqa: S608 - names only
        f"FROM UNNEST(TSVECTOR_TO_ARRAY(TO_TSVECTOR({config_sql}, %s))) AS stem)"
    )
    return (
        "(SELECT CASE WHEN STRPOS(near.headline, %s) > 0 THEN near.headline "  # noqa: S608 - values as parameters
        f"ELSE TS_HEADLINE({config_sql}, near.text, {query}, %s) END FROM ("
        f"SELECT filled.text, TS_HEADLINE({config_sql}, "
        f"SUBSTR(filled.text, GREATEST(COALESCE({first_hit}, 1) - %s, 1), %s), {query}, %s) AS headline "
        # OFFSET 0: each inner select is worked out once, never folded into the CASE (which would repeat it).
        f"FROM (SELECT {text_sql} AS text OFFSET 0) AS filled OFFSET 0) AS near)"
    )


def snippet_params(query: str) -> list[Any]:
    """The parameters of `snippet_near_first_hit`, before those of its text."""
    options = f"StartSel={HIT_START}, StopSel={HIT_END}, {HEADLINE_OPTIONS}"
    return [HIT_START, query, options, query, STRETCH_BEFORE, STRETCH_LENGTH, query, options]
