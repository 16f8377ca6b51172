"""The one promise, on every page the questionnaire is now split into: a red-flag answer is stored, latched, triaged
and alerted the moment its page is posted, whatever else on that page is blank, the emergency page comes first for a
cauda equina or cord compression sign, and a later "no" never erases it (docs/clinical/TRIAGE.md, "Latched red flags
and partial pages")."""

from __future__ import annotations

import pytest

from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.questionnaire import CE_QUESTION_CODES, page_of
from intake.rules.triage import LATCHED_QUESTIONS, RED_FLAG_CHOICES
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db

# Leg symptoms with weakness, so the leg weakness page (SP12, SP13) is asked.
WEAK_LEG = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "thigh",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "no",
    "leg_weakness": "yes",
    "leg_weakness_worsening": "no",
    "foot_drop": "no",
    "sitting_eases": "no",
}


def _intake(patient: Patient) -> Intake:
    return Intake.objects.get(invitation=patient.invitation)


def _page_slug(code: str) -> str:
    page = page_of(code)
    assert page is not None, code
    return page.slug


def _by_page(code: str) -> tuple[str, str]:
    return _page_slug(code), code


# The yes/no ones: the fall, a latched choice, has its own tests (tests/intake/test_latched_fall.py).
LATCHED_BY_PAGE = sorted(LATCHED_QUESTIONS - set(RED_FLAG_CHOICES), key=_by_page)


@pytest.mark.parametrize("code", LATCHED_BY_PAGE)
def test_a_red_flag_yes_alone_on_its_page_is_stored_triaged_and_alerted_at_once_and_a_later_no_keeps_it(
    patient, alert_calls, code
):
    page = page_of(code)
    assert page is not None
    answers = routine_answers(**WEAK_LEG)
    answer_up_to(patient, page.slug, answers)
    assert alert_calls == []

    response = patient.client.post(f"/intake/step/{page.slug}/", {code: "yes"})  # everything else left blank

    intake = _intake(patient)
    assert intake.answers[code] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code=code, cleared_at__isnull=True).exists()
    assert intake.level in (Level.URGENT, Level.SERIOUS)
    assert alert_calls == [(intake.pk, intake.level, None)]
    if code in CE_QUESTION_CODES or code == "cancer_history":  # cauda equina; cancer with a weak leg is MSCC
        assert response["Location"] == "/intake/important/"
        patient.client.post("/intake/important/", {"acknowledged": "on"})
    else:
        assert response.status_code == 200  # the page waits for its other answers, with their messages
        assert "Please answer this question." in response.content.decode() or page.slug == "legs_weakness"
    level = intake.level

    # The same page, now complete and with "no": saved, and the flag stays until a clinician's review.
    assert patient.post_step(page.slug, {**answers, code: "no"}).status_code == 302
    intake.refresh_from_db()
    assert intake.answers[code] == "no"
    assert intake.level == level
    latch = RedFlagAnswer.objects.get(intake=intake, code=code, cleared_at__isnull=True)
    assert latch.value == "yes"
    assert latch.changed_to_no_at is not None
    assert len(alert_calls) == 1


@pytest.mark.parametrize("page", ["safety", "safety_bladder", "safety_legs"])
def test_a_not_sure_on_any_safety_page_opens_the_emergency_page_before_anything_else(patient, page):
    code = next(code for code in CE_QUESTION_CODES if _page_slug(code) == page)
    answer_up_to(patient, page, routine_answers())
    assert patient.client.post(f"/intake/step/{page}/", {code: "not_sure"})["Location"] == "/intake/important/"
    for elsewhere in ("/intake/", "/intake/step/about/", "/intake/review/"):
        assert patient.client.get(elsewhere)["Location"] == "/intake/important/"
    html = patient.client.get("/intake/important/").content.decode()
    assert "cauda equina syndrome" in html


