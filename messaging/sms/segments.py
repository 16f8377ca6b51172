"""How many parts (segments) a text message is sent in, which is what a provider bills and what a phone joins.

A text goes in GSM-7 when every character is in the GSM 03.38 default alphabet (3GPP TS 23.038, 6.2.1) or its
extension table (6.2.1.1: an escape, then the character, so two places each); else it goes in UCS-2, where a character
outside the Basic Multilingual Plane (an emoji) takes two places. One part holds 160 GSM-7 or 70 UCS-2 places; a longer
text is split into parts of 153 or 67 (the rest of each carries the header that joins them), never inside a
character of two places.

Spanish: é, ñ, ü, ¿ and ¡ are in the default alphabet, but á, í, ó and ú are not, so one of them makes the whole text
UCS-2 (a 172-character text is then three parts, not two).
"""

from __future__ import annotations

# The default alphabet, in table order (0x00-0x7F) without the escape (0x1B). 0x09 is the capital Ç (the Unicode
# mapping, GSM0338.TXT): a small ç is counted as UCS-2, which may count a part too many, never one too few.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    """Whether `text` goes in GSM-7: every character in the default alphabet or its extension table."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def segments(text: str) -> int:
    """The parts `text` is sent in: 1 up to 160 GSM-7 (70 UCS-2) places, else parts of 153 (67) places each, filled
    in order; a character of two places (an escape and its character, a UCS-2 surrogate pair) is never split, so one
    that would start at a part's last place starts the next part."""
    if is_gsm7(text):
        widths, single, part = [2 if char in GSM7_EXTENSION else 1 for char in text], GSM7_SINGLE, GSM7_PART
    else:
        widths, single, part = [2 if ord(char) > 0xFFFF else 1 for char in text], UCS2_SINGLE, UCS2_PART
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return parts
