"""Text typed in a box, with its line breaks as the person typed them: one character each.

A browser sends each line break of a textarea as two characters ("\r\n") while its `maxlength` counted one: a note of
exactly 2,000 characters with 86 line breaks arrived as 2,086 and was refused as too long. This field turns "\r\n"
(and a lone "\r") into "\n" before any length is checked, and is what the portal's forms use for typed text.
"""

from __future__ import annotations

from typing import Any

from django import forms


def one_line_break(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class TypedTextField(forms.CharField):
    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return one_line_break(text) if isinstance(text, str) else text