def test_cancer_with_leg_numbness_from_two_pages_earlier_opens_the_cord_compression_page_at_once(patient):
    answers = routine_answers(**{**WEAK_LEG, "leg_numbness_tingling": "yes"})
    answer_up_to(patient, "general_health", answers)
    response = patient.client.post("/intake/step/general_health/", {"cancer_history": "not_sure"})
    assert response["Location"] == "/intake/important/"
    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert "MSCC" in set(intake.flags.values_list("code", flat=True))
    html = patient.client.get("/intake/important/").content.decode()
    assert "spinal cord" in html
    assert "cauda equina" not in html


def test_clumsy_hands_after_a_cancer_history_on_the_page_before_open_the_cord_compression_page(patient):
    answers = routine_answers(cancer_history="yes")
    answer_up_to(patient, "general_health_nerves", answers)
    assert _intake(patient).level == Level.SERIOUS  # SP1 alone: serious, no emergency page
    response = patient.client.post("/intake/step/general_health_nerves/", {"hands_clumsy": "yes"})
    assert response["Location"] == "/intake/important/"
    codes = set(_intake(patient).flags.values_list("code", flat=True))
    assert {"SP1", "CM1", "MSCC"} <= codes


def test_a_red_flag_posted_with_a_wrong_measurement_on_the_same_page_is_still_kept(patient, alert_calls):
    answers = routine_answers(**WEAK_LEG)
    answer_up_to(patient, "legs_weakness", answers)
    response = patient.client.post(
        "/intake/step/legs_weakness/", {"leg_weakness": "yes", "foot_drop": "yes", "walking_distance_m-yd": "far"}
    )
    assert response.status_code == 200
    assert "Enter the distance in yards, like 200" in response.content.decode()
    intake = _intake(patient)
    assert intake.answers["foot_drop"] == "yes"
    assert "SP13" in set(intake.flags.values_list("code", flat=True))
    assert len(alert_calls) == 1


def test_a_fall_posted_with_a_date_that_is_not_real_is_still_kept(patient, alert_calls):
    """SP7 is raised by "A fall, crash or blow" as the cause (docs/clinical/TRIAGE.md): an answer behind SP7, taken
    the moment it is posted, though the start date beside it is February 30."""
    answer_up_to(patient, "back_pain", routine_answers())
    response = patient.client.post(
        "/intake/step/back_pain/",
        {
            "pain_start_date-month": "2",
            "pain_start_date-day": "30",
            "pain_start_date-year": "2026",
            "onset_cause": "fall_impact",
            "first_episode": "no",
        },
    )
    assert response.status_code == 200
    assert "The date your back pain started must be a real date" in response.content.decode()
    intake = _intake(patient)
    assert intake.answers["onset_cause"] == "fall_impact"
    assert intake.level == Level.SERIOUS
    assert "SP7" in set(intake.flags.values_list("code", flat=True))
    assert len(alert_calls) == 1


@pytest.mark.parametrize(("code", "flag"), [("leg_weakness_worsening", "SP12"), ("foot_drop", "SP13")])
def test_a_weakness_yes_posted_with_a_changed_no_and_a_wrong_answer_beside_it_is_still_acted_on(
    patient, alert_calls, code, flag
):
    # The page was saved with "no" to leg weakness; the patient comes back, changes it to yes, says yes to the
    # follow-up and types a wrong distance. Only the red-flag answer is stored from that post (the "no" stays), and
    # the flag must still be raised and alerted at once.
    answers = routine_answers(**{**WEAK_LEG, "leg_weakness": "no"})
    answer_up_to(patient, "legs_weakness", answers)
    assert patient.post_step("legs_weakness", answers).status_code == 302
    assert _intake(patient).answers["leg_weakness"] == "no"

    response = patient.client.post(
        "/intake/step/legs_weakness/", {"leg_weakness": "yes", code: "yes", "walking_distance_m-yd": "far"}
    )

    assert response.status_code == 200
    assert "Enter the distance in yards, like 200" in response.content.decode()
    intake = _intake(patient)
    assert intake.answers[code] == "yes"
    assert flag in set(intake.flags.values_list("code", flat=True))
    assert intake.level == Level.SERIOUS
    assert alert_calls == [(intake.pk, intake.level, None)]


