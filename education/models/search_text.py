"""What PostgreSQL indexes of an article's words: its text without the clinic placeholders' names.

Stored text keeps each placeholder as its name until a page fills it in (`{{ clinic_phone }}` as typed in a summary,
a marked `clinic_phone` in the body's text, a box's `get_help_now`): indexed as they stand, the names' words
("clinic", "phone", "emergency", "number", "get", "help") matched every article that has one, words the page never
shows (found in the stop-30 audit, fixed in stop 31). SQLite's search reads the text with the placeholders filled in
(education.search_results); the index cannot, as the values are settings that change without a re-index.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db.models import F, Func, TextField, Value
from django.db.models.expressions import CombinedExpression

from education.rendering import placeholder_names_pattern


def without_placeholders(field: str) -> Func:
    """`field` with every placeholder (typed or marked) replaced by a space, in SQL."""
    return Func(
        F(field),
        Value(placeholder_names_pattern()),
        Value(" "),
        Value("g"),
        function="REGEXP_REPLACE",
        output_field=TextField(),
    )


def article_vector(config: str) -> CombinedExpression:
    """An article's or a translation's words as PostgreSQL searches them: title, summary, body, weighted A, B, C."""
    return (
        SearchVector(without_placeholders("title"), weight="A", config=config)
        + SearchVector(without_placeholders("summary"), weight="B", config=config)
        + SearchVector(without_placeholders("body_text"), weight="C", config=config)
    )
