"""Article 10 ("Other signs that need a prompt review") reaches the patient once staff have spoken with them.

docs/clinical/ARTICLES.md, article 10: "shown after staff have contacted the patient", for any SP, MET or CM1 flag
(2027.1 corrections); open question 2: a review outcome that means someone spoke with the patient
(intake.models.PATIENT_REACHED_OUTCOMES) is what counts as contact. What the patient notices is their receipt page
(/intake/done/); what the clinician notices is "Articles recommended to the patient" on the intake page.
"""

from __future__ import annotations

import html as html_text
import re

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Intake
from intake.rules.recommendations import ARTICLE_SLUGS
from intake.services import mark_reviewed
from tests.education.factories import ArticleFactory
from tests.intake.conftest import Patient
from tests.intake.factories import routine_answers
from tests.module_data import built_for_module

pytestmark = pytest.mark.django_db

PROMPT_REVIEW = "Other signs that need a prompt review"
CANCER_ARTICLE = "Cancer history and back pain"


@pytest.fixture(scope="module", autouse=True)
def library(django_db_setup, django_db_blocker):
    """Every starter article published, so the receipt shows whatever the stored list names: made once for the module
    (0.25 s a test when each made its own), each test's changes rolled back to it (tests/module_data.py)."""
    titles = {"signs-that-need-a-prompt-review": PROMPT_REVIEW, "cancer-history-and-back-pain": CANCER_ARTICLE}

    def build() -> None:
        for slug in ARTICLE_SLUGS:
            ArticleFactory.create(slug=slug, title=titles.get(slug, slug.replace("-", " ").capitalize()))

    yield from built_for_module(django_db_blocker, build)


@pytest.fixture
def staff(clinician) -> Client:
    """A clinician's own browser (the `client` fixture is the patient's)."""
    browser = Client()
    browser.force_login(clinician)
    return browser


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def _items(html: str, section: str) -> list[str]:
    match = re.search(rf'aria-labelledby="{section}">(.*?)</section>', html, re.S)
    assert match is not None, f"no {section} section on the page"
    return [
        html_text.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", match[1])
    ]


def reading_on_receipt(patient: Patient) -> list[str]:
    """The titles under "Reading picked for you" on the patient's receipt, in order."""
    response = patient.client.get("/intake/done/")
    assert response.status_code == 200
    return _items(response.content.decode(), "reading-title")


def reading_on_staff_page(staff: Client, intake: Intake) -> list[str]:
    """The titles under "Articles recommended to the patient" on the clinician's intake page."""
    response = staff.get(reverse("dashboard:intake", args=[intake.pk]))
    assert response.status_code == 200
    return _items(response.content.decode(), "articles-title")


def send(patient: Patient, **changes: object) -> Intake:
    patient.save_all(routine_answers(**changes))
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    return _intake(patient)


def test_a_patient_with_a_cancer_history_sees_article_10_once_a_clinician_has_called_them(patient, staff):
    intake = send(patient, cancer_history="yes")  # SP1: serious
    before = reading_on_receipt(patient)
    assert before[0] == CANCER_ARTICLE
    assert PROMPT_REVIEW not in before
    assert PROMPT_REVIEW not in reading_on_staff_page(staff, intake)

    response = staff.post(
        reverse("dashboard:review", args=[intake.pk]), {"outcome": "same_day_call_advice", "note": "Called, advised."}
    )
    assert response.status_code == 302

    after = reading_on_receipt(patient)
    assert PROMPT_REVIEW in after
    assert after[:2] == before[:2]  # the articles for before the call still lead
    assert len(after) == len(before)
    assert PROMPT_REVIEW in reading_on_staff_page(staff, intake)


@pytest.mark.parametrize(
    ("outcome", "note"),
    [
        ("could_not_reach", ""),
        ("routine_appointment", ""),
        ("other", "Left a voicemail."),
    ],
)
def test_a_review_that_does_not_say_the_patient_was_reached_leaves_article_10_out(patient, clinician, outcome, note):
    intake = send(patient, cancer_history="yes")
    before = reading_on_receipt(patient)
    mark_reviewed(intake, by=clinician, outcome=outcome, note=note)
    after = reading_on_receipt(patient)
    assert PROMPT_REVIEW not in after
    assert after == before


def test_calling_a_patient_with_no_sp_met_or_cm1_flag_leaves_their_reading_as_it_was(patient, clinician):
    intake = send(patient)
    before = reading_on_receipt(patient)
    assert before  # a routine runner still gets articles
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    assert reading_on_receipt(patient) == before
    assert PROMPT_REVIEW not in before


def test_a_patient_called_before_sending_sees_article_10_on_the_receipt_at_once(patient, clinician):
    patient.save_all(routine_answers(weight_loss="yes"))  # SP2, still being answered
    mark_reviewed(_intake(patient), by=clinician, outcome="same_day_call_advice")
    assert _intake(patient).status == Intake.Status.IN_PROGRESS
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    assert PROMPT_REVIEW in reading_on_receipt(patient)


def test_a_second_call_does_not_add_article_10_twice(patient, clinician):
    intake = send(patient, cancer_history="yes")
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    first = reading_on_receipt(patient)
    mark_reviewed(intake, by=clinician, outcome="urgent_imaging_or_specialist")
    assert reading_on_receipt(patient) == first
    assert first.count(PROMPT_REVIEW) == 1


@pytest.mark.parametrize("earlier_reviews", [[], ["routine_appointment"], ["same_day_call_advice"]])
def test_a_cancer_history_taken_back_before_sending_still_brings_article_10_after_the_call(
    patient, clinician, earlier_reviews
):
    # "Yes" then "no": the yes stays a red flag until a clinician's review, so the patient is called about it. A
    # review with an outcome clears it; the call (first or not) is still judged on the flags as the patient sent them.
    patient.answer_all(routine_answers(cancer_history="yes"))
    assert patient.post_step("general_health", routine_answers(cancer_history="no")).status_code == 302
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    assert CANCER_ARTICLE in reading_on_receipt(patient)
    for outcome in earlier_reviews:
        mark_reviewed(_intake(patient), by=clinician, outcome=outcome)
    mark_reviewed(_intake(patient), by=clinician, outcome="urgent_imaging_or_specialist")
    after = reading_on_receipt(patient)
    assert after[0] == CANCER_ARTICLE
    assert after.count(PROMPT_REVIEW) == 1


def test_undoing_the_review_that_said_the_patient_was_called_takes_article_10_off_their_reading(patient, clinician):
    # The call was made to another patient (a review saved on the wrong intake): nobody "got in touch" with this one.
    from intake.services import review_token, undo_review

    intake = send(patient, cancer_history="yes")
    before = reading_on_receipt(patient)
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")
    assert PROMPT_REVIEW in reading_on_receipt(patient)
    intake.refresh_from_db()
    undo_review(intake, by=clinician, review=review_token(intake))
    assert reading_on_receipt(patient) == before
