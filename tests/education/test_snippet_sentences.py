"""Search snippets start at a sentence and show where they were cut (education.search.sentence_bounded)."""

from __future__ import annotations

import re

import pytest

from education.rendering import HIT_END, HIT_START
from education.search import sentence_bounded
from tests.education.factories import ArticleFactory


def hit(word: str) -> str:
    return f"{HIT_START}{word}{HIT_END}"


def test_a_snippet_that_opens_on_the_end_of_a_sentence_starts_at_the_next_one():
    raw = f"them. Even one or two softer runs a week ease {hit('sciatica')} for many runners."
    assert sentence_bounded(raw) == f"Even one or two softer runs a week ease {hit('sciatica')} for many runners."


def test_a_snippet_that_opens_on_the_end_of_a_block_starts_at_the_next_line():
    raw = f'tail", which is what it looks like.\nThese nerves have jobs:\nThey control your {hit("bladder")}.'
    assert sentence_bounded(raw) == f"These nerves have jobs:\nThey control your {hit('bladder')}."


def test_a_hit_in_the_opening_words_is_kept_and_the_cut_is_shown():
    raw = f"the {hit('pain')} eases. Rest for a day or two."
    assert sentence_bounded(raw) == f"… the {hit('pain')} eases. Rest for a day or two."


def test_a_snippet_that_stops_mid_sentence_says_so():
    raw = f"Most people with back {hit('pain')} get better within a few weeks, and"
    assert sentence_bounded(raw) == f"Most people with back {hit('pain')} get better within a few weeks, and …"


@pytest.mark.parametrize(
    "raw",
    [
        f"This page is about a rare problem. Most people with {hit('sciatica')} recover.",
        f"{hit('Sciatica')} is leg pain from a nerve.",
        f'Ask "is it {hit("sciatica")}?"',
    ],
)
def test_a_snippet_that_starts_and_ends_a_sentence_is_left_alone(raw):
    assert sentence_bounded(raw) == raw


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgresql")
def test_the_search_page_shows_a_far_hit_from_the_start_of_its_sentence(client):
    filler = " ".join(f"Sentence {n} is about gentle walking and sleep." for n in range(60))
    ArticleFactory.create(title="Long read", body=f"{filler} Runners with sciatica can keep some easy miles.")
    html = client.get("/search/", {"q": "sciatica"}).content.decode()
    snippet = re.search(r'<p class="snippet[^"]*">(.*?)</p>', html, re.DOTALL)
    assert snippet is not None
    text = snippet.group(1).strip()
    assert "<mark>sciatica</mark>" in text
    assert text[0].isupper() or text.startswith("…"), text
