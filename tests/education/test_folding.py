"""Search words compared without case or accents (education/folding.py), as PostgreSQL's unaccent does."""

from __future__ import annotations

import pytest

from education.folding import fold
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
