"""A page of the pre-visit form, without the form tag (a tab open since before the tag), sent to an address the
follow-up open here does not have (`general_health`, `general_health_infection`): its red-flag answers were dropped,
as the follow-up asks none of them. They go into the follow-up's visit (the sent pre-visit intake it reads its
background from), latched beside what was sent and alerted, and the page says so (intake.late_pages)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from intake import services
from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.catalogue import FOLLOW_UP
from tests.intake.factories import BIRTH_DATE, follow_up_answers, follow_up_for, post_data, submitted_intake

pytestmark = pytest.mark.django_db

GENERAL_HEALTH_NO = {"cancer_history": "no", "weight_loss": "no", "fever_unwell": "no", "iv_drug_use": "no"}


def _open(client, token: str) -> None:
    client.get(f"/intake/start/{token}/")
    client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})


def _open_latches(intake: Intake) -> set[str]:
    return set(RedFlagAnswer.objects.filter(intake=intake, cleared_at=None).values_list("code", flat=True))


def _follow_up_open_after_a_visit_with_a_numb_leg(client) -> Intake:
    """A follow-up opened in `client`, after a sent visit whose leg answers (numbness below the knee, no cancer history
    told) make cord compression once a cancer history stands beside them. The visit."""
    legs = {"leg_symptoms": "yes", "leg_side": "left", "leg_pain_lowest_point": "below_knee"}
    visit = submitted_intake(
        **legs, worse_back_or_leg="leg", leg_numbness_tingling="yes", leg_weakness="no", sitting_eases="no"
    )
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)
    return visit


def test_a_fever_sent_from_the_visits_general_health_page_is_latched_on_the_visit_alerted_and_said_added(
    client, alert_calls
):
    visit = submitted_intake()
    assert visit.level != Level.SERIOUS
    _invitation, token, follow_up = follow_up_for(visit)
    _open(client, token)

    response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "fever_unwell": "yes"})

    visit.refresh_from_db()
    assert _open_latches(visit) == {"fever_unwell"}
    assert "SP3" in set(visit.flags.values_list("code", flat=True))
    assert visit.level == Level.SERIOUS
    assert (visit.pk, Level.SERIOUS) in [(pk, level) for pk, level, _previous in alert_calls]
    assert visit.answers["fever_unwell"] == "no"  # the sent answers stay as sent
    follow_up.refresh_from_db()
    assert follow_up.answers == {}  # nothing of the page goes into the follow-up
    html = response.content.decode()
    assert response.status_code == 409
    assert "We have added what you told us about warning signs to the form you sent before your visit" in html
    assert 'href="/intake/"' in html  # back to the follow-up


def test_a_fall_sent_from_the_visits_infection_page_is_latched_on_the_visit(client):
    visit = submitted_intake()
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)

    client.post("/intake/step/general_health_infection/", {"trauma_onset": "yes", "osteoporosis": "no"})

    assert _open_latches(visit) == {"trauma_onset"}


def test_a_cancer_history_sent_from_the_visits_page_makes_the_follow_ups_leg_numbness_cord_compression_at_once(
    client, alert_calls
):
    visit = submitted_intake()
    _invitation, token, follow_up = follow_up_for(visit)
    _open(client, token)
    answers = follow_up_answers(
        leg_symptoms="yes",
        leg_side="left",
        leg_pain_lowest_point="below_knee",
        worse_back_or_leg="leg",
        leg_numbness_tingling="yes",
        leg_weakness="no",
    )
    for page in FOLLOW_UP.pages[: FOLLOW_UP.page_slugs.index("legs_weakness") + 1]:
        assert client.post(f"/intake/step/{page.slug}/", post_data(page, answers)).status_code == 302
    follow_up.refresh_from_db()
    assert "MSCC" not in set(follow_up.flags.values_list("code", flat=True))

    response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "cancer_history": "yes"}, follow=True)

    follow_up.refresh_from_db()
    assert "MSCC" in set(follow_up.flags.values_list("code", flat=True))
    assert follow_up.level == Level.URGENT
    assert "cancer_history" in _open_latches(visit)
    assert (follow_up.pk, Level.URGENT) in [(pk, level) for pk, level, _previous in alert_calls]
    assert response.redirect_chain[-1][0] == "/intake/important/"
    assert "metastatic spinal cord" in response.content.decode()


def test_with_no_visit_of_the_patients_to_take_it_into_the_page_gives_the_advice_and_says_nothing_was_saved(client):
    visit = submitted_intake()
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)

    with mock.patch("intake.late_pages.background_visit", return_value=None):
        response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "iv_drug_use": "yes"})

    assert not RedFlagAnswer.objects.exists()
    html = response.content.decode()
    assert response.status_code == 409
    assert "was not saved" in html
    assert "Are both legs getting weaker?" in html  # the warning signs


def test_a_visit_page_with_no_red_flag_answer_goes_back_to_the_follow_up_as_before(client):
    visit = submitted_intake()
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)

    response = client.post("/intake/step/general_health/", GENERAL_HEALTH_NO)

    assert response["Location"] == "/intake/"
    assert not RedFlagAnswer.objects.exists()


def test_the_page_says_it_in_spanish_too(client):
    visit = submitted_intake()
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)
    client.cookies["django_language"] = "es"

    html = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "weight_loss": "yes"}).content.decode()

    assert "Agregamos lo que nos dijo sobre las señales de alarma" in html
    assert "Continuar con su formulario de seguimiento" in html


def test_past_the_rate_limit_the_visits_page_is_taken_into_the_visit_and_the_page_lists_it(client, settings):
    from django.core.cache import caches

    visit = submitted_intake()
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{**settings.RATE_LIMITS[0], "patient_rate": "1/10m"}]
    caches["ratelimit"].clear()
    try:
        client.post("/intake/step/safety/", post_data(FOLLOW_UP.page_by_slug("safety"), follow_up_answers()))
        response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "fever_unwell": "yes"})
    finally:
        caches["ratelimit"].clear()

    assert response.status_code == 429
    assert _open_latches(visit) == {"fever_unwell"}
    body = response.content.decode()
    assert "We have added what you told us about warning signs to your form and told the clinic." in body
    assert "fever" in body.split("The answers we added:")[1].split("</ul>")[0].lower()


def test_a_visit_removed_by_the_purge_as_its_answer_is_taken_gets_the_not_saved_page_not_the_error_page(client):
    visit = submitted_intake()
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)

    def purged(intake, posted, *, now):
        if intake.pk == visit.pk:
            raise Intake.DoesNotExist  # the row lock found no visit
        return intake

    with (
        mock.patch("intake.late_pages.services.record_red_flags", side_effect=purged),
        mock.patch("intake.late_pages.removed", side_effect=lambda intake: intake.pk == visit.pk),
        mock.patch("intake.late_pages.background_visit", side_effect=[visit, None]),
    ):
        response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "cancer_history": "yes"})

    assert response.status_code == 409
    assert "was not saved" in response.content.decode()


def test_a_cancer_history_that_makes_the_visits_own_leg_answers_cord_compression_gets_that_advice(client, alert_calls):
    visit = _follow_up_open_after_a_visit_with_a_numb_leg(client)

    response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "cancer_history": "not_sure"})

    visit.refresh_from_db()
    assert "MSCC" in set(visit.flags.values_list("code", flat=True))
    assert visit.level == Level.URGENT
    assert (visit.pk, Level.URGENT) in [(pk, level) for pk, level, _previous in alert_calls]
    html = response.content.decode()
    assert response.status_code == 409
    assert "metastatic spinal cord" in html
    assert "You told us you may have had cancer" in html
    assert "We have added what you told us about warning signs to the form you sent before your visit" in html


def test_a_fever_taken_into_a_visit_whose_cauda_equina_page_was_read_then_gets_no_cauda_equina_advice_again(client):
    # The visit's cauda equina signs were told, and their emergency page read, before it was sent: weeks later a
    # fever from its page is a call-back, not that emergency again with the old signs named as if just sent.
    visit = submitted_intake(ce_saddle_numbness="yes", ce_onset="within_14_days")
    assert visit.level == Level.URGENT
    services.acknowledge_emergency(visit, now=timezone.now(), kind="ces")
    _invitation, token, _follow_up = follow_up_for(visit)
    _open(client, token)

    response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "fever_unwell": "yes"})

    assert "fever_unwell" in _open_latches(visit)
    html = response.content.decode()
    assert response.status_code == 409
    assert "We have added what you told us about warning signs to the form you sent before your visit" in html
    assert "cauda equina" not in html
    assert "Get medical help now" not in html
    assert "Are both legs getting weaker?" in html  # the warning signs, as for any answer with no emergency


def test_a_visit_removed_by_the_purge_just_after_it_is_found_gets_the_not_saved_page_not_the_error_page(client):
    # The purge removes the visit between the look for it and the read of its row (before any row lock).
    visit = submitted_intake()
    _invitation, token, follow_up = follow_up_for(visit)
    _open(client, token)
    gone = Intake(pk=visit.pk + 10_000, patient_id=follow_up.patient_id)

    with mock.patch("intake.late_pages.background_visit", return_value=gone):
        response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "fever_unwell": "yes"})

    assert response.status_code == 409
    assert "was not saved" in response.content.decode()


def test_the_cord_compression_advice_of_a_visits_page_comes_back_once_in_the_language_chosen_right_after_it(client):
    _follow_up_open_after_a_visit_with_a_numb_leg(client)
    response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "cancer_history": "yes"})
    assert "metastatic spinal cord" in response.content.decode()

    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/intake/step/general_health/"}, follow=True)

    html = switched.content.decode()
    assert "apretar la médula espinal" in html  # the advice, in Spanish (it was the follow-up's first page)
    assert "Agregamos lo que nos dijo sobre las señales de alarma" in html
    # Once: a reload goes on with the follow-up.
    assert client.get("/intake/step/general_health/")["Location"] == "/intake/"


def test_a_cancer_history_yes_taken_into_the_visit_is_said_as_had_not_may_have_had(client):
    # The visit keeps its "no" as sent; the yes is in its latch beside it, and the advice says what the latch holds.
    _follow_up_open_after_a_visit_with_a_numb_leg(client)

    response = client.post("/intake/step/general_health/", {**GENERAL_HEALTH_NO, "cancer_history": "yes"})

    html = response.content.decode()
    assert "metastatic spinal cord" in html
    assert "You told us you have had cancer" in html
    assert "may have had cancer" not in html
