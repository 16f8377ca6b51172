"""The "When to get help now" box as one snippet (`[[get-help-now]]`): one template, numbers from settings, the same
box in every article, and every starter article but the cancer one using it (docs/clinical/ARTICLES.md, corrections
to 1-10)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils.translation import trans_real

from education import snippets
from education.models import ArticleTranslation
from education.starter import STARTER_DIR
from tests.education.factories import ArticleFactory, approve_translations

pytestmark = pytest.mark.django_db


def boxes(html: str) -> list[str]:
    return re.findall(r'<blockquote class="help-now"[^>]*>.*?</blockquote>', html, re.DOTALL)


@override_settings(CLINIC_EMERGENCY_NUMBER="000-TEST", CLINIC_PHONE="(555) 123-4567")
def test_the_snippet_renders_the_box_from_settings():
    article = ArticleFactory.create(body="Rest a bit.\n\n[[get-help-now]]\n\nThen walk.")
    html = Client().get(article.get_absolute_url()).content.decode()
    [box] = boxes(html)
    assert "<strong>When to get help now</strong>" in box
    # Tap-to-call links, as on every other page (a reader on a phone with a warning sign).
    assert 'call <a href="tel:000">000-TEST</a> right away' in box
    assert '<a href="tel:5551234567">(555) 123-4567</a>' in box
    assert "erections or ejaculation" in box  # every item of the CES card
    assert "[[get-help-now]]" not in html


def test_one_change_of_setting_changes_the_box_in_every_article_without_saving_them():
    first = ArticleFactory.create(body="[[get-help-now]]")
    second = ArticleFactory.create(body="Other words.\n\n[[get-help-now]]")
    with override_settings(CLINIC_EMERGENCY_NUMBER="112"):
        for article in (first, second):
            box = boxes(Client().get(article.get_absolute_url()).content.decode())[0]
            assert 'call <a href="tel:112">112</a> right away' in box


def test_the_box_counts_in_the_reading_grade_but_does_not_make_every_article_a_search_hit():
    article = ArticleFactory.create(body="[[get-help-now]]")
    assert article.word_count > 50
    # Searching a warning sign finds the articles about it, not every article that carries the box.
    results = Client().get("/search/", {"q": "ejaculation"}).content.decode()
    assert article.title not in results


def test_a_spanish_reader_sees_the_box_in_spanish_in_an_article_not_yet_translated():
    article = ArticleFactory.create(body="Rest a bit.\n\n[[get-help-now]]")
    reader = Client()
    reader.cookies["django_language"] = "es"
    [box] = boxes(reader.get(article.get_absolute_url()).content.decode())
    assert "Cuándo buscar ayuda de inmediato" in box
    assert "When to get help now" not in box
    assert box.startswith('<blockquote class="help-now" lang="es">')  # inside the English body's lang="en"


def test_a_snippet_name_typed_inside_a_sentence_stays_text():
    article = ArticleFactory.create(body="Type [[get-help-now]] to get the box.")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert boxes(html) == []
    assert "Type [[get-help-now]] to get the box." in html


@pytest.mark.parametrize("number", [number for number in range(1, 19) if number != 15])
def test_every_starter_article_but_the_cancer_one_uses_the_shared_box(number):
    # Article 15 has a box of its own (cord compression after cancer); the others one text, in the reader's language.
    [path] = STARTER_DIR.glob(f"{number:02d}-*.md")
    text = path.read_text(encoding="utf-8")
    assert text.count("[[get-help-now]]") == 1
    assert "**When to get help now**" not in text


def spanish_page_of(body: str) -> str:
    """An article with an approved Spanish translation of this body, as a Spanish reader gets it."""
    article = ArticleFactory.create()
    spanish = ArticleTranslation(article=article, language="es", title="Un artículo", summary="Resumen.", body=body)
    spanish.record_source(article)
    spanish.save()
    approve_translations()
    reader = Client()
    reader.cookies["django_language"] = "es"
    return reader.get(article.get_absolute_url()).content.decode()


@contextlib.contextmanager
def heading_translated_anew() -> Iterator[str]:
    """A translator gives the box's heading new Spanish words in the catalogue (the running portal reads them at its
    next start, which empties the boxes remembered so far)."""
    catalogue = vars(trans_real.translation("es"))["_catalog"]  # what the loaded .mo file gave
    before = catalogue["When to get help now"]
    catalogue["When to get help now"] = "Cuándo pedir ayuda ya"
    snippets._rendered.cache_clear()
    snippets._headings.cache_clear()
    try:
        yield "Cuándo pedir ayuda ya"
    finally:
        catalogue["When to get help now"] = before
        snippets._rendered.cache_clear()
        snippets._headings.cache_clear()


@pytest.fixture
def box_heading_translated_anew():
    with heading_translated_anew() as words:
        yield words


def test_a_typed_box_opening_with_the_catalogues_new_words_for_the_heading_is_the_alert_box(
    box_heading_translated_anew,
):
    page = spanish_page_of(f"> **{box_heading_translated_anew}**\n>\n> Llame al {{{{ emergency_number }}}}.")
    [box] = boxes(page)
    assert f"<strong>{box_heading_translated_anew}</strong>" in box
    # The shared box reads the same entry of the catalogue.
    [shared] = boxes(spanish_page_of("[[get-help-now]]"))
    assert f"<strong>{box_heading_translated_anew}</strong>" in shared


def test_a_spanish_box_stored_as_a_plain_quote_before_its_heading_was_known_shows_as_the_alert_box():
    """Article 15's Spanish box was stored as a plain quote until 2bc0f05; such a stored translation is not saved
    again by anyone, so the page recognises the heading when it shows the body."""
    body = "Primero.\n\n> **Cuándo buscar ayuda de inmediato**\n>\n> Llame al {{ emergency_number }}."
    article = ArticleFactory.create()
    spanish = ArticleTranslation(article=article, language="es", title="Un artículo", summary="Resumen.", body=body)
    spanish.record_source(article)
    spanish.save()
    approve_translations()
    stored_before = spanish.body_html.replace('<blockquote class="help-now">', "<blockquote>")
    ArticleTranslation.objects.filter(pk=spanish.pk).update(body_html=stored_before)
    reader = Client()
    reader.cookies["django_language"] = "es"
    [box] = boxes(reader.get(article.get_absolute_url()).content.decode())
    assert "<strong>Cuándo buscar ayuda de inmediato</strong>" in box
    assert "Llame al 911." in box


def test_a_quote_that_only_mentions_the_heading_later_stays_a_plain_quote():
    page = spanish_page_of("> **Nota:** Cuándo buscar ayuda de inmediato.\n\n> Cuándo buscar ayuda de inmediato")
    assert boxes(page) == []


def test_a_typed_box_approved_in_the_catalogues_words_stays_the_alert_box_when_a_translator_changes_them():
    """A translator gives the heading new words in the catalogue (and in article 15's starter file, whose new release
    then waits for a clinical reviewer): until one approves it, patients read the approved words, whose box opens with
    the heading's old words. Recognised only by the catalogue's words of the moment, it lost the red box."""
    article = ArticleFactory.create()
    body = "Primero.\n\n> **Cuándo buscar ayuda de inmediato**\n>\n> Llame al {{ emergency_number }}."
    spanish = ArticleTranslation(article=article, language="es", title="Un artículo", summary="Resumen.", body=body)
    spanish.record_source(article)
    spanish.save()
    approve_translations()
    with heading_translated_anew():
        reader = Client()
        reader.cookies["django_language"] = "es"
        [box] = boxes(reader.get(article.get_absolute_url()).content.decode())
    assert "<strong>Cuándo buscar ayuda de inmediato</strong>" in box


def test_the_headings_words_are_read_from_the_catalogue_once_per_process_not_on_every_article_page():
    """Recognising a typed box read the heading in every language (a switch of the active catalogue for each) on
    every uncached page of a body with a plain quote: about 35 µs of the article page's CPU (issue 16), for words
    that change only when the process starts again."""
    assert snippets.help_now_headings() is snippets.help_now_headings()


def test_a_box_in_the_headings_earlier_words_stays_the_alert_box_when_saved_and_approved_again_after_the_change():
    """After the catalogue gives the heading new words, a translator's other change (here the title) saves the body
    again in the heading's earlier words and a reviewer approves it: saving recognised the catalogue's words of the
    moment only, so the approved box became a plain quote."""
    article = ArticleFactory.create()
    body = "Primero.\n\n> **Cuándo buscar ayuda de inmediato**\n>\n> Llame al {{ emergency_number }}."
    spanish = ArticleTranslation(article=article, language="es", title="Un artículo", summary="Resumen.", body=body)
    spanish.record_source(article)
    spanish.save()
    approve_translations()
    with heading_translated_anew():
        spanish = ArticleTranslation.objects.get(pk=spanish.pk)
        spanish.title = "Un artículo, con otro título"
        spanish.save()
        approve_translations()
        reader = Client()
        reader.cookies["django_language"] = "es"
        page = reader.get(article.get_absolute_url()).content.decode()
    assert "Un artículo, con otro título" in page  # the words approved again
    [box] = boxes(page)
    assert "<strong>Cuándo buscar ayuda de inmediato</strong>" in box


def test_every_word_of_the_heading_in_the_catalogue_is_listed_so_a_later_change_keeps_recognising_it():
    catalogue = snippets.catalogue_headings(tuple(code for code, _name in settings.LANGUAGES))
    missing = sorted(catalogue - snippets.RELEASED_HELP_NOW_HEADINGS)
    assert missing == [], f"add these to education.snippets.RELEASED_HELP_NOW_HEADINGS: {missing}"
