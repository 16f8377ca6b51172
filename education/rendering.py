"""Markdown -> safe HTML, plain text and readability figures for articles. Pure functions: no database, no Django.

Two layers keep editor input from ever becoming script on a patient's page:
1. Markdown is run with its raw-HTML handling switched off, so `<script>` typed in a body is shown as text.
2. The result goes through nh3 (a maintained sanitiser) with a short allow-list of tags, attributes and URL schemes;
   it drops event handlers and `javascript:` links, and gives every link `rel="noopener"`.

Clinic placeholders. Editors type `{{ emergency_number }}`, `{{ clinic_phone }}` or `{{ clinic_name }}` instead of
the number or name itself, so that one setting changes every article. This is not a template language: a fixed
list of names, matched by a regular expression and replaced by plain string substitution; nothing is evaluated, and
any other `{{ ... }}` stays as typed. Rendering turns each placeholder found in the text (not inside a link address,
not inside `code`) into a marker made of private-use characters, which the stored HTML and plain text keep. The
page fills the markers in when it is shown (`fill_html`, HTML-escaped; `fill_text` for plain text), so a changed
setting shows on every article at once, with no re-save, at the cost of one regular-expression pass.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

import markdown
import nh3
import textstat
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
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

# The clinic placeholders an editor may type, and the private-use characters that mark them in stored HTML and text.
PLACEHOLDER_NAMES = ("emergency_number", "clinic_phone", "clinic_name")
PLACEHOLDER_START = "\ue002"
PLACEHOLDER_END = "\ue003"
_NAMES = "|".join(PLACEHOLDER_NAMES)
TYPED_PLACEHOLDER = re.compile(rf"\{{\{{[ \t]*({_NAMES})[ \t]*\}}\}}")
_STORED_PLACEHOLDER = re.compile(f"{PLACEHOLDER_START}({_NAMES}){PLACEHOLDER_END}")
_MARKER_CHARACTERS = {ord(char): None for char in (HIT_START, HIT_END, PLACEHOLDER_START, PLACEHOLDER_END)}


def placeholder_marker(name: str) -> str:
    """How the placeholder `name` is kept in stored HTML and plain text until the page fills it in."""
    return f"{PLACEHOLDER_START}{name}{PLACEHOLDER_END}"


def fill_html(html: str, values: Mapping[str, str]) -> str:
    """Stored (sanitised) HTML with each placeholder marker replaced by its value, HTML-escaped."""
    if PLACEHOLDER_START not in html:
        return html
    return _STORED_PLACEHOLDER.sub(lambda match: escape(_value(match.group(1), values)), html)


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Stored plain text (search text, snippets) with each placeholder marker replaced by its value, unescaped."""
    if PLACEHOLDER_START not in text:
        return text
    return _STORED_PLACEHOLDER.sub(lambda match: _value(match.group(1), values), text)


def fill_typed(text: str, values: Mapping[str, str]) -> str:
    """Plain text as an editor typed it (a summary) with `{{ name }}` replaced by its value, unescaped.

    The result is plain text: the template escapes it like any other value.
    """
    if "{{" not in text:
        return text
    return TYPED_PLACEHOLDER.sub(lambda match: _value(match.group(1), values), text)


def _value(name: str, values: Mapping[str, str]) -> str:
    # A name without a value is shown as the editor typed it, never as an empty gap in an emergency sentence.
    return str(values.get(name, f"{{{{ {name} }}}}"))


class _HelpNowBoxes(Treeprocessor):
    """Marks a blockquote that opens with **When to get help now** so the page can style it as an alert box."""

    def run(self, root: ET.Element) -> None:
        for quote in root.iter("blockquote"):
            first = next(iter(quote), None)
            strong = next(iter(first), None) if first is not None else None
            if strong is not None and strong.tag == "strong" and (strong.text or "").strip() == HELP_NOW_HEADING:
                quote.set("class", HELP_NOW_CLASS)


class _Placeholders(InlineProcessor):
    """Turns a typed `{{ emergency_number }}` (and the other names) in running text into its marker.

    Registered below every other inline pattern, so link addresses have already been taken out of the text and code
    spans are left alone: a marker can only ever end up in text, never inside an attribute.
    """

    def handleMatch(  # type: ignore[override]  # markdown's InlineProcessor API itself breaks Pattern.handleMatch
        self, m: re.Match[str], data: str
    ) -> tuple[str, int, int]:
        return placeholder_marker(m.group(1)), m.start(0), m.end(0)


class _SafeMarkdown(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is escaped as text instead of passed through (layer 1 above).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_Placeholders(TYPED_PLACEHOLDER.pattern, md), "clinic_placeholders", 1)
        md.treeprocessors.register(_HelpNowBoxes(md), "help_now_boxes", 0)


def render_markdown(source: str) -> str:
    """The article body as sanitised HTML, safe to mark safe in a template (after `fill_html`, still safe).

    Placeholders become markers (see the module docstring); marker characters typed into the source are dropped,
    so nobody can forge one.
    """
    source = source.translate(_MARKER_CHARACTERS)
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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
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
