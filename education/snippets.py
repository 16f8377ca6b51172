"""The boxes an editor places with `[[name]]` on a line of its own: one template each, filled from settings.

`[[get-help-now]]` is the red "When to get help now" box (the cauda equina warning signs of the CES card,
docs/clinical/ARTICLES.md, "Corrections to articles 1-10"). Its wording lives in one template,
templates/education/snippets/get_help_now.html, translated like every page, and its numbers come from the clinic's
settings (clinic_portal/clinic.py), so one edit to either changes every article at once, with no article saved again.
Its heading is `HELP_NOW_HEADING`, one entry of the translation catalogue: the box shows it, and a blockquote an
editor or translator types to open with it in bold is shown as the same red box (`help_now_headings`), in the words
the catalogue has now or in any it had in a release (`RELEASED_HELP_NOW_HEADINGS`).

A box is rendered per language and per setting values, and remembered: an article page costs no template rendering
after the first one.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinic_portal.clinic import clinic_details, dial_string
from education.rendering import SNIPPETS, plain_text

TEMPLATES = {name: f"education/snippets/{name}.html" for name in SNIPPETS.values()}
HELP_NOW_HEADING = _("When to get help now")

# The words the heading has had in the catalogue in every release, in every language: when the catalogue gives it new
# words, add them here and keep the old ones (tests/education/test_snippets.py fails until they are listed, as
# es/released.txt's test does for a translation). Bodies approved with a box typed in the heading's old words keep
# them until a translator changes them, and every save renders a body again (a change to its title, a reviewer's
# approval): known by the catalogue's words of the moment only, such a box became a plain quote at its next save.
RELEASED_HELP_NOW_HEADINGS = frozenset(
    {
        "When to get help now",
        "Cuándo buscar ayuda de inmediato",
    }
)


def help_now_headings() -> frozenset[str]:
    """The box's heading in every language of the portal, as the catalogue has it now and as it had it in each
    release (`RELEASED_HELP_NOW_HEADINGS`): a typed box in an English body or in its translation opens with one of
    these (education.rendering.mark_help_now_boxes). Whatever the page's language: an English body is shown to a
    Spanish reader while its translation is not approved. Read once per process, as the boxes are (`_rendered`): the
    catalogue is read when the process starts."""
    return _headings(tuple(code for code, _name in settings.LANGUAGES))


@lru_cache(maxsize=8)
def _headings(languages: tuple[str, ...]) -> frozenset[str]:
    return catalogue_headings(languages) | RELEASED_HELP_NOW_HEADINGS


def catalogue_headings(languages: tuple[str, ...]) -> frozenset[str]:
    """The box's heading in each of `languages`, as the catalogue has it now."""
    headings = set()
    for code in languages:
        with translation.override(code):
            headings.add(str(HELP_NOW_HEADING))
    return frozenset(headings)


def blocks() -> dict[str, str]:
    """Each box's HTML, as the page shows it now (current language and settings). Trusted: our own template."""
    return {name: _rendered(name, *_key())[0] for name in TEMPLATES}


def texts() -> dict[str, str]:
    """Each box's plain text (for search snippets and the reading grade)."""
    return {name: _rendered(name, *_key())[1] for name in TEMPLATES}


def _key() -> tuple[str, str, str, str, str]:
    details = clinic_details()
    return (
        translation.get_language() or "",
        str(details["emergency_number"]),
        str(details["clinic_phone"]),
        str(details["clinic_name"]),
        str(settings.PHONENUMBER_DEFAULT_REGION or ""),  # the numbers' dial strings depend on it
    )


@lru_cache(maxsize=64)
def _rendered(
    name: str, language: str, emergency_number: str, clinic_phone: str, clinic_name: str, region: str
) -> tuple[str, str]:
    context = {
        "emergency_number": emergency_number,
        "clinic_phone": clinic_phone,
        "clinic_name": clinic_name,
        # Each number is a tap-to-call link, as on every other page (a reader on a phone with a warning sign).
        "emergency_dial": dial_string(emergency_number, region),
        "clinic_phone_dial": dial_string(clinic_phone, region),
        # The box is in the reader's language even inside an English body shown untranslated (lang="en").
        "language": language or settings.LANGUAGE_CODE,
        "heading": HELP_NOW_HEADING,
    }
    with translation.override(language or None):
        html = render_to_string(TEMPLATES[name], context).strip()
    return html, plain_text(html)
