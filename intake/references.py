"""The reference a patient can quote on the phone ("My reference is K7QF-3XM9"), and the intake it stands for.

Why this shape: the receipt must give the patient something to quote that staff can look up, without patient data
in it and without being a way in. The reference is the intake's id under a keyed permutation (a 4-round Feistel
network over 40 bits, keyed from SECRET_KEY), written as 8 Crockford base-32 characters: it reveals neither the id
nor how many intakes the clinic has, nothing is stored for it (no migration), and staff turn it back into the id
(``intake_id_for``). It opens nothing: patient pages are reached only through the emailed link and the birth-date
check, never by a reference. A mistyped reference decodes to an id that almost surely does not exist (ids are
tiny next to 2**40), so it finds nothing rather than someone else. Rotating SECRET_KEY changes every reference.

Public API
----------
- ``reference_for(intake_id) -> str``: "K7QF-3XM9".
- ``intake_id_for(text) -> int | None``: the id from a typed reference (any case, with or without the dash or
  spaces; O read as 0, I and L as 1), or None when the text is not a reference.
"""

from __future__ import annotations

import re

from django.utils.crypto import salted_hmac

_SALT = "intake.references"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O or U
_HALF_BITS = 20
_HALF = (1 << _HALF_BITS) - 1
_ROUNDS = 4
_LENGTH = 8  # 40 bits
_TYPED = re.compile(r"[0-9A-Z]{8}")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _round(value: int, number: int) -> int:
    digest = salted_hmac(_SALT, f"{number}:{value}", algorithm="sha256").digest()
    return int.from_bytes(digest[:4], "big") & _HALF


def _permute(value: int, *, backwards: bool = False) -> int:
    left, right = value >> _HALF_BITS, value & _HALF
    rounds = range(_ROUNDS - 1, -1, -1) if backwards else range(_ROUNDS)
    for number in rounds:
        if backwards:
            left, right = right ^ _round(left, number), left
        else:
            left, right = right, left ^ _round(right, number)
    return (left << _HALF_BITS) | right


def reference_for(intake_id: int) -> str:
    if not 0 < intake_id < 1 << (2 * _HALF_BITS):
        raise ValueError("an intake id is a positive number below 2**40")
    value = _permute(intake_id)
    text = "".join(_ALPHABET[(value >> (5 * place)) & 31] for place in range(_LENGTH - 1, -1, -1))
    return f"{text[:4]}-{text[4:]}"


def intake_id_for(text: str) -> int | None:
    typed = re.sub(r"[\s-]", "", text.upper()).translate(_READ_AS)
    if not _TYPED.fullmatch(typed) or "U" in typed:
        return None
    value = 0
    for character in typed:
        value = (value << 5) | _ALPHABET.index(character)
    intake_id = _permute(value, backwards=True)
    return intake_id or None
