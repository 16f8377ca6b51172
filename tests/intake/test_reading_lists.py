"""The reading list on a patient's receipt, against docs/clinical/ARTICLES.md: after a red flag that arrives after
"Send" (a page left open in another tab) the list must fit the new level (the cauda equina article "always shown to
anyone with ... level serious or urgent", "Back pain after a run: usually a muscle strain" only at level routine,
"Back to running" never at level urgent); and an informational flag's article is not crowded out by answers."""

from __future__ import annotations

import pytest

from education.services import load_starter_library
from intake.models import Intake, Level
from tests.intake.factories import routine_answers, submitted_intake

pytestmark = pytest.mark.django_db

CES_ARTICLE_TITLE = "Cauda equina: warning signs to act on today"
STRAIN_ARTICLE_TITLE = "Back pain after a run: usually a muscle strain"
BACK_TO_RUNNING_TITLE = "Back to running: a step-by-step plan"


def _reading_titles(html: str) -> str:
    return html.split('id="reading-title"', 1)[1] if 'id="reading-title"' in html else ""


def test_a_cauda_equina_yes_after_send_gets_reading_that_fits_an_emergency(patient):
    load_starter_library()
    patient.save_all(routine_answers(running_time_lost="yes"))
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    intake = Intake.objects.get(invitation=patient.invitation)
    assert "back-pain-after-a-run" in intake.recommended_articles  # routine: a muscle strain, fine then

    # The safety page, still open in another tab, is sent with saddle numbness ticked.
    late = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"})
    assert late.status_code == 409
    intake.refresh_from_db()
    assert intake.level == Level.URGENT

    receipt = patient.client.get("/intake/done/").content.decode()
    assert "Get medical help now" in receipt  # the advice is right...
    reading = _reading_titles(receipt)
    problems = []
    if STRAIN_ARTICLE_TITLE in reading:
        problems.append("told it is usually a muscle strain (article 1: level routine only)")
    if BACK_TO_RUNNING_TITLE in reading:
        problems.append("given a plan to start running again (article 11: never at level urgent)")
    if CES_ARTICLE_TITLE not in reading:
        problems.append("no cauda equina article (article 3: always for level serious or urgent)")
    assert problems == [], (problems, Intake.objects.get(pk=intake.pk).recommended_articles)


STENOSIS_PATTERN = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "thigh",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "no",
    "leg_weakness": "no",
    "sitting_eases": "yes",
    "worse_with": ["walking"],
}


def test_a_runner_with_the_stenosis_pattern_is_recommended_the_stenosis_article():
    """docs/clinical/ARTICLES.md, article 14: "Recommend when: flag R1"; informational flags "steer the reading list"
    (docs/clinical/TRIAGE.md). Two ordinary running answers gave articles 7 and 11 the same score as R1 gave 14, and
    the lower number won every tie (the stop-34 audit): at equal score a flag's article now comes first."""
    intake = submitted_intake(
        **STENOSIS_PATTERN, running_status="cut_back", running_time_lost="yes", worries="Is it a slipped disc?"
    )
    codes = {flag.code for flag in intake.flags.all()}
    assert "R1" in codes
    assert intake.level_code == "routine"
    assert "spinal-stenosis-leg-pain-when-walking" in intake.recommended_articles, intake.recommended_articles
