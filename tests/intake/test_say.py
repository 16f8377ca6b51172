"""`say`: the catalogue's texts in the patient's language, looked up once per language (issue 16), and looked up again
when the translations themselves change."""

from __future__ import annotations

from django.test import override_settings
from django.utils import translation

from intake.patient_fields import say
from intake.rules.questionnaire import page_by_slug

SADDLE = page_by_slug("safety").questions[0].label


def test_a_label_is_in_each_language_as_the_language_changes_back_and_forth():
    with translation.override("en"):
        english = say(SADDLE)
    with translation.override("es"):
        spanish = say(SADDLE)
    assert english == SADDLE
    assert spanish != english
    assert "entrepierna" in spanish  # the saddle area, in Spanish
    with translation.override("en"):
        assert say(SADDLE) == english
    with translation.override("es"):
        assert say(SADDLE) == spanish


def test_texts_are_looked_up_again_when_the_catalogues_change():
    # (Django forgets the active language when these settings change: each block activates Spanish itself.)
    with translation.override("es"):
        spanish = say(SADDLE)
    with override_settings(LOCALE_PATHS=[]), translation.override("es"):  # the portal's Spanish catalogue out of reach
        assert say(SADDLE) == SADDLE
    with translation.override("es"):
        assert say(SADDLE) == spanish
