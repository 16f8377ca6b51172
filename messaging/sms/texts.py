"""What a text message says: fixed wording for each kind of message, with slots for a link, a code and minutes.

Why fixed wording: a text shows on a lock screen and passes through a provider, so it never carries clinical details
(symptoms, answers, the triage level, flags or the articles picked). The app that owns a kind of message registers a
renderer that returns only ``TextSlots`` (``messaging.registry.register_text``); the words around them are the
templates below, and the slots are checked: a link must point into the portal (SITE_URL), a code is digits. The
clinic's name and phone number come from the settings. tests/messaging/test_sms_channel.py reads every template.

To add a kind: a template here (marked for translation) and a renderer in the app that owns the row.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from messaging.sms.segments import segments

# The wording shipped here is held to two parts (segments) in every language with the longest slots
# (tests/messaging/test_sms_segments.py): longer texts cost more and some phones join them badly. Parts, not
# characters: two parts are 306 characters of GSM-7 but 134 of UCS-2, which one "á" makes a whole text.
WORDING_SEGMENTS = 2
# What is never sent. A clinic whose name has an accent ("Clínica") makes every text UCS-2 and the longer ones three
# parts: that costs more, but a code or a follow-up must still go; only a text far beyond it is refused.
MAX_SEGMENTS = 4
SLOTS = frozenset({"clinic", "phone", "link", "code", "minutes"})

TEXTS: dict[str, str] = {
    "invitation": gettext_noop("{clinic}: please answer a few questions before your visit. Your private link: {link}"),
    "device_code": gettext_noop("{clinic}: your code is {code}. It works for {minutes} minutes. Never share it."),
    "confirmation": gettext_noop("{clinic}: thank you, we have your answers. Questions? Call us on {phone}."),
    "follow_up": gettext_noop("{clinic}: how are you since your visit? Please answer a few questions: {link}"),
    "follow_up_reminder": gettext_noop(
        "{clinic}: a reminder to answer a few questions since your visit. New link (the old one no longer works): "
        "{link}"
    ),
    # Said so that it is true for a patient whose first link this is (an invitation saved without e-mailing).
    "pre_visit_reminder": gettext_noop(
        "{clinic}: a reminder to answer a few questions before your visit. Your link (any earlier one no longer "
        "works): {link}"
    ),
}

_CODE = re.compile(r"[0-9]{4,10}")


class TextProblem(ValueError):
    """No wording for this kind, a slot the wording needs is empty, or a slot holds something it must not."""


@dataclass(frozen=True)
class TextSlots:
    """Everything a renderer may put into a text; ``language`` is the patient's (e.g. the invitation's)."""

    link: str = ""
    code: str = ""
    minutes: int | None = None
    language: str = ""


def slots_used(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def compose(kind: str, slots: TextSlots) -> str:
    template = TEXTS.get(kind)
    if template is None:
        raise TextProblem(f"no text message wording for {kind!r}")
    if slots.link and (not slots.link.startswith(settings.SITE_URL + "/") or any(ch.isspace() for ch in slots.link)):
        raise TextProblem("a text's link must be a link into the portal (SITE_URL)")
    if slots.code and not _CODE.fullmatch(slots.code):
        raise TextProblem("a text's code must be 4 to 10 digits")
    values = {
        "clinic": settings.CLINIC_NAME,
        "phone": settings.CLINIC_PHONE,
        "link": slots.link,
        "code": slots.code,
        "minutes": "" if slots.minutes is None else str(int(slots.minutes)),
    }
    empty = sorted(name for name in slots_used(template) if not values.get(name))
    if empty:
        raise TextProblem(f"the {kind!r} text needs {', '.join(empty)}")
    with translation.override(slots.language or settings.LANGUAGE_CODE):
        text = gettext(template).format(**values)
    parts = segments(text)
    if parts > MAX_SEGMENTS:
        raise TextProblem(f"the {kind!r} text is {parts} parts; the most is {MAX_SEGMENTS}")
    return text
