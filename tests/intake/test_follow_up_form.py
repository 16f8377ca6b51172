"""The follow-up questionnaire answered through the patient's own flow (issue 12): the same link, birth-date check,
pages saved on Next, red-flag latch, emergency page, review and receipt as the pre-visit intake, on its own pages."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.catalogue import FOLLOW_UP
from intake.rules.form_versions import FOLLOW_UP_FORM
from tests.education.factories import ArticleFactory
from tests.intake.factories import BIRTH_DATE, follow_up_answers, follow_up_for, post_data, submitted_intake

pytestmark = pytest.mark.django_db

CES_ARTICLE = "cauda-equina-warning-signs"
SCIATICA_ARTICLE = "sciatica-explained-for-runners"
RUNNING_ARTICLE = "back-to-running-step-by-step"
NEW_LEG_SYMPTOMS = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "below_knee",
    "worse_back_or_leg": "leg",
    "leg_numbness_tingling": "yes",
    "leg_weakness": "no",
}


def _open(client, token: str):
    client.get(f"/intake/start/{token}/")
    return client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})


def _post(client, slug: str, answers: dict[str, object]):
    return client.post(f"/intake/step/{slug}/", post_data(FOLLOW_UP.page_by_slug(slug), answers))


def _answer_every_page(client, answers: dict[str, object]) -> None:
    for page in FOLLOW_UP.pages:
        response = _post(client, page.slug, answers)
        assert response.status_code == 302, (page.slug, response.content.decode()[:2000])
        if response["Location"].endswith("/intake/important/"):
            client.post("/intake/important/", {"acknowledged": "on"})


@pytest.fixture
def visit() -> Intake:
    return submitted_intake(psfs_1_activity="Running", psfs_2_activity="Carrying shopping", psfs_2=5)


def test_a_follow_up_opens_with_its_link_and_birth_date_starts_at_the_safety_check_and_ends_on_its_receipt(
    client, visit
):
    _invitation, token, intake = follow_up_for(visit)
    assert intake.form_version == FOLLOW_UP_FORM
    response = _open(client, token)
    assert response["Location"] == "/intake/"
    first = client.get("/intake/", follow=True)
    assert first.redirect_chain[-1][0] == "/intake/step/safety/"  # no consent page: the intake's covers it
    assert "Step 1 of 4" in first.content.decode()

    _answer_every_page(client, follow_up_answers())
    review = client.get("/intake/review/")
    assert review.status_code == 200
    page = review.content.decode()
    assert "How you are doing" in page
    assert "Better" in page
    assert "Your bladder and bowels" not in page  # page titles are not steps; the steps are
    assert client.post("/intake/review/")["Location"] == "/intake/done/"

    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.level == Level.ROUTINE
    receipt = client.get("/intake/done/").content.decode()
    assert "Thank you. We have your answers." in receipt
    assert "since your visit" in receipt
    assert "Your appointment" not in receipt


def test_the_follow_up_offers_the_activities_named_at_intake(client, visit):
    _invitation, token, _intake = follow_up_for(visit)
    _open(client, token)
    for slug in ("safety", "safety_bladder", "safety_legs", "safety_hands", "legs", "measures"):
        assert _post(client, slug, follow_up_answers())["Location"].startswith("/intake/step/")
    first = client.get("/intake/step/measures_activities/").content.decode()
    assert 'value="Running"' in first
    _post(client, "measures_activities", follow_up_answers())
    more = client.get("/intake/step/measures_activities_more/").content.decode()
    assert 'value="Carrying shopping"' in more


def test_the_other_activities_page_says_to_rate_or_clear_an_activity_it_fills_in_and_takes_either(client, visit):
    """It said "Skip this page if there are none" beside the intake's second activity, then refused "Next" with
    "Please rate how well you can do this activity now."."""
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)
    for slug in ("safety", "safety_bladder", "safety_legs", "safety_hands", "legs", "measures", "measures_activities"):
        assert _post(client, slug, follow_up_answers())["Location"].startswith("/intake/step/")
    page = client.get("/intake/step/measures_activities_more/").content.decode()
    assert 'value="Carrying shopping"' in page
    assert "Skip this page" not in page
    assert "If you named more before, they are filled in: rate each one now, or clear its name." in page

    untouched = client.post("/intake/step/measures_activities_more/", {"psfs_2_activity": "Carrying shopping"})
    assert "Please rate how well you can do this activity now." in untouched.content.decode()
    cleared = client.post("/intake/step/measures_activities_more/", {"psfs_2_activity": ""})
    assert cleared.status_code == 302
    rated = client.post(
        "/intake/step/measures_activities_more/", {"psfs_2_activity": "Carrying shopping", "psfs_2": "6"}
    )
    assert rated.status_code == 302
    intake.refresh_from_db()
    assert (intake.answers["psfs_2_activity"], intake.answers["psfs_2"]) == ("Carrying shopping", 6)


def test_a_ces_yes_on_a_follow_up_shows_the_emergency_page_flags_alerts_once_and_a_later_no_keeps_it(
    client, visit, alert_calls
):
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)

    response = client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})  # the rest of the page blank

    assert response["Location"] == "/intake/important/"
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert "CE1" in set(intake.flags.values_list("code", flat=True))
    assert [(pk, level) for pk, level, _previous in alert_calls] == [(intake.pk, Level.URGENT)]
    assert "emergency" in client.get("/intake/important/").content.decode().lower()
    client.post("/intake/important/", {"acknowledged": "on"})

    assert _post(client, "safety", follow_up_answers())["Location"].startswith("/intake/step/")  # now "no"

    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert "CE1" in set(intake.flags.values_list("code", flat=True))
    assert RedFlagAnswer.objects.get(intake=intake, code="ce_saddle_numbness").changed_to_no_at is not None
    assert len(alert_calls) == 1


def test_a_cancer_history_at_intake_makes_a_new_nerve_sign_at_follow_up_mscc_but_is_not_news_alone(client):
    visit = submitted_intake(cancer_history="yes")
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers())
    client.post("/intake/review/")
    intake.refresh_from_db()
    assert intake.level == Level.ROUTINE
    assert not intake.flags.exists()

    _other, token, second = follow_up_for(visit, time_point="3m")
    client.logout()
    _open(client, token)
    _answer_every_page(client, follow_up_answers(hands_clumsy="yes"))
    client.post("/intake/review/")
    second.refresh_from_db()
    assert {"CM1", "MSCC", "SP1"} <= set(second.flags.values_list("code", flat=True))
    assert second.level == Level.URGENT


def test_the_follow_up_receipt_lists_the_return_to_running_article_while_the_patient_is_not_back_to_usual_running(
    client, visit
):
    ArticleFactory.create(slug=RUNNING_ARTICLE, title="Back to running, step by step")
    _invitation, token, _intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers(follow_up_running="run_walk"))
    client.post("/intake/review/")

    assert "Back to running, step by step" in client.get("/intake/done/").content.decode()


def test_a_patient_back_to_usual_running_is_not_sent_the_plan_for_the_way_back(client, visit):
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers(follow_up_running="usual_running"))
    client.post("/intake/review/")
    intake.refresh_from_db()
    assert RUNNING_ARTICLE not in intake.recommended_articles


def test_new_leg_symptoms_at_follow_up_list_the_sciatica_and_ces_articles_on_the_receipt(client, visit):
    ArticleFactory.create(slug=SCIATICA_ARTICLE, title="Sciatica explained")
    ArticleFactory.create(slug=CES_ARTICLE, title="Cauda equina: warning signs")
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers(**NEW_LEG_SYMPTOMS))
    client.post("/intake/review/")

    intake.refresh_from_db()
    assert intake.level == Level.SCIATICA
    assert intake.recommended_articles[:2] == [SCIATICA_ARTICLE, CES_ARTICLE]
    receipt = client.get("/intake/done/").content.decode()
    assert "Sciatica explained" in receipt
    assert "Cauda equina: warning signs" in receipt


def test_the_follow_up_review_page_keeps_each_step_closed_with_change_links_inside(client, visit):
    _invitation, token, _intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers())
    page = client.get("/intake/review/").content.decode()
    assert page.count('<details class="review-section review-step"') == 4
    assert "<details open" not in page
    assert 'href="/intake/step/progress/?next=review#q-global_change"' in page


def test_the_receipt_says_when_it_was_sent_in_the_patients_language(client, visit):
    visit.patient.language = "es"
    visit.patient.save()
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers())
    client.post("/intake/review/")
    intake.refresh_from_db()

    receipt = client.get("/intake/done/").content.decode()

    sent = timezone.localtime(intake.submitted_at)
    with translation.override("es"):
        day = date_format(sent, "DATE_FORMAT")
    assert f"{sent.day} de " in day  # "2 de diciembre de 2026", not "December 2, 2026"
    assert day in receipt


def test_reviewing_a_follow_up_judges_it_again_with_the_visits_answers_beneath_it(client, clinician):
    # The review's outcome clears the latched "yes" to clumsy hands; the answer is still yes, so the follow-up is
    # judged again as a follow-up: the cancer history from the visit still makes it MSCC, urgent.
    from intake.services import mark_reviewed

    visit = submitted_intake(cancer_history="yes")
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)
    _answer_every_page(client, follow_up_answers(hands_clumsy="yes"))
    client.post("/intake/review/")
    assert RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    sent_with = set(intake.flags.values_list("code", flat=True))
    assert {"CM1", "MSCC", "SP1"} <= sent_with

    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice")

    intake.refresh_from_db()
    assert not RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    # The same flags: not the pre-visit form's reading, which counts every question a follow-up does not ask as
    # not ruled out.
    assert set(intake.flags.values_list("code", flat=True)) == sent_with
    assert intake.level == Level.URGENT


def test_a_cancer_history_taken_back_at_the_visit_but_not_cleared_still_counts_at_follow_up():
    """Latched answers count until a clinician clears them (docs/clinical/TRIAGE.md): a follow-up's clumsy hands after
    a visit whose cancer "yes" was changed to "no", still unreviewed, stayed `serious` instead of cord compression."""
    import datetime

    from intake.services import record_red_flags
    from tests.dashboard.factories import make_latched_intake

    said = timezone.now() - datetime.timedelta(days=2)
    visit = make_latched_intake("cancer_history", said_at=said, changed_at=said + datetime.timedelta(minutes=3))
    assert visit.answers["cancer_history"] == "no"
    _invitation, _token, follow_up = follow_up_for(visit)
    record_red_flags(follow_up, {"hands_clumsy": "yes"}, now=timezone.now())
    follow_up.refresh_from_db()
    assert "MSCC" in set(follow_up.flags.values_list("code", flat=True))
    assert follow_up.level == Level.URGENT


def test_a_ces_yes_from_a_tab_of_the_visits_form_on_a_page_the_follow_up_has_not_reached_is_taken(
    client, visit, alert_calls
):
    """The pre-visit form's page "safety_legs", open in a tab since before the form tag, sent while the follow-up is
    open here and still on its first page: the follow-up has a page at that address, not yet reached, and the yes to
    weaker legs was dropped on the way to the first page: neither stored, alerted, nor answered with the advice."""
    _invitation, token, intake = follow_up_for(visit)
    _open(client, token)

    response = client.post("/intake/step/safety_legs/", {"ce_both_legs_weaker": "yes"}, follow=True)

    intake.refresh_from_db()
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_both_legs_weaker", cleared_at=None).exists()
    assert intake.level == Level.URGENT
    assert alert_calls == [(intake.pk, Level.URGENT, None)]
    assert response.redirect_chain[-1][0] == "/intake/important/"
    assert "Get medical help now" in response.content.decode()
