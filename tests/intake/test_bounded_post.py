"""intake.bounded_post: the few fields a refused page needs, read from a body too large for Django to read, as
Django's QueryDict reads them, whatever the chunks the body arrives in, and with bounded memory."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from intake.bounded_post import VALUE_LIMIT, parse_named_fields

NAMES = ("ce_saddle_numbness", "csrfmiddlewaretoken", "whose")
BODY = (
    b"notes=" + b"x" * 500 + b"&ce_saddle_numbness=no&csrfmiddlewaretoken=abc%2Bd+e&ce_saddle_numbness=yes"
    b"&ce%5Fwiping_sensation=yes&whose=tag%3A1&&other"
)


def _chunks(body: bytes, size: int) -> list[bytes]:
    return [body[start : start + size] for start in range(0, len(body), size)]


@pytest.mark.parametrize("size", [1, 2, 7, 64, 10_000])
def test_the_named_fields_are_read_as_django_reads_them_whatever_the_chunks(size):
    expected = QueryDict(BODY)

    posted = parse_named_fields(_chunks(BODY, size), NAMES, byte_limit=None, field_limit=None)

    assert posted is not None
    assert {name: posted.get(name) for name in NAMES} == {name: expected.get(name) for name in NAMES}
    assert set(posted) == set(NAMES)  # the notes, the other question and the rest are not kept


def test_a_name_sent_percent_encoded_is_still_read():
    posted = parse_named_fields([b"ce%5Fsaddle%5Fnumbness=not%5Fsure"], NAMES, byte_limit=None, field_limit=None)

    assert posted is not None
    assert posted.get("ce_saddle_numbness") == "not_sure"


def test_a_long_value_is_cut_and_does_not_read_as_a_red_flag_answer():
    body = b"ce_saddle_numbness=yes" + b"y" * 5000 + b"&whose=1"

    posted = parse_named_fields(_chunks(body, 100), NAMES, byte_limit=None, field_limit=None)

    assert posted is not None
    value = posted["ce_saddle_numbness"]
    assert len(value) == VALUE_LIMIT
    assert value != "yes"
    assert posted["whose"] == "1"


def test_a_body_past_its_byte_or_field_limit_is_not_read():
    assert parse_named_fields(_chunks(BODY, 64), NAMES, byte_limit=len(BODY) - 1, field_limit=None) is None
    assert parse_named_fields(_chunks(BODY, 64), NAMES, byte_limit=None, field_limit=5) is None
    assert parse_named_fields(_chunks(BODY, 64), NAMES, byte_limit=len(BODY), field_limit=8) is not None