@pytest.mark.parametrize("code", ["leg_weakness_worsening", "foot_drop"])
def test_a_follow_up_yes_hidden_beside_its_parents_no_is_not_an_answer(patient, alert_calls, code):
    """The patient said yes to weakness and to its follow-up, then changed weakness to no: the page hid the follow-up
    but sent its tick. It raised a serious flag the patient never saw and could not take back."""
    answers = routine_answers(**WEAK_LEG)
    answer_up_to(patient, "legs_weakness", answers)
    assert patient.post_step("legs_weakness", {**answers, "leg_weakness": "no", code: "yes"}).status_code == 302

    intake = _intake(patient)
    assert intake.answers["leg_weakness"] == "no"
    assert code not in intake.answers
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert intake.level is None
    assert alert_calls == []


@pytest.mark.parametrize("parent", ["", "maybe"])
def test_a_follow_up_yes_beside_a_blank_or_unreadable_parent_is_still_taken(patient, alert_calls, parent):
    """Only a definite answer on the page rules its follow-up out: a yes to worsening weakness with the weakness
    question left blank (or sent as nonsense) is a red flag, acted on at once."""
    answers = routine_answers(**{**WEAK_LEG, "leg_weakness": "no"})
    answer_up_to(patient, "legs_weakness", answers)
    response = patient.client.post(
        "/intake/step/legs_weakness/", {"leg_weakness": parent, "leg_weakness_worsening": "yes"}
    )
    assert response.status_code == 200  # the page waits for its answers
    intake = _intake(patient)
    assert "SP12" in set(intake.flags.values_list("code", flat=True))
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_weakness_worsening").exists()
    assert alert_calls == [(intake.pk, Level.SERIOUS, None)]


def test_a_follow_up_yes_from_a_tab_opened_before_leg_symptoms_became_no_is_still_taken(patient, alert_calls):
    """Another page's answer (leg symptoms, changed to no in another tab) does not rule out a yes sent from the
    weakness page left open: only the page's own answers do."""
    answers = routine_answers(**WEAK_LEG)
    answer_up_to(patient, "legs_weakness", answers)
    intake = _intake(patient)
    Intake.objects.filter(pk=intake.pk).update(answers={**intake.answers, "leg_symptoms": "no"})
    patient.client.post("/intake/step/legs_weakness/", {"leg_weakness": "yes", "leg_weakness_worsening": "yes"})
    intake.refresh_from_db()
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_weakness_worsening").exists()
    assert intake.level == Level.SERIOUS
    assert len(alert_calls) == 1


@pytest.mark.parametrize(("code", "flag"), [("foot_drop", "SP13"), ("leg_weakness_worsening", "SP12")])
def test_going_back_to_say_no_leg_symptoms_keeps_a_weakness_red_flag_to_the_end(patient, alert_calls, code, flag):
    """Foot drop yes, alerted as serious; then back to the legs page: no leg symptoms after all. The sent intake was
    routine with no flag, the queue contradicting the alert staff had had (the stop-30 audit)."""
    answers = routine_answers(**{**WEAK_LEG, code: "yes"})
    answer_up_to(patient, "general_health", answers)
    intake = _intake(patient)
    assert flag in set(intake.flags.values_list("code", flat=True))
    changed = {**answers, "leg_symptoms": "no"}
    assert patient.post_step("legs", changed).status_code == 302
    patient.answer_all(changed)
    assert patient.client.post("/intake/review/").status_code == 302
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert (intake.level, flag in set(intake.flags.values_list("code", flat=True))) == (Level.SERIOUS, True)
    assert [level for _pk, level, _before in alert_calls] == [Level.SERIOUS]


