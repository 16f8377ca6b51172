"""The library's team author reads in Spanish on a Spanish page: "Escrito por el equipo educativo de Spine Clinic",
not "Escrito por Spine Clinic education team" (English words said with Spanish sounds). A person's name, or any other
author an editor types, is shown as typed, marked as English (education/article_page.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from education.models import ArticleTranslation
from tests.education.factories import ArticleFactory, approve_translations

pytestmark = pytest.mark.django_db

TEAM = "Spine Clinic education team"


def reader(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def written_by(html: str) -> str:
    found = re.search(r"<dd>((?:Written by|Escrito por) .*?)</dd>", html, re.S)
    assert found is not None
    return found.group(1)


@pytest.fixture
def articles(settings):
    """An article by the team in Spanish, one by the team read in English (no translation), one by a person."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    by_team = ArticleFactory.create(title="Heat helps", slug="heat-helps", author=TEAM)
    ArticleFactory.create(title="Ice or heat", slug="ice-or-heat", author=TEAM)
    by_person = ArticleFactory.create(title="Walking", slug="walking", author="Dr. Jane Doe, PT")
    for article in (by_team, by_person):
        translation = ArticleTranslation(article=article, language="es", title="Título", summary="Resumen.", body="Sí.")
        translation.record_source(article)
        translation.save()
    approve_translations()


@pytest.mark.parametrize("path", ["/articles/heat-helps/", "/articles/ice-or-heat/"])  # translated; English shown
def test_the_team_author_reads_in_spanish_on_a_spanish_page(articles, path):
    said = written_by(reader("es").get(path).content.decode())
    assert said == "Escrito por el equipo educativo de Spine Clinic"


def test_the_team_author_is_found_whatever_the_case_and_spaces_typed(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    ArticleFactory.create(slug="heat-helps", author="spine clinic  Education Team")
    said = written_by(reader("es").get("/articles/heat-helps/").content.decode())
    assert said == "Escrito por el equipo educativo de spine clinic"  # the clinic's name as typed
    assert (
        written_by(reader("en").get("/articles/heat-helps/").content.decode())
        == "Written by spine clinic  Education Team"
    )


def test_another_clinics_team_reads_in_spanish_with_its_name_as_typed(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    ArticleFactory.create(slug="heat-helps", author="Riverside <Spine> Clinic education team")
    html = reader("es").get("/articles/heat-helps/").content.decode()
    assert written_by(html) == "Escrito por el equipo educativo de Riverside &lt;Spine&gt; Clinic"


def test_the_team_author_stays_as_typed_on_an_english_page(articles):
    assert written_by(reader("en").get("/articles/heat-helps/").content.decode()) == f"Written by {TEAM}"


def test_a_persons_name_is_shown_as_typed_and_marked_english_on_a_spanish_page(articles):
    said = written_by(reader("es").get("/articles/walking/").content.decode())
    assert said == 'Escrito por <span lang="en">Dr. Jane Doe, PT</span>'
    assert written_by(reader("en").get("/articles/walking/").content.decode()) == "Written by Dr. Jane Doe, PT"


def test_the_article_form_tells_editors_how_the_team_author_reads_in_spanish(editor_client):
    page = editor_client.get("/admin/education/article/add/").content.decode()
    assert "a person's name, shown as typed, or the clinic's team" in page
    assert "(“el equipo educativo de Spine Clinic”)" in page
