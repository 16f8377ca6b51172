"""Words compared without case or accents, as a reader types them on a phone: "musculos" finds "músculos".

PostgreSQL's search does this in its text-search configurations (`unaccent`, education migration 0011). SQLite, the
development database of `make run`, has neither: `portal_fold` is registered on each of its connections
(`register_on_sqlite`, from education.apps) and `Folded` calls it, so the search's LIKE matches folded text; the
snippet marks a hit by the same folding (`hit_pattern`).

Lists by title in a translated language compare titles the same way (`sort_key`, `SortKey`), as a Spanish reader
looks for them: "Úlceras" among the U's, not after "Zapatillas" as a byte-by-byte order puts it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField

SQLITE_FUNCTION = "portal_fold"
SQLITE_SORT_FUNCTION = "portal_sort_key"


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


# In Spanish order "ñ" is a letter of its own, after "n" ("pan", "panza", "paño"): its key keeps it apart from "n" with
# a character that comes after every unaccented letter, so "n~" sorts after "nz" and before "o". Only letters, digits
# and single spaces are compared: punctuation ("¿", "«", an en dash) is not read; `fold` and PostgreSQL's unaccent
# spell it differently ("«" stays, or becomes "<<"): kept, it made the database and Python disagree (stop-35 review).
_N_TILDE = ("ñ", "n~")
_NOT_COMPARED = re.compile(r"[^a-z0-9~ ]")
_SPACES = re.compile(r" +")


def sort_key(text: str | None) -> str:
    """`text` as a Spanish reader orders it, to compare code point by code point: case and accents left out as `fold`
    leaves them ("Úlceras" -> "ulceras"), "ñ" after "n", punctuation left out and spaces single."""
    kept_apart = composed(text or "").casefold().replace(*_N_TILDE)
    compared = _NOT_COMPARED.sub("", fold(kept_apart).replace("\t", " ").replace("\n", " "))
    return _SPACES.sub(" ", compared).strip()


def sort_key_sql(sql: str) -> str:
    """`sort_key` of the SQL expression `sql`, in PostgreSQL: `unaccent` (education migration 0011) does what `fold`
    does, and COLLATE "C" compares the keys code point by code point as SQLite does, whatever collation the database
    was made with (one made with C sorts "Ú" after "Z"; others differ again)."""
    n_tilde, key = _N_TILDE
    composed_sql = f"NORMALIZE({sql}, NFC)"  # an "ñ" typed as "n" and a tilde is one letter, as in `sort_key`
    n_apart = f"REPLACE(REPLACE({composed_sql}, '{n_tilde}', '{key}'), '{n_tilde.upper()}', '{key}')"
    spaced = f"TRANSLATE(LOWER(UNACCENT({n_apart})), E'\\t\\n', '  ')"
    compared = f"REGEXP_REPLACE({spaced}, '[^a-z0-9~ ]', '', 'g')"
    return f"(BTRIM(REGEXP_REPLACE({compared}, ' +', ' ', 'g')) COLLATE \"C\")"


class SortKey(Func):
    """`sort_key` of a text expression, in SQL: SQLite calls the Python function, PostgreSQL `sort_key_sql`."""

    function = SQLITE_SORT_FUNCTION
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(compiler, connection, template=sort_key_sql("%(expressions)s"), **extra_context)


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
        connection.connection.create_function(SQLITE_SORT_FUNCTION, 1, sort_key, deterministic=True)


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
