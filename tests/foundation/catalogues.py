"""The committed message files, for the translation tests (tests/foundation/test_translations.py and
tests/browser/test_spanish_intake.py): where they are, whether an entry counts as translated, and building the .mo
files that `make` would build, so those tests also pass when pytest is run on its own."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polib
from django.conf import settings
from django.core.signals import setting_changed

from clinic_portal.management.commands.update_translations import translated_languages

ROOT = Path(settings.BASE_DIR)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(catalogue(language))) if not entry.obsolete]


def key(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return context + entry.msgid + (f" | {entry.msgid_plural}" if entry.msgid_plural else "")


def unfinished(entry: polib.POEntry) -> str | None:
    """Why this entry does not count as translated (fuzzy, empty, placeholders that differ), or None."""
    if "fuzzy" in entry.flags:
        return "fuzzy"
    translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    if not translations or not all(text.strip() for text in translations):
        return "empty"
    # A translation fills the same values as the English: no fewer, and none it does not have (a crash). A plural's
    # forms may leave out the count, as English "this answer" does.
    english = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural))
    for text in translations:
        found = set(PLACEHOLDER.findall(text))
        if found - english or (not entry.msgid_plural and found != english):
            return f"placeholders {sorted(found)} instead of {sorted(english)}"
    return None


def compile_if_stale() -> None:
    """Build each language's .mo from its .po when it is missing or older (what `make`'s compilemessages does)."""
    built = False
    for language in translated_languages():
        source = catalogue(language)
        compiled = source.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
            # GNU gettext's msgfmt on the PATH, as compilemessages runs it; our own file names.
            subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(source)], check=True)  # noqa: S603, S607
            built = True
    if built:
        # Catalogues this process loaded before the build are stale: Django's own reset for a changed LOCALE_PATHS.
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
