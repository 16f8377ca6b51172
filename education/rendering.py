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

Boxes. A line holding only `[[get-help-now]]` becomes the "When to get help now" box. It is stored as a marker too,
and the page puts the box in when it is shown (`fill_html` with `blocks`): its wording lives in one template and its
numbers in the settings, so one edit changes every article (docs/clinical/ARTICLES.md, "Corrections to articles
1-10"). The plain-text value of the same name (`fill_text`) is what search snippets and the reading grade see.
A blockquote typed to open with the box's heading in bold (an article's own box, as article 15's) is shown as the
same red box: the page recognises it when it shows the body (`mark_help_now_boxes`), given the heading's words in
each language from the translation catalogue (education.snippets.help_now_headings), so new words there reach every
stored article and translation without saving them again. Saving marks it too (education.models.render_body), and
both know the heading's words of every release besides the catalogue's of the moment, so a box typed in the
heading's old words keeps its mark when the catalogue's words change, also when its body is saved again after.

Images. `![what the picture shows](image:name)` shows an image uploaded in the admin (education.models.ArticleImage).
The rendering is given the uploaded images it may use (`images`); an image whose address is anything else, or that
has no description (alt text), is dropped, and `body_problems` names each one so the admin form refuses the body
with a message instead. nh3 then allows `img` with exactly the attributes this produces: `src` under the uploaded
images' address (`image_prefix`) only, `alt`, `width`, `height` and `loading="lazy"`.

Line endings. Browsers send a textarea's lines ending in CR LF; `normalize_newlines` turns every CR LF and lone CR
into LF, so a stored text (and its history) changes only where an editor changed it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

import markdown
import nh3
import textstat
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

HELP_NOW_CLASS = "help-now"

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p", "pre", "strong",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "img": {"src", "alt", "width", "height"},
}
# `loading` is allowed with this one value only (nh3 needs it out of ALLOWED_ATTRIBUTES for that).
ALLOWED_ATTRIBUTE_VALUES = {"img": {"loading": {"lazy"}}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

IMAGE_SCHEME = "image:"
# What an uploaded image's stored name looks like (education.images.hashed_name): a hash and an image extension.
_STORED_IMAGE_NAME = re.compile(r"^[a-f0-9]{8,64}\.(?:jpg|png|webp)$")
_DIMENSION = re.compile(r"^[1-9][0-9]{0,4}$")

# Private-use characters mark search hits in snippets; they are removed from article text so nobody can fake one.
HIT_START = "\ue000"
HIT_END = "\ue001"

# The clinic placeholders an editor may type, and the private-use characters that mark them in stored HTML and text.
PLACEHOLDER_NAMES = ("emergency_number", "clinic_phone", "clinic_name")
PLACEHOLDER_START = "\ue002"
PLACEHOLDER_END = "\ue003"
# The boxes an editor may place on a line of their own, as typed (`[[get-help-now]]`) -> their stored name.
SNIPPETS = {"get-help-now": "get_help_now"}
_NAMES = "|".join(PLACEHOLDER_NAMES)
_STORED_NAMES = "|".join((*PLACEHOLDER_NAMES, *SNIPPETS.values()))
TYPED_PLACEHOLDER = re.compile(rf"\{{\{{[ \t]*({_NAMES})[ \t]*\}}\}}")
TYPED_SNIPPET = re.compile(r"\[\[[ \t]*([^\[\]\n]*?)[ \t]*\]\]")
_STORED_PLACEHOLDER = re.compile(f"{PLACEHOLDER_START}({_STORED_NAMES}){PLACEHOLDER_END}")
_MARKER_CHARACTERS = {ord(char): None for char in (HIT_START, HIT_END, PLACEHOLDER_START, PLACEHOLDER_END)}


def placeholder_names_pattern() -> str:
    """A regular expression (Python's and PostgreSQL's alike) for every placeholder in stored text: a marked one
    (`placeholder_marker`, boxes included) or one as typed (`{{ clinic_phone }}`)."""
    return f"{_STORED_PLACEHOLDER.pattern}|{TYPED_PLACEHOLDER.pattern}"


def placeholder_marker(name: str) -> str:
    """How the placeholder `name` is kept in stored HTML and plain text until the page fills it in."""
    return f"{PLACEHOLDER_START}{name}{PLACEHOLDER_END}"


def has_markers(stored: str) -> bool:
    """Stored HTML or plain text holds a placeholder or box to fill in (`fill_html`, `fill_text` change it)."""
    return PLACEHOLDER_START in stored


def has_typed_placeholders(text: str) -> bool:
    """Text as typed may hold a `{{ name }}` (`fill_typed` may change it)."""
    return "{{" in text


def normalize_newlines(text: str) -> str:
    """Every CR LF and lone CR as LF: what a browser's textarea sends is stored the way a file on disk has it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def fill_html(html: str, values: Mapping[str, str], blocks: Mapping[str, str] | None = None) -> str:
    """Stored (sanitised) HTML with each placeholder marker replaced by its value, HTML-escaped.

    A box's marker (alone in its paragraph) is replaced by its HTML from `blocks`, which the caller vouches for:
    it comes from the portal's own template, never from an editor.
    """
    if not has_markers(html):
        return html
    if blocks:
        for name, block in blocks.items():
            html = html.replace(f"<p>{placeholder_marker(name)}</p>", block)
    return _STORED_PLACEHOLDER.sub(lambda match: escape(_value(match.group(1), values)), html)


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Stored plain text (search text, snippets) with each placeholder marker replaced by its value, unescaped."""
    if not has_markers(text):
        return text
    return _STORED_PLACEHOLDER.sub(lambda match: _value(match.group(1), values), text)


def fill_typed(text: str, values: Mapping[str, str]) -> str:
    """Plain text as an editor typed it (a summary) with `{{ name }}` replaced by its value, unescaped.

    The result is plain text: the template escapes it like any other value.
    """
    if not has_typed_placeholders(text):
        return text
    return TYPED_PLACEHOLDER.sub(lambda match: _value(match.group(1), values), text)


def _value(name: str, values: Mapping[str, str]) -> str:
    # A name without a value is shown as the editor typed it, never as an empty gap in an emergency sentence.
    return str(values.get(name, f"{{{{ {name} }}}}"))


_PLAIN_QUOTE = "<blockquote>"


def has_plain_quotes(html: str) -> bool:
    """Stored HTML holds a blockquote without a class, which may be a typed box (`mark_help_now_boxes`)."""
    return _PLAIN_QUOTE in html


def mark_help_now_boxes(html: str, headings: Iterable[str]) -> str:
    """Stored (sanitised) HTML with each blockquote that opens with one of `headings` in bold, alone or followed by
    more words of its paragraph, marked as the red "When to get help now" box.

    Read in the HTML that Markdown and nh3 make of `> **heading**`, which is always `<blockquote>`, a line break and
    `<p><strong>` with the heading as text (HTML-escaped), so a plain string match finds it.
    """
    if not has_plain_quotes(html):
        return html
    opening = _box_opening(frozenset(headings))
    return html if opening is None else opening.sub(rf'<blockquote class="{HELP_NOW_CLASS}">\1', html)


@lru_cache(maxsize=16)
def _box_opening(headings: frozenset[str]) -> re.Pattern[str] | None:
    """What `mark_help_now_boxes` looks for, made once for each set of headings (a page shows one body at a time)."""
    words = "|".join(re.escape(escape(heading.strip(), quote=False)) for heading in sorted(headings) if heading.strip())
    return re.compile(rf"{_PLAIN_QUOTE}(\s*<p><strong>(?:{words})</strong>)") if words else None


class _Snippets(Treeprocessor):
    """A paragraph holding only `[[get-help-now]]` (a known box) becomes that box's marker."""

    def run(self, root: ET.Element) -> None:
        for paragraph in root.iter("p"):
            if len(paragraph) or not paragraph.text:
                continue
            match = TYPED_SNIPPET.fullmatch(paragraph.text.strip())
            if match and match.group(1) in SNIPPETS:
                paragraph.text = placeholder_marker(SNIPPETS[match.group(1)])


@dataclass(frozen=True)
class ImageRef:
    """An uploaded image the body may show: its address and its size in pixels."""

    url: str
    width: int
    height: int


class _Images(Treeprocessor):
    """`![description](image:name)` -> the uploaded image's address, size and lazy loading; anything else is dropped."""

    def __init__(self, md: markdown.Markdown, images: Mapping[str, ImageRef]) -> None:
        super().__init__(md)
        self.images = images

    def run(self, root: ET.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for image in list(root.iter("img")):
            src = image.get("src") or ""
            ref = self.images.get(src[len(IMAGE_SCHEME) :]) if src.startswith(IMAGE_SCHEME) else None
            if ref is None or not (image.get("alt") or "").strip():
                _remove(image, parents[image])
                continue
            image.attrib.pop("title", None)
            image.set("src", ref.url)
            image.set("width", str(ref.width))
            image.set("height", str(ref.height))
            image.set("loading", "lazy")


def _remove(element: ET.Element, parent: ET.Element) -> None:
    """Take `element` out of `parent`, keeping the text that followed it."""
    index = list(parent).index(element)
    if element.tail:
        if index > 0:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


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
    def __init__(self, images: Mapping[str, ImageRef]) -> None:
        super().__init__()
        self.images = images

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML is escaped as text instead of passed through (layer 1 above).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_Placeholders(TYPED_PLACEHOLDER.pattern, md), "clinic_placeholders", 1)
        md.treeprocessors.register(_Snippets(md), "snippets", 1)
        md.treeprocessors.register(_Images(md, self.images), "images", 2)


def render_markdown(
    source: str, *, images: Mapping[str, ImageRef] | None = None, image_prefix: str | None = None
) -> str:
    """The article body as sanitised HTML, safe to mark safe in a template (after `fill_html`, still safe).

    Placeholders and boxes become markers (see the module docstring); marker characters typed into the source are
    dropped, so nobody can forge one. `images` are the uploaded images the body may show, by name, and
    `image_prefix` the address every image must start with (the uploaded images' folder); without them no image
    is kept.
    """
    source = normalize_newlines(source).translate(_MARKER_CHARACTERS)
    extension = _SafeMarkdown((images or {}) if image_prefix else {})
    html = markdown.markdown(source, extensions=["sane_lists", "tables", extension], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | ({"img"} if image_prefix else set()),
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        attribute_filter=_image_attributes(image_prefix or ""),
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )


def _image_attributes(prefix: str) -> Callable[[str, str, str], str | None]:
    """nh3's last word on `img`: a `src` under `prefix` naming a stored upload, and whole-number sizes."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag != "img":
            return value
        if attribute == "src":
            name = value[len(prefix) :] if prefix and value.startswith(prefix) else ""
            return value if _STORED_IMAGE_NAME.match(name) else None
        if attribute in ("width", "height"):
            return value if _DIMENSION.match(value) else None
        return value

    return keep


_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def body_problems(source: str, *, image_names: Iterable[str]) -> list[str]:
    """What an editor must fix before the body can be saved: unknown boxes, and images that are not uploaded ones
    or have no description. Each message says what to type instead."""
    problems: list[str] = []
    known_images = set(image_names)
    for line in normalize_newlines(source).split("\n"):
        for match in TYPED_SNIPPET.finditer(line):
            name = match.group(1)
            if name.startswith("image:"):
                continue
            if name not in SNIPPETS:
                problems.append(
                    f"[[{name}]] is not a box the portal knows. The “When to get help now” box is [[get-help-now]]."
                )
            elif line.strip() != match.group(0):
                problems.append(f"Put [[{name}]] on a line of its own, with an empty line before and after it.")
    for match in _MARKDOWN_IMAGE.finditer(normalize_newlines(source)):
        description, address = match.group(1).strip(), match.group(2)
        name = address[len(IMAGE_SCHEME) :] if address.startswith(IMAGE_SCHEME) else None
        if name is None:
            problems.append(
                f"The image “{address}” is not one uploaded to the portal. Upload it under Article images, then "
                "type ![what the picture shows](image:its-name)."
            )
        elif name not in known_images:
            problems.append(f"There is no uploaded image called “{name}”. Check its name under Article images.")
        if not description:
            problems.append(
                f"The image “{address}” needs a description for people who cannot see it: type it between the "
                f"square brackets, e.g. ![A runner doing a bridge exercise]({address})."
            )
    return problems


def image_names_in(source: str) -> set[str]:
    """The uploaded images a body refers to (`image:name`), so only those are looked up."""
    return {
        match.group(2)[len(IMAGE_SCHEME) :]
        for match in _MARKDOWN_IMAGE.finditer(source)
        if match.group(2).startswith(IMAGE_SCHEME)
    }


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