def test_a_red_flag_sent_from_another_tab_while_the_emergency_page_waits_is_still_taken(patient, alert_calls):
    """The patient reached the general health page, went back and answered yes to a cauda equina question (the
    emergency page now comes first), then sent the general health page from a tab left open on it: its cancer
    history "yes" is taken before the patient is sent to the emergency page (found in review, stop 28: it was
    dropped, as the emergency page was asked for before the page's red flags were looked at)."""
    answers = routine_answers()
    answer_up_to(patient, "general_health_infection", answers)
    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    assert response["Location"] == "/intake/important/"
    response = patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})
    assert response["Location"] == "/intake/important/"
    intake = _intake(patient)
    assert intake.answers["cancer_history"] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code="cancer_history").exists()
    assert "SP1" in set(intake.flags.values_list("code", flat=True))
    # Staff are told of the cauda equina flag, then of the cancer history added to the urgent intake.
    assert [(call[1], call[2]) for call in alert_calls] == [(Level.URGENT, None), (Level.URGENT, Level.URGENT)]


def test_two_clinicians_reviewing_a_latched_answer_at_once_both_record_the_flag_they_judged(
    patient, clinician, django_user_model
):
    """Bowel control yes, then no: CE5 stays, latched. Two clinicians open the intake and both record an outcome;
    the first review clears the latch, and the second's note was stored without CE5, so the outcome report counted
    its outcome under no flag at all (the stop-29 audit)."""
    from intake.services import mark_reviewed
    from intake.services.review import review_basis

    answers = routine_answers(**WEAK_LEG)
    answer_up_to(patient, "safety_bladder", answers)
    patient.client.post("/intake/step/safety_bladder/", {"ce_bowel_control": "yes"})
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    assert patient.post_step("safety_bladder", {**answers, "ce_bowel_control": "no"}).status_code == 302
    intake = _intake(patient)
    seen = review_basis(intake.level, intake.flags.values_list("code", flat=True))  # both pages show CE5
    assert "CE5" in seen
    second = django_user_model.objects.create_user("second-clinician")
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice", seen=seen)
    mark_reviewed(_intake(patient), by=second, outcome="emergency_care", seen=seen)
    notes = intake.review_notes.order_by("id")
    assert [("CE5" in note.flag_codes, note.outcome) for note in notes] == [
        (True, "same_day_call_advice"),
        (True, "emergency_care"),
    ]


def test_the_other_answers_of_a_page_the_emergency_page_cut_short_are_there_when_the_patient_comes_back(patient):
    """Cancer "yes" beside two "no"s and one question left blank: the cord compression page comes first. Back on the
    form, the page showed the "yes" alone: the two "no"s the patient had given were gone."""
    answers = routine_answers(**{**WEAK_LEG, "leg_numbness_tingling": "yes"})
    answer_up_to(patient, "general_health", answers)
    posted = {"cancer_history": "yes", "weight_loss": "no", "fever_unwell": "no"}
    response = patient.client.post("/intake/step/general_health/", posted)
    assert response["Location"] == "/intake/important/"
    patient.client.get("/intake/important/")
    back = patient.client.post("/intake/important/", {"acknowledged": "on"}, follow=True)
    assert back.redirect_chain[-1][0] == "/intake/step/general_health/"
    html = back.content.decode()
    for code, value in posted.items():
        assert f'name="{code}" id="id_{code}_{1 if value == "no" else 0}" value="{value}" checked' in html, code
    assert 'id="error_iv_drug_use"' in html  # and what is still missing, beside it
    assert patient.post_step("general_health", answers)["Location"] == "/intake/step/general_health_infection/"


