"""Words compared without case or accents, as a reader types them on a phone: "musculos" finds "músculos".

PostgreSQL's search does this in its text-search configurations (`unaccent`, education migration 0011). SQLite, the
development database of `make run`, has neither: `portal_fold` is registered on each of its connections
(`register_on_sqlite`, from education.apps) and `Folded` calls it, so the search's LIKE matches folded text; the
snippet marks a hit by the same folding (`hit_pattern`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField

SQLITE_FUNCTION = "portal_fold"


# Letters that lose no mark in Unicode's decomposition but that PostgreSQL's unaccent rules spell out.
_UNACCENT_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "ł": "l", "đ": "d", "œ": "oe", "\u0131": "i", "þ": "th", "ð": "d"}  # \u0131: dotless i
)


def fold(text: str | None) -> str:
    """Lower case, accents and other marks removed ("Ñandú" -> "nandu"), as PostgreSQL's unaccent folds them."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", text).casefold().translate(_UNACCENT_LETTERS)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Folded(Func):
    """`fold` of a text column, in SQL (SQLite only: see the module's docstring)."""

    function = SQLITE_FUNCTION
    output_field = TextField()


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


def register_on_sqlite() -> None:
    connection_created.connect(_register, dispatch_uid="education.folding")


def _letters_folding_to() -> dict[str, str]:
    """For each plain letter, the letters of Latin-1 and Latin Extended-A that fold to it alone, either case:
    "n" -> "nÑñŃń...". (A letter that folds to two, as "ß" to "ss", is not marked in a snippet, though found.)"""
    variants: dict[str, str] = {}
    for code in range(0xC0, 0x180):
        letter = chr(code)
        plain = fold(letter)
        if len(plain) == 1 and plain != letter:
            variants[plain] = variants.get(plain, plain) + letter + letter.upper()
    return variants


_VARIANTS = _letters_folding_to()


def hit_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """A pattern that finds any of `terms` in text as it is written, whatever its case and accents ("musculos"
    finds "Músculos"), in text whose accents are composed with their letters (NFC: `composed`)."""
    if not terms:
        return None
    alternatives = (
        "".join(f"[{re.escape(_VARIANTS[char])}]" if char in _VARIANTS else re.escape(char) for char in fold(term))
        for term in terms
    )
    return re.compile("|".join(alternatives), re.IGNORECASE)


def composed(text: str) -> str:
    """`text` with each accent joined to its letter (NFC), as `hit_pattern` finds them."""
    return unicodedata.normalize("NFC", text)
