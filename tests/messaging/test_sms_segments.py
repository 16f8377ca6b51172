"""What a text costs: the parts (segments) a provider sends it in, GSM-7 when every character is in GSM 03.38's basic
or extension table (an extension character takes two), else UCS-2. One part holds 160 GSM-7 or 70 UCS-2 characters;
the parts of a longer text hold 153 or 67 each (the rest carries the header that joins them)."""

from __future__ import annotations

import pytest

from messaging.sms.segments import segments


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        # é, ñ, ü, ¿ and ¡ are in the basic table: Spanish without á, í, ó or ú stays GSM-7.
        ("é" * 160, 1),
        ("¿Qué tal? ¡Año 2026! ü" + "a" * 138, 1),
        # á, í, ó, ú (and Á, Í, Ó, Ú) are not: the whole text goes as UCS-2.
        ("á" * 70, 1),
        ("é" * 69 + "á", 1),
        ("é" * 70 + "á", 2),
        ("a" * 70 + "í", 2),
        ("ó" * 134, 2),
        ("ú" * 135, 3),
        ("Ó" + "a" * 69, 1),
        # An extension character takes two places: €, [, ], {, }, \, ^, ~, |.
        ("€" * 80, 1),
        ("€" * 80 + "a", 2),
        ("[" + "a" * 158, 1),
        ("[" + "a" * 159, 2),
        ("a" * 159 + "]", 2),
        ("{}\\^~|" + "a" * 148, 1),
        ("{}\\^~|" + "a" * 149, 2),
        # A character outside the Basic Multilingual Plane is two UCS-2 characters.
        ("😀" * 35, 1),
        ("😀" * 35 + "a", 2),
        # ç is not in the basic table (its Ç is).
        ("Ç" + "a" * 159, 1),
        ("ç" + "a" * 69, 1),
        ("ç" + "a" * 70, 2),
    ],
)
def test_the_parts_a_text_is_sent_in(text, parts):
    assert segments(text) == parts