def test_a_new_cauda_equina_sign_after_a_clinicians_review_opens_the_emergency_page_again(patient, clinician):
    """Saddle numbness, the emergency page read; a clinician calls and judges it needs no emergency care. Later the
    patient answers that they now leak urine: the intake is opened again and staff alerted, and the patient must be
    told to go to the emergency room now, as for any cauda equina sign. The page read before the review was taken
    as read for every sign after it, so the patient went on to the next question (found in the stop-41 red-flag
    audit)."""
    from intake.services import mark_reviewed

    answers = routine_answers()
    answer_up_to(patient, "safety", answers)
    assert patient.post_step("safety", {**answers, "ce_saddle_numbness": "yes"})["Location"] == "/intake/important/"
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    mark_reviewed(_intake(patient), by=clinician, outcome="routine_appointment")
    assert _intake(patient).is_reviewed

    response = patient.post_step("safety_bladder", {**answers, "ce_urine_leak_or_no_sensation": "yes"})

    intake = _intake(patient)
    assert not intake.is_reviewed  # opened again, and staff alerted (tests/alerts)
    assert response["Location"] == "/intake/important/"
    assert patient.client.get("/intake/")["Location"] == "/intake/important/"  # before anything else
    html = patient.client.get("/intake/important/").content.decode()
    assert "cauda equina syndrome" in html
    assert "leak" in html  # the new sign, in the words to say


def test_an_emergency_page_read_is_not_shown_again_after_a_review_for_a_serious_flag_alone(patient, clinician):
    """The other way round: after the review, a new flag that calls for a call, not an emergency (a fever), opens the
    intake again for staff; the cauda equina sign the clinician judged does not send the patient back to its page."""
    from intake.services import mark_reviewed

    answers = routine_answers()
    answer_up_to(patient, "safety", answers)
    patient.post_step("safety", {**answers, "ce_saddle_numbness": "yes"})
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    mark_reviewed(_intake(patient), by=clinician, outcome="routine_appointment")
    answers = {**answers, "ce_saddle_numbness": "yes", "ce_onset": "older_stable"}
    answer_up_to(patient, "general_health", answers)

    response = patient.post_step("general_health", {**answers, "fever_unwell": "yes"})

    assert not _intake(patient).is_reviewed
    assert response["Location"] == "/intake/step/general_health_infection/"


def test_a_cauda_equina_yes_on_a_form_whose_resume_point_no_page_has_is_taken_and_the_form_opens(patient, alert_calls):
    """A resume point no page of the form has (a page of an older version of the form: `resume` sends the patient to
    the first question) counted as the consent page, so no question page was reached: the first one redirected to
    `resume` and back, round and round, and a yes posted on it was neither stored nor alerted."""
    Intake.objects.filter(invitation=patient.invitation).update(current_step="a_page_no_longer_asked")

    opened = patient.client.get("/intake/", follow=True)
    assert opened.status_code == 200
    assert opened.redirect_chain[-1][0] == "/intake/step/safety/"

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    intake = _intake(patient)
    assert response["Location"] == "/intake/important/"
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert alert_calls == [(intake.pk, Level.URGENT, None)]


def test_a_cauda_equina_yes_on_a_later_page_of_a_form_whose_resume_point_no_page_has_is_taken(patient, alert_calls):
    """A resume point no page of the form has counts as the first question page, so a later page counts as not
    reached: the patient, with the bladder page open from before the resume point was lost (a page of an older version
    of the form), sent a cauda equina yes on it, and was sent to the first question with nothing stored or alerted."""
    Intake.objects.filter(invitation=patient.invitation).update(current_step="a_page_no_longer_asked")

    response = patient.client.post("/intake/step/safety_bladder/", {"ce_bowel_control": "yes"}, follow=True)

    intake = _intake(patient)
    assert intake.answers.get("ce_bowel_control") == "yes"
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_bowel_control", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert alert_calls == [(intake.pk, Level.URGENT, None)]
    assert response.redirect_chain[-1][0] == "/intake/important/"


