"""What a text costs: the parts (segments) a provider sends it in, GSM-7 when every character is in GSM 03.38's basic
or extension table (an extension character takes two), else UCS-2. One part holds 160 GSM-7 or 70 UCS-2 characters;
the parts of a longer text hold 153 or 67 each (the rest carries the header that joins them)."""

from __future__ import annotations

import dataclasses

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from intake import tokens
from messaging.sms import texts
from messaging.sms.segments import is_gsm7, segments
from messaging.sms.texts import TextSlots


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
        # An escape and its character are never split between two parts: one that would start at a part's last
        # place goes whole into the next part.
        ("a" * 152 + "€" + "a" * 151, 2),
        ("a" * 152 + "€" + "a" * 152, 3),
        ("a" * 153 + "€" + "a" * 151, 2),
        # A character outside the Basic Multilingual Plane is two UCS-2 characters.
        ("😀" * 35, 1),
        ("😀" * 35 + "a", 2),
        # Nor are the two halves of such a character.
        ("a" * 66 + "😀" + "a" * 65, 2),
        ("a" * 66 + "😀" + "a" * 66, 3),
        # ç is not in the basic table (its Ç is).
        ("Ç" + "a" * 159, 1),
        ("ç" + "a" * 69, 1),
        ("ç" + "a" * 70, 2),
    ],
)
def test_the_parts_a_text_is_sent_in(text, parts):
    assert segments(text) == parts


# A link as the portal makes it (a 43-character token) under a longer address than the tests' own.
SITE_URL = "https://portal.riverside-spine-clinic.org"


@pytest.mark.parametrize("language", [code for code, _ in django_settings.LANGUAGES])
@pytest.mark.parametrize("kind", sorted(texts.TEXTS))
def test_every_text_fits_two_parts_in_every_language_with_the_longest_slots(kind, language, settings):
    """MAX_LENGTH (306) counted two GSM-7 parts for every text, but a Spanish text with á, í, ó or ú goes as UCS-2:
    the follow-up's "¿cómo está desde su cita?" made it 172 characters and three parts."""
    settings.SITE_URL = SITE_URL
    settings.CLINIC_NAME = "Riverside Spine Clinic"
    settings.CLINIC_PHONE = "(555) 010-0100"
    link = SITE_URL + reverse("intake:start", args=[tokens.new_token()])
    longest = TextSlots(link=link, code="1234567890", minutes=120, language=language)
    text = texts.compose(kind, longest)
    if language != "en":  # the translation was read, not the English fallen back to
        assert text != texts.compose(kind, dataclasses.replace(longest, language="en"))
    assert segments(text) <= texts.WORDING_SEGMENTS, f"{kind} ({language}): {segments(text)} parts: {text}"


@pytest.mark.parametrize("language", [code for code, _ in django_settings.LANGUAGES])
@pytest.mark.parametrize("kind", sorted(texts.TEXTS))
def test_every_wording_goes_in_gsm7_in_every_language(kind, language, settings):
    """One "ó" or "á" makes a whole text UCS-2, which holds 70 characters a part instead of 160: the Spanish code
    ("su código es") and thank-you ("Llámenos") texts went as two parts where the English went as one. The wording
    itself stays in GSM-7 (é, ñ, ¿ and ¡ are in it; á, í, ó and ú are not), so a Spanish text costs what the English
    does; only a clinic's own name or phone number can take it out."""
    settings.CLINIC_NAME = "Riverside Spine Clinic"
    settings.CLINIC_PHONE = "(555) 010-0100"
    link = settings.SITE_URL + reverse("intake:start", args=[tokens.new_token()])
    text = texts.compose(kind, TextSlots(link=link, code="123456", minutes=10, language=language))
    assert is_gsm7(text), f"{kind} ({language}) is UCS-2 because of {[c for c in text if not is_gsm7(c)]}: {text}"
    assert segments(text) == 1 or kind not in {"device_code", "confirmation"}, f"{kind} ({language}): {text}"


@pytest.mark.parametrize("kind", sorted(texts.TEXTS))
def test_a_clinic_whose_name_has_an_accent_still_sends_every_text(kind, settings):
    """One "í" in the clinic's name makes every text UCS-2 (three parts for the longer ones): it costs more, but a
    one-time code or a follow-up must still reach the patient, so only a text past MAX_SEGMENTS is refused."""
    settings.SITE_URL = SITE_URL
    settings.CLINIC_NAME = "Clínica de la Columna del Río Grande"
    link = SITE_URL + reverse("intake:start", args=[tokens.new_token()])
    text = texts.compose(kind, TextSlots(link=link, code="1234567890", minutes=120, language="es"))
    assert text.startswith("Clínica de la Columna del Río Grande:")


def test_a_text_past_the_most_parts_is_refused(monkeypatch, settings):
    settings.CLINIC_NAME = "Riverside Spine Clinic"
    monkeypatch.setitem(texts.TEXTS, "four_parts", "{clinic}: " + "ó" * (4 * 67 - 24))  # 268 UCS-2 places: four
    monkeypatch.setitem(texts.TEXTS, "five_parts", "{clinic}: " + "ó" * (4 * 67 - 23))  # 269: five
    assert segments(texts.compose("four_parts", TextSlots())) == texts.MAX_SEGMENTS
    with pytest.raises(texts.TextProblem, match="'five_parts' text is 5 parts; the most is 4"):
        texts.compose("five_parts", TextSlots())
