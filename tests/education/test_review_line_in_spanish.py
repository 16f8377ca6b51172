"""The article page's review line as a Spanish reader reads it.

The clinical sign-off on an article (`reviewed_by`, `reviewed_on`) is of its English words. The Spanish words a reader
is shown were approved by a clinical reviewer on their own day (`ArticleTranslation.approved_by_name`,
`approved_at`). The Spanish page said "Revisión médica: <the English article's reviewer>, el <its day>" above the
Spanish text, as if that review had been of the Spanish words.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from education.models import ArticleTranslation
from education.translation_approval import approve_translation
from tests.education.factories import ArticleFactory, edit_translation_after_approval
from tests.education.pages import review_lines, spanish_reader

pytestmark = pytest.mark.django_db

ENGLISH_REVIEWED = datetime.date(2026, 3, 2)
SPANISH_APPROVED = datetime.datetime(2026, 9, 14, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def article():
    return ArticleFactory.create(
        slug="heat-helps",
        title="Heat helps",
        body="Use heat for 20 minutes.",
        reviewed_by="Dr. Sam Rivera, MD",
        reviewed_on=ENGLISH_REVIEWED,
        next_review_due=timezone.localdate() + datetime.timedelta(days=200),
    )


def translate(article, reviewer=None) -> ArticleTranslation:
    translation = ArticleTranslation(
        article=article, language="es", title="El calor ayuda", summary="Use calor.", body="Use calor 20 minutos."
    )
    translation.record_source(article)
    translation.save()
    if reviewer is not None:
        translation = approve_translation(translation, reviewer=reviewer, now=SPANISH_APPROVED)
    return translation


def test_the_spanish_page_says_the_english_original_was_reviewed_and_who_approved_the_translation(article, reviewer):
    translate(article, reviewer)
    lines = review_lines(spanish_reader().get("/articles/heat-helps/").content.decode())
    assert "Revisión médica del original en inglés: Dr. Sam Rivera, MD, el 2 de marzo de 2026" in lines
    assert "Traducción al español revisada y aprobada por Riley Reviewer el 14 de septiembre de 2026" in lines
    # Not the line that says the Spanish words had the English article's medical review.
    assert not any(line.startswith("Revisión médica: ") for line in lines)


def test_the_page_marks_up_both_days_for_machines(article, reviewer):
    translate(article, reviewer)
    page = spanish_reader().get("/articles/heat-helps/").content.decode()
    assert '<time datetime="2026-03-02">' in page
    assert '<time datetime="2026-09-14">' in page


def test_a_translation_of_english_no_clinician_has_reviewed_says_so_beside_its_own_approval(reviewer):
    """Starter articles are online before the clinic's reviewer signs off the English; their translations can be
    approved meanwhile."""
    unreviewed = ArticleFactory.create(slug="heat-helps", reviewed_by="", reviewed_on=None)
    translate(unreviewed, reviewer)
    lines = review_lines(spanish_reader().get("/articles/heat-helps/").content.decode())
    assert "El original en inglés todavía no lo ha revisado ninguno de nuestros profesionales de la salud." in lines
    assert "Traducción al español revisada y aprobada por Riley Reviewer el 14 de septiembre de 2026" in lines
    assert "Todavía no lo ha revisado ninguno de nuestros profesionales de la salud." not in lines


def test_a_spanish_reader_shown_the_english_reads_the_english_articles_own_review(article, reviewer):
    """The words shown are the English ones (a notice says the translation is being updated): their review is the
    article's, and no translation approval is claimed for them."""
    translate(article, reviewer)
    edit_translation_after_approval(article)
    lines = review_lines(spanish_reader().get("/articles/heat-helps/").content.decode())
    assert "Revisión médica: Dr. Sam Rivera, MD, el 2 de marzo de 2026" in lines
    assert not any("Traducción" in line or "original en inglés" in line for line in lines)


def test_the_english_page_keeps_its_review_line(article, reviewer, client):
    translate(article, reviewer)
    lines = review_lines(client.get("/articles/heat-helps/").content.decode())
    assert "Medically reviewed by Dr. Sam Rivera, MD on March 2, 2026" in lines
    assert not any("translation" in line.lower() for line in lines)
