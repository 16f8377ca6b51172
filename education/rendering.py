"""Markdown -> safe HTML, plain text and readability figures for articles. Pure functions: no database, no Django.

Two layers keep editor input from ever becoming script on a patient's page:
1. Markdown is run with its raw-HTML handling switched off, so `<script>` typed in a body is shown as text.
2. The result goes through nh3 (a maintained sanitiser) with a short allow-list of tags, attributes and URL schemes;
   it drops event handlers and `javascript:` links, and gives every link `rel="noopener"`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
import textstat
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

HELP_NOW_HEADING = "When to get help now"
HELP_NOW_CLASS = "help-now"

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p", "pre", "strong",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_CLASSES = {"blockquote": {HELP_NOW_CLASS}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Private-use characters mark search hits in snippets; they are removed from article text so nobody can fake one.
HIT_START = "\ue000"
HIT_END = "\ue001"


class _HelpNowBoxes(Treeprocessor):
    """Marks a blockquote that opens with **When to get help now** so the page can style it as an alert box."""

    def run(self, root: ET.Element) -> None:
        for quote in root.iter("blockquote"):
            first = next(iter(quote), None)
            strong = next(iter(first), None) if first is not None else None
            if strong is not None and strong.tag == "strong" and (strong.text or "").strip() == HELP_NOW_HEADING:
                quote.set("class", HELP_NOW_CLASS)


class _SafeMarkdown(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is escaped as text instead of passed through (layer 1 above).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_HelpNowBoxes(md), "help_now_boxes", 0)


def render_markdown(source: str) -> str:
    """The article body as sanitised HTML, safe to mark safe in a template."""
    html = markdown.markdown(source, extensions=["sane_lists", "tables", _SafeMarkdown()], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )


_BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "blockquote", "td", "th", "pre", "tr"}
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")


class _TextExtractor(HTMLParser):
    """Collects visible text; each block (paragraph, list item, heading) becomes its own line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def text(self) -> str:
        self._flush()
        return "\n".join(self.blocks)


def plain_text(html: str) -> str:
    """Visible text of rendered HTML, one block a line (for search, snippets and readability)."""
    extractor = _TextExtractor()
    extractor.feed(html)
    return extractor.text().replace(HIT_START, "").replace(HIT_END, "")


@dataclass(frozen=True)
class Readability:
    grade: float
    words: int


_WORD = re.compile(r"[a-z0-9]+(?:['\u2019-][a-z0-9]+)*")


def readability(text: str) -> Readability:
    """Flesch-Kincaid grade and word count of plain text.

    The formula counts sentences by their end punctuation. A heading or a list item is read as a unit of its own,
    so each line without end punctuation is closed with a full stop first; otherwise a bulleted list would count as
    one very long sentence and the grade would be far too high.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    prose = " ".join(line if _SENTENCE_END.search(line) else f"{line}." for line in lines)
    words = _WORD.findall(prose.lower())
    if not words:
        return Readability(grade=0.0, words=0)
    grade = textstat.flesch_kincaid_grade(prose)
    return Readability(grade=round(max(grade, 0.0), 1), words=len(words))
