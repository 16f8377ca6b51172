"""Spanish, complete: every patient-facing string is in the committed catalogue and translated; the patient's pages
and e-mails speak the invitation's language; the staff side stays English whatever the patient or browser chose.

The catalogue is locale/es/LC_MESSAGES/django.po (README.md, "Translations"). When a test here fails because a
string is new or changed, run `make messages`, translate the empty or fuzzy entries, and run the tests again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.html import escape

from clinic_portal.languages import return_path
from clinic_portal.management.commands.update_translations import translated_languages
from education.rendering import readability
from intake.rules import patient_messages
from intake.rules.questionnaire import STEPS
from tests.dashboard.factories import make_intake
from tests.foundation.catalogues import (
    PLACEHOLDER,
    ROOT,
    catalogue,
    compile_if_stale,
    entries,
    key,
    unfinished,
)
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

# Wording that reads the same in Spanish: numbers, units and the like. Keep it short; every entry is a decision.
SAME_IN_SPANISH = frozenset(
    {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "No", "Yoga", "km", "cm", "kg", "Error:"}
)
# What a copy of the project needs for `manage.py update_translations` (what `make messages` runs) to see the source.
NOT_COPIED = (
    ".git",
    ".venv",
    "node_modules",
    "staticfiles",
    "test-artifacts",
    "media",
    ".make",
    ".hypothesis",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "*.sqlite3*",
    "*.mo",
)


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    compile_if_stale()


# --- The catalogue -----------------------------------------------------------------------------------------------


def test_every_language_but_english_has_a_committed_catalogue():
    assert translated_languages() == ["es"]
    for language in translated_languages():
        assert catalogue(language).exists(), f"Run `make messages` to create {catalogue(language)}"


@pytest.mark.parametrize("language", ["es"])
def test_every_entry_of_the_catalogue_is_translated_and_none_is_fuzzy(language):
    found = entries(language)
    assert len(found) > 150
    problems = [f"{key(entry)!r}: {why}" for entry in found if (why := unfinished(entry))]
    assert not problems, (
        f"{len(problems)} entries of {catalogue(language).relative_to(ROOT)} are not translated (translate them and "
        "remove the fuzzy marks):\n" + "\n".join(problems)
    )


def test_the_catalogue_holds_every_translatable_string_of_the_source_and_no_other(tmp_path):
    """`make messages` on a copy of the project must find nothing new to translate and nothing to drop."""
    copy = tmp_path / "portal"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "update_translations", "--no-compile", "--verbosity", "0"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for language in translated_languages():
        committed = {key(entry) for entry in polib.pofile(str(catalogue(language)))}
        refreshed = polib.pofile(str(copy / catalogue(language).relative_to(ROOT)))
        new = sorted(key(entry) for entry in refreshed if key(entry) not in committed or unfinished(entry))
        gone = sorted(committed - {key(entry) for entry in refreshed})
        advice = f"locale/{language}/LC_MESSAGES/django.po is out of date with the source: run `make messages`"
        assert not new, f"{advice}, translate these and remove their fuzzy marks:\n" + "\n".join(map(repr, new))
        assert not gone, f"{advice} to drop these:\n" + "\n".join(map(repr, gone))


# --- Plain words: what a patient reads in an emergency ----------------------------------------------------------------

# The most a patient should need to read (docs/clinical/INTAKE.md: "plain, grade 6-8"), measured as the library's
# articles are (education.rendering.readability, Flesch-Kincaid).
MAX_GRADE = 8
# Below this many words the formula says more about one long word ("emergency") than about the sentences: it
# gives "Continue" grade 20.
MEASURED_FROM_WORDS = 25


def as_read(english: str) -> str:
    """The English as a patient reads it: no markup, a number where the emergency number goes."""
    english = re.sub(r"%\((emergency_number|clinic_phone)\)s", "911", english)
    return re.sub(r"<[^>]+>", "", PLACEHOLDER.sub("it", english))


def test_every_paragraph_a_patient_reads_is_at_grade_8_or_below():
    """The warning signs in one line (a link that does not work, the e-mails, the error pages) were one 43-word
    sentence, grade 18-19, read by someone who may be frightened or in pain; the page for a link that does not open
    ended in a 27-word sentence."""
    too_hard = []
    for entry in entries("es"):
        figures = readability(as_read(entry.msgid))
        if figures.words >= MEASURED_FROM_WORDS and figures.grade > MAX_GRADE:
            too_hard.append(f"grade {figures.grade}: {entry.msgid!r}")
    assert not too_hard, "Shorter sentences, plainer words:\n" + "\n".join(too_hard)


def test_the_emergency_advice_names_one_place_to_go():
    """The error pages sent the reader to the "emergency department"; every other page says "emergency room"."""
    advice = [entry.msgid for entry in entries("es") if "emergency_number" in entry.msgid]
    assert len(advice) > 10
    assert not [english for english in advice if "emergency department" in english]


# One Spanish term for each English one (README.md, "Spanish style"): a patient who reads "sala de emergencias" on
# one page and something else on the next may wonder whether it is another place. English (a pattern, matched without
# case in the English with its placeholders left out) -> the Spanish every translation of it must contain.
GLOSSARY = {
    r"cauda equina syndrome": "síndrome de cauda equina",
    r"saddle area": "entrepierna",
    r"bladder": "vejiga",
    r"emergency room": "sala de emergencias",
    r"\bclinic\b": "clínica",
    r"\blink\b": "enlace",
    r"date of birth|birth date": "fecha de nacimiento",
    r"care team": "equipo de atención médica",
    r"warning signs?\b": "señal(es)? de alarma",
    r"clinician": "profesional(es)? de la salud",
    r"spinal cord": "médula espinal",
    r"numbness": "adormecimiento",
    r"genitals": "genitales",
    r"feeling in (your|my) genitals": "sensación (en|de) (los|sus) genitales",
    r"text message": "mensaje de texto",
}


@pytest.mark.parametrize("english", GLOSSARY)
def test_the_spanish_says_each_english_term_the_same_way_everywhere(english):
    spanish = GLOSSARY[english]
    found = [entry for entry in entries("es") if re.search(english, PLACEHOLDER.sub("", entry.msgid), re.IGNORECASE)]
    assert found, f"no entry says {english!r} any more: take it out of the glossary"
    other = [
        f"{entry.msgid!r}\n    -> {text!r}"
        for entry in found
        for text in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr])
        if not re.search(spanish, text, re.IGNORECASE)
    ]
    assert not other, f"{english!r} is {spanish!r} in Spanish, but not in:\n" + "\n".join(other)


def test_the_everyday_name_of_cauda_equina_syndrome_is_given_the_same_way_wherever_it_is_given():
    """README.md: "síndrome de cauda equina (también llamado síndrome de la cola de caballo)"."""
    given = [entry.msgstr for entry in entries("es") if "cola de caballo" in entry.msgstr]
    assert given
    assert all("(también llamado síndrome de la cola de caballo)" in text for text in given), given


# --- The Django-free modules: every piece of wording is marked and has Spanish of its own ---------------------------


def questionnaire_wording() -> list[tuple[str, str]]:
    """(where, English) for every step title and intro, question label and hint, and answer label."""
    found: list[tuple[str, str]] = []
    for step in STEPS:
        found += [(f"step {step.slug} title", step.title), (f"step {step.slug} intro", step.intro)]
        for question in step.questions:
            found += [(f"{question.code} label", question.label), (f"{question.code} hint", question.hint)]
            found += [(f"{question.code} choice {choice.code}", choice.label) for choice in question.choices]
    return [(where, text) for where, text in found if text]


def patient_message_wording() -> list[tuple[str, str]]:
    return [(f"CE phrase {code}", text) for code, text in patient_messages.CE_SIGN_PHRASES.items()] + [
        (f"MSCC phrase {code}", text) for code, text in patient_messages.MSCC_SIGN_PHRASES.items()
    ]


@pytest.mark.parametrize(
    "wording", [questionnaire_wording, patient_message_wording], ids=["questionnaire", "patient messages"]
)
def test_every_piece_of_wording_in_the_rules_modules_reads_differently_in_spanish(wording):
    pieces = wording()
    assert len(pieces) > 10
    with translation.override("es"):
        untranslated = [
            f"{where}: {text!r}"
            for where, text in pieces
            if text not in SAME_IN_SPANISH and translation.gettext(text) == text
        ]
    assert not untranslated, (
        f"{len(untranslated)} strings have no Spanish (mark them with gettext_noop, run `make messages`, translate):\n"
        + "\n".join(untranslated)
    )


# --- Which language a page speaks --------------------------------------------------------------------------------


def test_a_patient_link_opens_in_the_invitations_language_and_says_so(client):
    _invitation, token = make_invitation(language="es")
    response = client.get(f"/intake/start/{token}/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "es" not in response["Location"].split("/")  # never in the address
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in html
    assert "Ir al contenido principal" in html


def test_an_english_invitation_opens_in_english_even_after_a_spanish_one_in_the_same_browser(client):
    _spanish, spanish_token = make_invitation(language="es")
    _english, english_token = make_invitation(language="en", email="other@example.org")
    client.get(f"/intake/start/{spanish_token}/")
    response = client.get(f"/intake/start/{english_token}/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(response["Location"])["Content-Language"] == "en"


def test_a_language_the_patient_picks_on_their_form_is_the_one_their_link_opens_in_from_then_on(client):
    """A Spanish reader whose invitation was made in English picked Español on the form, pressed "Exit" and opened
    the link again: it opened in English (found by the stop-28 audit), the birth-date page first of all."""
    invitation, token = make_invitation(language="en")
    client.get(f"/intake/start/{token}/")
    assert client.post("/intake/confirm/", {"date_of_birth": "1985-03-27"}).status_code == 302
    client.post("/i18n/setlang/", {"language": "es", "next": "/intake/"})
    invitation.refresh_from_db()
    assert invitation.language == "es"  # its e-mails too, from now on
    assert invitation.patient.language == "es"  # and the follow-up links sent after the visit (the stop-29 audit)
    client.post("/intake/exit/")
    page = client.get(client.get(f"/intake/start/{token}/")["Location"]).content.decode()
    assert "Primero, confirme que es usted" in page


def test_a_language_picked_before_the_birth_date_changes_only_this_browser(client):
    """Whoever holds the link has not shown it is theirs yet: the invitation keeps its language."""
    invitation, token = make_invitation(language="en")
    client.get(f"/intake/start/{token}/")
    client.post("/i18n/setlang/", {"language": "es", "next": "/intake/confirm/"})
    invitation.refresh_from_db()
    assert invitation.language == "en"
    assert invitation.patient.language == "en"


def test_the_switcher_changes_the_language_with_a_plain_form_and_comes_back_to_the_same_page(client):
    html = client.get("/articles/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert '<input type="hidden" name="next" value="/articles/">' in html
    assert 'name="language" value="es" lang="es">Español</button>' in html
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/articles/"})
    assert response.status_code == 302
    assert response["Location"] == "/articles/"
    page = client.get("/articles/")
    assert "<h1>Artículos</h1>" in page.content.decode()
    assert "Cookie" in page["Vary"]  # a shared cache must not hand this copy to an English reader


def test_a_browser_that_asks_for_spanish_gets_the_public_pages_in_spanish(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="es">' in html
    assert "¿Viene a una cita?" in html


def test_the_switcher_never_sends_a_patient_link_token_any_further(rf):
    assert return_path(rf.get("/intake/start/some-secret-token/")) == "/intake/"
    assert return_path(rf.get("/intake/step/safety/?return=review")) == "/intake/step/safety/?return=review"
    assert return_path(rf.get("/staff/queue/")) == ""  # staff pages have no switcher


def test_switching_language_on_a_later_page_of_a_list_starts_the_list_again(rf):
    """A list's place ("after" an article, "page" 2) is a place in one language's order: switching on page 2 of the
    articles kept it, and the Spanish list read "Page 2 of 3" with no Next link, its articles from the middle of the
    Spanish order. The reader starts the list again in the new language; a topic or a search is kept."""
    assert return_path(rf.get("/articles/?after=back-pain-basics&page=2")) == "/articles/"
    assert return_path(rf.get("/topics/running/?before=knee-pain&page=3")) == "/topics/running/"
    assert return_path(rf.get("/search/?q=ci%C3%A1tica&page=2")) == "/search/?q=ci%C3%A1tica"
    assert return_path(rf.get("/search/?q=back+pain")) == "/search/?q=back+pain"


def test_error_pages_speak_the_visitors_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No pudimos encontrar esa página" in html
    assert '<input type="hidden" name="next" value="/">' in html  # the switcher leads home, never to the address


# --- The staff side stays English ----------------------------------------------------------------------------------


def test_staff_pages_are_english_whatever_the_browser_and_the_language_cookie_say(client, clinician):
    intake = make_intake("urgent_saddle_bladder")  # answered in Spanish: answers are codes, whatever the language
    intake.invitation.language = "es"
    intake.invitation.save(update_fields=["language"])
    client.force_login(clinician)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get(f"/staff/intakes/{intake.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    label = next(question for step in STEPS for question in step.questions if question.code == "ce_saddle_numbness")
    assert escape(label.label) in html
    with translation.override("es"):
        spanish = translation.gettext(label.label)
    assert spanish != label.label, "the questionnaire has no Spanish yet (see the catalogue tests above)"
    assert escape(spanish) not in html
    assert 'action="/i18n/setlang/"' not in html  # no switcher on staff pages


def test_the_admin_is_english_for_a_spanish_browser(client, administrator):
    client.force_login(administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "en"


# --- E-mails to the patient in their language ----------------------------------------------------------------------


@pytest.fixture
def tasks_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.FRONT_DESK_EMAILS = ["front-desk@clinic.example"]


def test_a_spanish_invitation_email_is_in_spanish_with_a_spanish_subject_free_of_patient_data(tasks_at_once):
    make_invitation(language="es", send_email=True, name="Rosa Marisol Example")
    [message] = mail.outbox
    assert message.subject == f"Sus preguntas antes de su cita en {settings.CLINIC_NAME}"
    assert "Rosa" not in message.subject
    assert "Marisol" not in message.subject
    assert message.body.startswith("Hola:")
    assert "Abra su enlace privado:" in message.body
    assert re.search(r"el \w+ \d{1,2} de \w+, por favor conteste", str(message.body))  # "el lunes 27 de marzo"


def test_an_english_invitation_email_stays_english_while_a_spanish_page_is_being_served(tasks_at_once):
    with translation.override("es"):
        make_invitation(language="en", send_email=True)
    [message] = mail.outbox
    assert message.subject.startswith("Your questions before your visit to")
    assert message.body.startswith("Hello,")