def test_a_cauda_equina_yes_sent_from_a_page_the_form_no_longer_has_is_taken(patient, alert_calls):
    """A page of an older version of the form, open in a tab since (its address names no page of the form now): the
    cauda equina yes sent from it was dropped on the way to `resume`, neither stored nor alerted."""
    Intake.objects.filter(invitation=patient.invitation).update(current_step="a_page_no_longer_asked")

    response = patient.client.post(
        "/intake/step/a_page_no_longer_asked/", {"ce_saddle_numbness": "yes", "ce_bowel_control": ""}, follow=True
    )

    intake = _intake(patient)
    assert intake.answers.get("ce_saddle_numbness") == "yes"
    assert "ce_bowel_control" not in intake.answers
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert alert_calls == [(intake.pk, Level.URGENT, None)]
    assert response.redirect_chain[-1][0] == "/intake/important/"


def test_a_cauda_equina_yes_sent_after_send_from_a_page_the_form_no_longer_has_is_taken(patient, alert_calls):
    """The same page of an older version, sent after the form was: the yes is latched beside what was sent and
    staff are alerted, as from a page the form has (it got the advice, but the clinic heard nothing)."""
    patient.answer_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302
    intake = _intake(patient)
    assert intake.status == Intake.Status.SUBMITTED
    alerts_before = list(alert_calls)

    response = patient.client.post("/intake/step/a_page_no_longer_asked/", {"ce_saddle_numbness": "yes"})

    intake.refresh_from_db()
    assert "Get medical help now" in response.content.decode()
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert alert_calls == [*alerts_before, (intake.pk, Level.URGENT, alerts_before[-1][1])]  # from routine


def test_a_yes_sent_after_send_from_a_page_the_form_no_longer_has_says_it_was_added(patient, alert_calls):
    """The yes from a page of an older version is latched and the clinic told: the page must say so, not "What you
    just sent was not added to your form"."""
    patient.answer_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302

    response = patient.client.post("/intake/step/a_page_no_longer_asked/", {"ce_saddle_numbness": "yes"})

    html = response.content.decode()
    assert "We have added what you told us about warning signs to your form and told the clinic." in html
    assert "was not added to your form" not in html


def test_leg_numbness_sent_after_send_from_a_page_the_form_no_longer_has_gets_the_cord_compression_advice(patient):
    """Beside a sent cancer history, leg numbness from a page of an older version makes MSCC (latched, alerted): the
    page gives the cord compression advice the form now calls for, as from the legs page itself."""
    patient.answer_all(routine_answers(cancer_history="yes"))
    assert patient.client.post("/intake/review/").status_code == 302

    response = patient.client.post(
        "/intake/step/a_page_no_longer_asked/", {"leg_symptoms": "yes", "leg_numbness_tingling": "yes"}
    )

    intake = _intake(patient)
    assert intake.level == Level.URGENT
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling", cleared_at=None).exists()
    assert "metastatic spinal cord" in response.content.decode()


def test_a_cancer_history_and_leg_numbness_sent_together_from_a_page_the_form_no_longer_has_make_mscc(
    patient, alert_calls
):
    """A page of an older version that asked both (its address names no page now): each answer is taken as from the
    page that asks it now, and the leg numbness beside the cancer history sent with it is cord compression, as when
    the two pages are sent one after the other; taken page by page in the form's order (legs before the cancer
    history), the numbness was dropped and the form stayed at serious, with no emergency page."""
    answer_up_to(patient, "general_health", routine_answers())

    response = patient.client.post(
        "/intake/step/a_page_no_longer_asked/",
        {"cancer_history": "yes", "leg_symptoms": "yes", "leg_numbness_tingling": "yes"},
        follow=True,
    )

    intake = _intake(patient)
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling", cleared_at=None).exists()
    assert "MSCC" in set(intake.flags.values_list("code", flat=True))
    assert intake.level == Level.URGENT
    assert response.redirect_chain[-1][0] == "/intake/important/"
