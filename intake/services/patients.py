"""Patient records that span visits (issue 12): finding the record an invitation joins, and keeping its contact
details current.

The same person is the same name (ignoring case, spaces at the ends and in a row, which apostrophe was typed, and
invisible characters pasted with it: `normal_name`), date of birth and e-mail (ignoring case). Staff can also pick a
record from a search, for a patient whose e-mail changed.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.db.models import QuerySet
from django.utils import timezone

from intake.models import Patient

# A phone or a Mac types a curly apostrophe in O'Brien, a keyboard a straight one: one person, one record (the stop-33
# audit of the front desk).
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})

# The Hangul fillers (choseong, jungseong, compatibility, halfwidth): letters to Unicode (Lo), yet they show nothing, or
# a blank; the only letters among Unicode's default-ignorable characters. A modern Korean name is whole syllables.
# The two that fonts draw as a wide blank (compatibility, halfwidth) stand for a space: "Jordan" + filler + "Quill"
# reads as two words; the other two are dropped.
_INVISIBLE_LETTERS = {**dict.fromkeys(map(ord, "\u115f\u1160")), **dict.fromkeys(map(ord, "\u3164\uffa0"), " ")}

# Zero-width non-joiner and joiner: Persian and Indic names need them between letters (and after a virama, a mark).
_JOINERS = frozenset("\u200c\u200d")


def normal_name(text: str) -> str:
    """A name as it is kept, compared and searched for: composed accents (NFC), one kind of apostrophe, single plain
    spaces (a no-break space pasted from a document is one), none at the ends, and none of the invisible characters
    a paste brings along (zero-width spaces, soft hyphens, byte order marks, direction marks: Unicode's "format"
    characters, and control characters; the Hangul fillers, invisible letters). Those made "Jordan Quill" unfindable by
    name and a second patient record, and a name of fillers alone passed as one with letters."""
    text = text.translate(_APOSTROPHES).translate(_INVISIBLE_LETTERS)
    kept = [
        character
        for at, character in enumerate(text)
        if unicodedata.category(character) not in ("Cf", "Cc")
        or character.isspace()
        or (character in _JOINERS and _joins(text, at))
    ]
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


def _joins(text: str, at: int) -> bool:
    """The joiner at `at` stands between two letters (or a letter's mark, such as a virama, and a letter)."""
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    return bool(before and after) and unicodedata.category(before)[0] in "LM" and unicodedata.category(after)[0] in "LM"


def record_for(
    *, name: str, date_of_birth: datetime.date, email: str, phone: str = "", language: str = "en"
) -> Patient:
    """The patient record with this name, date of birth and e-mail, its phone and language brought up to date; a
    new record when there is none."""
    name, email = normal_name(name), email.strip()
    patient = (
        Patient.objects.filter(name__iexact=name, date_of_birth=date_of_birth, email__iexact=email)
        .order_by("-updated_at", "-id")
        .first()
    )
    if patient is None:
        return Patient.objects.create(
            name=name, date_of_birth=date_of_birth, email=email, phone=phone, language=language
        )
    update_contact(patient, email=email, phone=phone, language=language)
    return patient


def update_contact(patient: Patient, *, email: str, phone: str, language: str) -> None:
    """Newer contact details win; a blank e-mail or phone never erases a known one."""
    changes: dict[str, object] = {"language": language}
    if email.strip():
        changes["email"] = email.strip()
    if str(phone).strip():
        changes["phone"] = phone
    changed = [field for field, value in changes.items() if str(getattr(patient, field) or "") != str(value)]
    if changed:
        for field in changed:
            setattr(patient, field, changes[field])
        patient.save(update_fields=[*changed, "updated_at"])


def use_phone_given_on_the_form(patient_id: int, phone: object) -> None:
    """The number a patient gave on their form (E.164, checked) is the one staff call from then on: it replaces the
    record's, which the queue and the call banner show. Called with the intake's row locked, inside its save."""
    if isinstance(phone, str) and phone:
        Patient.objects.filter(pk=patient_id).exclude(phone=phone).update(phone=phone, updated_at=timezone.now())


def search(text: str, *, limit: int = 20) -> QuerySet[Patient]:
    """Records whose name contains `text` (case-insensitive), newest first, at most `limit`."""
    return Patient.objects.filter(name__icontains=normal_name(text)).order_by("-updated_at", "-id")[:limit]
