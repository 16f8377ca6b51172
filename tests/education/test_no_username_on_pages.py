"""Approvals stored before an approval needed a full name hold the approving account's sign-in name as its name:
the public pages show their lines without a name ("Medically reviewed on ..."), never the login."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from education.cache import library_changed
from education.models import Article, ArticleTranslation
from tests.education.factories import ArticleFactory
from tests.education.pages import review_lines, spanish_reader

pytestmark = pytest.mark.django_db

REVIEWED = datetime.date(2026, 3, 2)
APPROVED = datetime.datetime(2026, 9, 14, 15, 0, tzinfo=datetime.UTC)


def spanish(article: Article) -> ArticleTranslation:
    translation = ArticleTranslation(
        article=article, language="es", title="El calor ayuda", summary="Use calor.", body="Use calor 20 minutos."
    )
    translation.record_source(article)
    translation.save()
    return translation


def test_an_approval_stored_under_a_username_shows_no_username_in_english_or_spanish(nameless):
    """Rows approved by a nameless account before approvals needed a name: the old code stored its username."""
    article = ArticleFactory.create(slug="heat-helps", reviewer=nameless, reviewed_by="rjones", reviewed_on=REVIEWED)
    translation = spanish(article)
    ArticleTranslation.objects.filter(pk=translation.pk).update(
        approved_sha256=translation.content_sha256,
        approved_by=nameless,
        approved_by_name="rjones",
        approved_at=APPROVED,
    )
    library_changed()  # an update() bypasses the models' signals

    english = Client().get("/articles/heat-helps/").content.decode()
    assert "rjones" not in english
    assert "Medically reviewed on March 2, 2026" in review_lines(english)

    page = spanish_reader().get("/articles/heat-helps/").content.decode()
    assert "El calor ayuda" in page
    assert "rjones" not in page
    lines = review_lines(page)
    assert "Revisión médica del original en inglés hecha el 2 de marzo de 2026" in lines
    assert "Traducción al español revisada y aprobada el 14 de septiembre de 2026" in lines


def test_a_name_that_is_not_the_approvers_username_is_still_shown(reviewer):
    ArticleFactory.create(slug="heat-helps", reviewer=reviewer, reviewed_by="Riley Reviewer", reviewed_on=REVIEWED)
    page = Client().get("/articles/heat-helps/").content.decode()
    assert "Medically reviewed by Riley Reviewer on March 2, 2026" in review_lines(page)
