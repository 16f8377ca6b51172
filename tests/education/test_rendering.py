"""Markdown rendering, sanitising and readability: pure functions, no database."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from education.rendering import plain_text, readability, render_markdown

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


def test_a_blockquote_opening_with_when_to_get_help_now_becomes_the_alert_box():
    html = render_markdown("> **When to get help now**\n>\n> Call 911.\n\nBetween.\n\n> Just a quote.")
    quotes = [attrs for tag, attrs in elements(html) if tag == "blockquote"]
    assert quotes == [{"class": "help-now"}, {}]


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
