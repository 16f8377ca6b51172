"""Patient names kept before `normal_name` dropped the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0): letters to
Unicode, so 0026 kept them and the name check took a name of them alone, yet they show nothing (or a blank). A name
kept with one in it is found by neither "Find" nor the next invitation for the same person, typed plainly, which made a
second patient record. Those names are written again as they are kept from now on; the few rows that change are the
only ones written. A name with nothing visible left is left as it is, for staff to see and correct, as is one that
would outgrow its column (200 characters), as 0026 left them.

Every name is read once, in chunks: there is no portable way to ask the database which names hold such characters.
"""

import unicodedata

from django.db import migrations

CHUNK = 2000

# `intake.services.patients.normal_name` as it stood when this migration was written, copied so that a later change
# to it never changes what this migration did.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_INVISIBLE_LETTERS = {**dict.fromkeys(map(ord, "\u115f\u1160")), **dict.fromkeys(map(ord, "\u3164\uffa0"), " ")}
_JOINERS = frozenset("\u200c\u200d")


def _joins(text: str, at: int) -> bool:
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    return bool(before and after) and unicodedata.category(before)[0] in "LM" and unicodedata.category(after)[0] in "LM"


def normal_name(text: str) -> str:
    text = text.translate(_APOSTROPHES).translate(_INVISIBLE_LETTERS)
    kept = [
        character
        for at, character in enumerate(text)
        if unicodedata.category(character) not in ("Cf", "Cc")
        or character.isspace()
        or (character in _JOINERS and _joins(text, at))
    ]
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


def _normalise(model, field: str) -> None:
    changed = []
    # Composed, a few letters are two (Gurmukhi sha): a name that would outgrow its column is left as it is
    # (bulk_update casts to the column's type, and PostgreSQL cut it short without a word).
    length = model._meta.get_field(field).max_length
    for pk, name in model.objects.order_by().values_list("pk", field).iterator(chunk_size=CHUNK):
        normal = normal_name(name)
        if normal and normal != name and len(normal) <= length:
            changed.append(model(pk=pk, **{field: normal}))
    model.objects.bulk_update(changed, [field], batch_size=CHUNK)


def names_as_kept(apps, schema_editor):
    _normalise(apps.get_model("intake", "Patient"), "name")
    _normalise(apps.get_model("intake", "Invitation"), "patient_name")


class Migration(migrations.Migration):
    dependencies = [("intake", "0026_names_without_invisible_characters")]

    operations = [migrations.RunPython(names_as_kept, migrations.RunPython.noop, elidable=True)]
