"""Search words compared without case or accents (education/folding.py), as PostgreSQL's unaccent does; titles sorted
as a Spanish reader sorts them."""

from __future__ import annotations

import random

import pytest

from education.folding import SortKey, fold, sort_key
from education.models import Topic
from education.search import plain_snippet


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Ñandú", "nandu"), ("MÚSCULOS", "musculos"), ("Straße", "strasse"), ("Æther", "aether"), ("Łódź", "lodz")],
)
def test_words_fold_as_unaccent_folds_them(text, folded):
    assert fold(text) == folded


def test_a_hit_is_marked_whether_its_accent_is_composed_or_written_apart():
    composed = "Los músculos duelen"
    apart = "Los mu\u0301sculos duelen"  # "u" then a combining acute accent (NFD), as some editors save it
    for text in (composed, apart):
        assert "<mark>músculos</mark>" in plain_snippet(text, ["musculos"])


# As a Spanish reader looks for them: accents and case left out, "ñ" a letter after "n", "¿" and "¡" not read.
SPANISH_ORDER = [
    "ejercicios",
    "Éxito del tratamiento",
    "Nylon y sudor",
    "Ñandú",
    "oso",
    "pan duro",
    "Panza",
    "paño caliente",
    "¿Qué es la ciática?",
    "Quemaduras",
    "Tobillo",
    "Úlceras por presión",
    "Vértebras",
    "Zapatillas",
]


def test_titles_sort_as_a_spanish_reader_expects():
    shuffled = random.Random(16).sample(SPANISH_ORDER, k=len(SPANISH_ORDER))
    assert sorted(shuffled, key=sort_key) == SPANISH_ORDER


def test_a_title_with_its_accents_written_apart_sorts_as_the_same_title_composed():
    assert sort_key("Mun\u0303eca u\u0301til") == sort_key("Muñeca útil") == "mun~eca util"


@pytest.mark.django_db
def test_the_database_sorts_titles_as_sort_key_does():
    """PostgreSQL's `sort_key_sql` (unaccent, compared byte by byte) and SQLite's registered `sort_key` alike."""
    for number, name in enumerate(reversed(SPANISH_ORDER)):
        Topic.objects.create(name=name, slug=f"topic-{number}")
    assert list(Topic.objects.order_by(SortKey("name")).values_list("name", flat=True)) == SPANISH_ORDER


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ciática aguda", "Ciática \u2013 causas"),  # unaccent made the en dash "-", which came before the letters
        ("Artrosis", "«Codo de tenista»"),  # unaccent made "«" "<<", first of all; Python kept it, after "z"
        ("Munzón", "Mun\u0303eca"),  # "ñ" written apart: Python composed it ("n~"); unaccent dropped the tilde
    ],
)
def test_a_spanish_list_on_the_database_is_in_the_order_sort_key_gives(first, second):
    """Lists (SQL: `sort_key_sql` on PostgreSQL) and the topic menu (Python `sort_key`) must agree, and PostgreSQL
    with SQLite: punctuation is left out of both (found in review, stop 35)."""
    assert sort_key(first) < sort_key(second)
    Topic.objects.create(name=second, slug="second")
    Topic.objects.create(name=first, slug="first")
    assert list(Topic.objects.order_by(SortKey("name")).values_list("name", flat=True)) == [first, second]
