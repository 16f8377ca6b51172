"""Markdown rendering, sanitising and readability: pure functions, no database."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from education.rendering import mark_help_now_boxes, plain_text, readability, render_markdown

HOSTILE_BODY = """
Hello <script>alert('body')</script> there.

<img src="x" onerror="alert('img')">

<div onmouseover="alert('div')">hover</div>

[click me](javascript:alert('link'))

<a href="javascript:alert('raw')" onclick="alert('click')">raw link</a>

[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<iframe src="https://evil.example"></iframe>
"""


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = TagCollector()
    collector.feed(html)
    return collector.tags


def assert_no_active_content(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "img", "object", "embed", "style"}, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)


def test_scripts_event_handlers_and_javascript_links_never_survive_rendering():
    html = render_markdown(HOSTILE_BODY)
    assert_no_active_content(html)
    # Raw HTML is shown to the reader as text, not silently dropped: the editor can see the mistake.
    assert "&lt;script&gt;" in html


def test_links_get_rel_noopener_and_keep_their_address():
    html = render_markdown("Read [the guide](https://example.org/guide) and [this](/articles/x/).")
    links = [attrs for tag, attrs in elements(html) if tag == "a"]
    assert [link["href"] for link in links] == ["https://example.org/guide", "/articles/x/"]
    assert all(link["rel"] == "noopener" for link in links)


HEADINGS = {"When to get help now", "Cuándo buscar ayuda de inmediato"}


def test_a_blockquote_opening_with_when_to_get_help_now_becomes_the_alert_box():
    html = render_markdown("> **When to get help now**\n>\n> Call 911.\n\nBetween.\n\n> Just a quote.")
    quotes = [attrs for tag, attrs in elements(mark_help_now_boxes(html, HEADINGS)) if tag == "blockquote"]
    assert quotes == [{"class": "help-now"}, {}]


def test_a_translations_own_box_opening_with_the_heading_in_its_language_becomes_the_alert_box_too():
    # Article 15's Spanish opens with its own box (since the emergency signs come first); it was a plain quote.
    html = render_markdown("> **Cuándo buscar ayuda de inmediato**\n>\n> Llame al 911.")
    quotes = [attrs for tag, attrs in elements(mark_help_now_boxes(html, HEADINGS)) if tag == "blockquote"]
    assert quotes == [{"class": "help-now"}]


@pytest.mark.parametrize(
    "body",
    [
        "> See **When to get help now** below.",
        "> **Note:** When to get help now",
        "> **When to get help**\n>\n> Call 911.",
        "**When to get help now**\n\nCall 911.",
    ],
    ids=["later-in-the-line", "other-bold", "other-words", "not-a-quote"],
)
def test_only_a_quote_opening_with_the_heading_itself_becomes_the_alert_box(body):
    html = mark_help_now_boxes(render_markdown(body), HEADINGS)
    assert "help-now" not in html


def test_a_heading_with_characters_that_html_escapes_is_still_recognised():
    html = render_markdown("> **Back & legs: get help <now>**\n>\n> Call.")
    assert 'class="help-now"' in mark_help_now_boxes(html, {"Back & legs: get help <now>"})


def test_editors_cannot_add_their_own_classes():
    html = render_markdown('<blockquote class="help-now evil">x</blockquote>\n\n> **Note** <b class="x">y</b>')
    assert all("class" not in attrs for _tag, attrs in elements(html))


def test_plain_text_keeps_one_block_per_line_without_markup():
    text = plain_text(render_markdown("## Rest\n\nTake it **easy**.\n\n- Walk\n- Swim"))
    assert text.splitlines() == ["Rest", "Take it easy.", "Walk", "Swim"]


def test_readability_counts_words_and_handles_words_missing_from_the_dictionary():
    figures = readability("Sciatica is nerve pain. It can go down the leg.")
    assert figures.words == 10
    assert 0 <= figures.grade < 6


def test_long_sentences_with_long_words_score_a_higher_grade():
    easy = readability("Walk a bit each day. Rest when you need to. Use heat on the sore spot.")
    hard = readability(
        "Radiculopathy characteristically manifests as neuropathic discomfort radiating distally, "
        "frequently accompanied by paraesthesia, diminished reflexes and considerable functional limitation."
    )
    assert easy.grade < 4 < 12 < hard.grade


@pytest.mark.parametrize("body", ["", "   \n\n"])
def test_an_empty_body_has_no_words_and_grade_zero(body):
    assert readability(plain_text(render_markdown(body))).words == 0


# --- Images (issue 15): only uploaded ones, with a description, with exactly the attributes we produce ------------

from education.rendering import ImageRef, body_problems, normalize_newlines  # noqa: E402

PREFIX = "/media/articles/"
BRIDGE = {"bridge": ImageRef(url=f"{PREFIX}{'ab' * 16}.webp", width=800, height=600)}


def test_an_uploaded_image_renders_with_its_description_size_and_lazy_loading_only():
    html = render_markdown('![A runner lifts their hips.](image:bridge "a title")', images=BRIDGE, image_prefix=PREFIX)
    [attrs] = [attrs for tag, attrs in elements(html) if tag == "img"]
    assert attrs == {
        "alt": "A runner lifts their hips.",
        "height": "600",
        "loading": "lazy",
        "src": f"{PREFIX}{'ab' * 16}.webp",
        "width": "800",
    }


@pytest.mark.parametrize(
    "body",
    [
        "![A picture](https://evil.example/x.png)",
        "![A picture](/media/articles/../../etc/passwd)",
        "![A picture](image:not-uploaded)",
        "![](image:bridge)",
        "![x](javascript:alert(1))",
    ],
)
def test_any_other_image_is_dropped(body):
    html = render_markdown(body, images=BRIDGE, image_prefix=PREFIX)
    assert "<img" not in html


def test_the_sanitiser_drops_an_img_whose_address_is_not_an_uploaded_image(monkeypatch):
    # Even if a bug let one through the Markdown stage, nh3 keeps src only under the images' folder.
    outside = {"bridge": ImageRef(url="https://evil.example/x.webp", width=1, height=1)}
    html = render_markdown("![A picture](image:bridge)", images=outside, image_prefix=PREFIX)
    assert "evil.example" not in html


def test_body_problems_name_what_to_fix():
    problems = body_problems(
        "![](image:bridge)\n\n![x](image:nope)\n\n[[help]]\n\nSee [[get-help-now]] here", image_names={"bridge"}
    )
    assert len(problems) == 4
    assert "[[help]] is not a box" in problems[0]
    assert "on a line of its own" in problems[1]
    assert "needs a description" in problems[2]
    assert "no uploaded image called “nope”" in problems[3]
    assert body_problems("Text.\n\n[[get-help-now]]\n", image_names=set()) == []


def test_line_endings_are_normalised_and_render_the_same():
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"
    assert render_markdown("## Head\r\n\r\n- one\r\n- two") == render_markdown("## Head\n\n- one\n- two")
