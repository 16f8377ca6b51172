"""Review of the MSCC leg-answer latch (beside a cancer history): the cases its own tests leave out. A patient without
a cancer history keeps the old behaviour; with one, yes/no/yes, review then re-saving, junk values, refused posts
that must not tell a cancer history (docs/clinical/TRIAGE.md, "Leg answers beside a cancer history")."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from intake.models import Intake, Level, RedFlagAnswer
from tests.intake.conftest import answer_up_to
from tests.intake.factories import routine_answers
from tests.intake.factories import submitted_intake as sent_intake
from tests.intake.test_mscc_leg_answers import (
    NEW_LEG_NUMBNESS,
    NUMBNESS_WITH_SIDE_BLANK,
    _codes,
    _follow_up_on_its_legs_page,
    _post_legs,
    _reason,
)

pytestmark = pytest.mark.django_db

SCIATICA = {
    **NEW_LEG_NUMBNESS,
    "leg_pain_lowest_point": "below_knee",
    "leg_weakness": "no",
    "walking_distance_m": 1000,
    "sitting_eases": "no",
}


def _open_latches(intake: Intake) -> dict[str, RedFlagAnswer]:
    return {row.code: row for row in RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True)}


def test_without_a_cancer_history_a_later_no_to_leg_numbness_takes_sc3_away(patient):
    answers = routine_answers(**SCIATICA)
    patient.answer_all(answers)

    assert patient.post_step("legs", {**answers, "leg_numbness_tingling": "no"}).status_code == 302
    assert patient.client.post("/intake/review/").status_code == 302

    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.status == Intake.Status.SUBMITTED
    assert "SC1" in _codes(intake)
    assert "SC3" not in _codes(intake)
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert not Alert.objects.filter(intake=intake).exists()


def test_without_a_cancer_history_both_legs_beside_a_blank_field_is_refused_whole(patient):
    answer_up_to(patient, "legs", routine_answers())
    intake = Intake.objects.get(invitation=patient.invitation)

    response = patient.client.post(
        "/intake/step/legs/", {"leg_symptoms": "yes", "leg_side": "both", "leg_pain_lowest_point": "foot"}
    )

    assert response.status_code == 200
    intake.refresh_from_db()
    assert "leg_side" not in intake.answers
    assert intake.level is None
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert not Alert.objects.filter(intake=intake).exists()


def test_a_follow_up_whose_visit_had_no_cancer_history_refuses_a_leg_page_with_a_blank_field(client):
    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="no"))

    response = _post_legs(client, NUMBNESS_WITH_SIDE_BLANK)

    assert response.status_code == 200
    intake.refresh_from_db()
    assert "leg_numbness_tingling" not in intake.answers
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert intake.level is None


def test_leg_numbness_yes_no_yes_beside_a_cancer_history_keeps_one_latch_and_one_alert(client):
    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))
    assert _post_legs(client, NEW_LEG_NUMBNESS)["Location"] == "/intake/important/"
    client.post("/intake/important/", {"acknowledged": "on"})
    assert _post_legs(client, {**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}).status_code == 302
    assert _open_latches(intake)["leg_numbness_tingling"].changed_to_no_at is not None

    assert _post_legs(client, NEW_LEG_NUMBNESS).status_code == 302

    intake.refresh_from_db()
    [row] = RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling")
    assert row.changed_to_no_at is None
    assert row.cleared_at is None
    assert intake.level == Level.URGENT
    assert "changed to no" not in _reason(intake, "SC3")
    assert Alert.objects.filter(intake=intake).count() == 1


def test_the_same_refused_leg_page_posted_twice_latches_and_alerts_once(client):
    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))

    first = _post_legs(client, NUMBNESS_WITH_SIDE_BLANK)
    second = client.post("/intake/step/legs/", NUMBNESS_WITH_SIDE_BLANK)  # the double click, before the redirect

    assert first["Location"] == second["Location"] == "/intake/important/"
    # One latch each: the leg answer, and the visit's cancer history beneath it (latched on the follow-up with it).
    latched = sorted(RedFlagAnswer.objects.filter(intake=intake).values_list("code", flat=True))
    assert latched == ["cancer_history", "leg_numbness_tingling"]
    assert Alert.objects.filter(intake=intake).count() == 1


def test_leg_answers_stored_before_the_cancer_yes_are_latched_at_the_time_of_the_cancer_yes(patient):
    answers = routine_answers(**SCIATICA)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer_up_to(patient, "general_health", answers)
    later = start + datetime.timedelta(minutes=7)
    with time_machine.travel(later, tick=False):
        response = patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})
    assert response["Location"] == "/intake/important/"

    intake = Intake.objects.get(invitation=patient.invitation)
    latches = _open_latches(intake)
    assert set(latches) == {"cancer_history", "leg_numbness_tingling", "leg_pain_lowest_point"}
    assert {row.answered_at for row in latches.values()} == {later}
    # The leg answers were given before the cancer yes, not at its time (the reason says "before").
    assert {code for code, row in latches.items() if row.given_before} == {
        "leg_numbness_tingling",
        "leg_pain_lowest_point",
    }
    assert intake.level == Level.URGENT
    assert Alert.objects.filter(intake=intake).count() == 1


def test_leg_symptoms_changed_to_no_after_a_latched_both_legs_keeps_mscc_and_ce8(patient):
    answers = routine_answers(cancer_history="yes")
    answer_up_to(patient, "general_health_infection", answers)
    both = {**NEW_LEG_NUMBNESS, "leg_side": "both", "leg_numbness_tingling": "no"}
    assert patient.post_step("legs", {**answers, **both})["Location"] == "/intake/important/"
    patient.client.post("/intake/important/", {"acknowledged": "on"})

    assert patient.post_step("legs", {**answers, "leg_symptoms": "no"}).status_code == 302

    intake = Intake.objects.get(invitation=patient.invitation)
    assert "leg_side" not in intake.answers
    assert {"MSCC", "CE8"} <= _codes(intake)
    assert re.search(r"\(which leg answered “Both legs” at \d\d:\d\d, no longer answered\)$", _reason(intake, "CE8"))
    assert Alert.objects.filter(intake=intake, kind=Alert.Kind.URGENT).count() == 1


def test_a_whole_general_health_page_with_a_cancer_yes_latches_the_stored_leg_answers(patient):
    answer_up_to(patient, "general_health_infection", routine_answers(cancer_history="yes", **SCIATICA))

    intake = Intake.objects.get(invitation=patient.invitation)
    assert set(_open_latches(intake)) == {"cancer_history", "leg_numbness_tingling", "leg_pain_lowest_point"}
    assert intake.level == Level.URGENT
    assert Alert.objects.filter(intake=intake, kind=Alert.Kind.URGENT).count() == 1


def test_after_a_review_resaving_the_pages_unchanged_latches_again_as_the_cancer_yes_does_but_alerts_no_more(
    patient, clinician
):
    """Re-saving a page with a yes after a review opens its latch again (as before these commits for the cancer yes
    itself); the leg answers beside it follow it, and nobody is alerted again for the same answers."""
    from intake.services import mark_reviewed

    answers = routine_answers(cancer_history="yes", **SCIATICA)
    answer_up_to(patient, "general_health_nerves", answers)
    intake = Intake.objects.get(invitation=patient.invitation)
    alerts = Alert.objects.filter(intake=intake).count()
    mark_reviewed(intake, by=clinician, outcome="emergency_care")
    assert not _open_latches(intake)

    assert patient.post_step("legs", answers).status_code == 302
    assert set(_open_latches(intake)) == {"leg_numbness_tingling", "leg_pain_lowest_point"}
    assert patient.post_step("general_health", answers).status_code == 302

    assert set(_open_latches(intake)) == {"cancer_history", "leg_numbness_tingling", "leg_pain_lowest_point"}
    assert Alert.objects.filter(intake=intake).count() == alerts


def _sent_with(patient, **changes: object) -> Intake:
    answers = routine_answers(**changes)
    patient.answer_all(answers)
    assert patient.client.post("/intake/review/").status_code == 302
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.status == Intake.Status.SUBMITTED
    return intake


def test_leg_numbness_posted_after_send_beside_a_sent_cancer_history_gets_the_cord_compression_advice(patient):
    intake = _sent_with(patient, cancer_history="yes")
    alerts = Alert.objects.filter(intake=intake, kind=Alert.Kind.URGENT).count()

    response = patient.client.post("/intake/step/legs/", NUMBNESS_WITH_SIDE_BLANK)

    html = response.content.decode()
    assert "metastatic spinal cord" in html, html[:3000]
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert "MSCC" in _codes(intake)
    assert RedFlagAnswer.objects.filter(intake=intake, code="leg_numbness_tingling", cleared_at=None).exists()
    assert Alert.objects.filter(intake=intake, kind=Alert.Kind.URGENT).count() == alerts + 1


def test_leg_numbness_posted_after_send_without_a_cancer_history_is_not_taken(patient):
    intake = _sent_with(patient)

    response = patient.client.post("/intake/step/legs/", NUMBNESS_WITH_SIDE_BLANK)

    assert "spinal cord" not in response.content.decode()
    assert not RedFlagAnswer.objects.filter(intake=intake).exists()
    assert not Alert.objects.filter(intake=intake).exists()


@pytest.mark.parametrize(
    "junk",
    [
        {"leg_side": ["both", "left"]},
        {"leg_side": ["both", "both"], "leg_numbness_tingling": ["yes", "no"]},
        {"leg_pain_lowest_point": "foot\x00"},
        {"leg_weakness": "yes", "leg_numbness_tingling": "YES"},
        {"worse_back_or_leg": ["leg", "back", "leg"], "leg_side": ""},
    ],
)
def test_junk_leg_values_beside_a_cancer_history_never_give_a_500(patient, junk):
    answer_up_to(patient, "general_health_infection", routine_answers(cancer_history="yes"))

    response = patient.client.post("/intake/step/legs/", {"leg_symptoms": "yes", **junk})

    assert response.status_code in (200, 302, 400)


def test_a_leg_page_refused_by_its_csrf_check_does_not_tell_a_cancer_history(patient):
    answer_up_to(patient, "general_health_infection", routine_answers(cancer_history="yes"))
    own = Client(enforce_csrf_checks=True)
    own.cookies = patient.client.cookies

    response = own.post("/intake/step/legs/", {**NUMBNESS_WITH_SIDE_BLANK, "csrfmiddlewaretoken": "wrong" * 8})

    assert response.status_code == 403
    html = response.content.decode()
    assert "spinal cord" not in html
    assert "told the clinic" not in html
    intake = Intake.objects.get(invitation=patient.invitation)
    assert "leg_numbness_tingling" not in intake.answers


def test_two_reviews_from_pages_opened_before_either_clear_the_leg_latch_once_and_both_are_taken(client, clinician):
    """MSCC held by a leg answer taken back ("changed to no"): the first review clears it and MSCC goes; the second,
    sent from a page opened at the same time, is not refused as news (flags gone are not news)."""
    from intake.services import mark_reviewed
    from intake.services.review import review_basis

    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))
    assert _post_legs(client, NEW_LEG_NUMBNESS)["Location"] == "/intake/important/"
    client.post("/intake/important/", {"acknowledged": "on"})
    assert _post_legs(client, {**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}).status_code == 302
    intake.refresh_from_db()
    reasons = dict(intake.flags.values_list("code", "reason"))
    assert "MSCC" in reasons
    seen = review_basis(intake.level, reasons, intake.review_round, 0, reasons=reasons)

    mark_reviewed(intake, by=clinician, outcome="emergency_care", note="Sent to A&E.", seen=seen)
    intake.refresh_from_db()
    assert "MSCC" not in _codes(intake)
    result = mark_reviewed(intake, by=clinician, outcome="emergency_care", note="Spoke to her too.", seen=seen)

    assert result.note is not None
    assert not RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()


def test_a_sciatica_leg_page_without_a_cancer_history_asks_the_database_no_more_than_one_without_leg_signs(patient):
    """Issue 16: an ordinary page is saved in a few statements. Leg numbness (SC3) without a cancer history is an
    ordinary answer: the page saved, or refused for a blank, reads no red-flag answers to find a cancer history that
    the intake (no level: nothing flagged) cannot have."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answers = routine_answers()
    answer_up_to(patient, "legs", answers)

    def statements(posted: dict[str, object], status: int = 302) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert patient.post_step("legs", {**answers, **posted}).status_code == status
        return [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]

    plain = statements({**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"})
    numb = statements(SCIATICA)
    refused = statements({**NUMBNESS_WITH_SIDE_BLANK, "leg_side": None}, status=200)

    assert len(numb) == len(plain), numb
    assert not any(sql.startswith('SELECT "intake_redflaganswer"') for sql in numb + refused), numb + refused


def _cancer_yes_then_no(patient) -> dict[str, object]:
    answers = routine_answers(cancer_history="yes")
    answer_up_to(patient, "general_health_infection", answers)
    assert patient.post_step("general_health", {**answers, "cancer_history": "no"}).status_code == 302
    return answers


def test_a_cancer_yes_taken_back_still_makes_leg_numbness_beside_a_blank_act_at_once_until_a_review(patient):
    _cancer_yes_then_no(patient)

    response = patient.client.post("/intake/step/legs/", NUMBNESS_WITH_SIDE_BLANK)

    assert response["Location"] == "/intake/important/"
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["cancer_history"] == "no"
    assert "leg_numbness_tingling" in _open_latches(intake)
    assert "MSCC" in _codes(intake)


def test_after_a_review_cleared_a_cancer_yes_taken_back_leg_numbness_beside_a_blank_is_refused_as_before(
    patient, clinician
):
    from intake.services import mark_reviewed

    _cancer_yes_then_no(patient)
    intake = Intake.objects.get(invitation=patient.invitation)
    mark_reviewed(intake, by=clinician, outcome="routine_appointment")

    response = patient.client.post("/intake/step/legs/", NUMBNESS_WITH_SIDE_BLANK)

    assert response.status_code == 200
    intake.refresh_from_db()
    assert "leg_numbness_tingling" not in intake.answers
    assert not _open_latches(intake)


def test_leg_answers_given_after_a_review_latch_when_undoing_the_review_brings_the_cancer_history_back(
    patient, clinician
):
    """A cancer yes taken back, cleared by a review, then leg numbness and pain below the knee (no cancer history:
    ordinary answers). The review is undone (the wrong patient): the cancer history counts again, MSCC, the patient
    is sent to the emergency page. A later "no" must not take MSCC away: the leg answers latched when it came back."""
    from intake.services import mark_reviewed
    from intake.services.review_undo import review_token, undo_review

    answers = _cancer_yes_then_no(patient)
    intake = Intake.objects.get(invitation=patient.invitation)
    mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    legs = {**answers, **SCIATICA}
    assert patient.post_step("legs", legs).status_code == 302
    intake.refresh_from_db()
    undo_review(intake, by=clinician, review=review_token(intake))
    intake.refresh_from_db()
    assert "MSCC" in _codes(intake)
    latched = _open_latches(intake)
    assert {"leg_numbness_tingling", "leg_pain_lowest_point"} <= set(latched)
    assert latched["leg_numbness_tingling"].given_before  # given before the undo, latched by it
    patient.client.post("/intake/important/", {"acknowledged": "on", "kind": "mscc"})

    no_more = {**legs, "leg_numbness_tingling": "no", "leg_pain_lowest_point": "thigh"}
    assert patient.post_step("legs", no_more)["Location"] == "/intake/step/legs_weakness/"

    intake.refresh_from_db()
    assert intake.answers["leg_numbness_tingling"] == "no"
    assert intake.level == Level.URGENT
    assert "MSCC" in _codes(intake)


def _visit_with_a_latch(visit_latch: str) -> Intake:
    """A visit sent with `visit_latch` answered yes then no (its latch open)."""
    from tests.dashboard.factories import make_latched_intake

    said = timezone.now() - datetime.timedelta(days=2)
    return make_latched_intake(visit_latch, said_at=said, changed_at=said + datetime.timedelta(minutes=3))


def _follow_up_with_leg_numbness(visit: Intake, *, time_point: str = "6w", sent: bool = False) -> Intake:
    """The patient's follow-up of `visit` with new leg numbness stored: still being answered (up to its leg page), or
    answered whole and sent."""
    from intake.rules.catalogue import FOLLOW_UP
    from intake.services import save_page, submit_intake
    from tests.intake.factories import follow_up_answers, follow_up_for

    _invitation, _token, follow_up = follow_up_for(visit, time_point=time_point)
    answers = follow_up_answers(**NEW_LEG_NUMBNESS, leg_weakness="no")
    pages = FOLLOW_UP.pages if sent else FOLLOW_UP.pages[: FOLLOW_UP.page_slugs.index("legs") + 1]
    for page in pages:
        save_page(follow_up, page.slug, answers, now=timezone.now())
    if sent:
        submit_intake(follow_up, now=timezone.now())
    follow_up.refresh_from_db()
    assert follow_up.status == (Intake.Status.SUBMITTED if sent else Intake.Status.IN_PROGRESS)
    assert follow_up.answers["leg_numbness_tingling"] == "yes"
    return follow_up


def _follow_up_with_leg_numbness_after_the_visit_review(
    visit_latch: str, clinician, *, sent: bool = False
) -> tuple[Intake, Intake]:
    """A visit sent with `visit_latch` answered yes then no, its latch cleared by a review; then the patient's
    follow-up (still being answered, or `sent`) stores new leg numbness (no cancer history stands: an ordinary
    answer)."""
    from intake.services import mark_reviewed

    visit = _visit_with_a_latch(visit_latch)
    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    assert not _open_latches(visit)
    follow_up = _follow_up_with_leg_numbness(visit, sent=sent)
    assert "MSCC" not in _codes(follow_up)
    assert not _open_latches(follow_up)
    visit.refresh_from_db()
    return visit, follow_up


def test_undoing_the_visit_review_that_brings_its_cancer_history_back_latches_a_follow_ups_leg_numbness(clinician):
    """The visit's cancer yes taken back and cleared by a review; the follow-up's leg numbness then was ordinary. The
    review is undone (the wrong patient): the cancer history stands again beneath the follow-up, so its numbness
    makes MSCC: triaged and alerted at once, and latched, so a later "no" keeps MSCC until a clinician's review."""
    from intake.services import save_page
    from intake.services.review_undo import review_token, undo_review

    visit, follow_up = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician)

    undo_review(visit, by=clinician, review=review_token(visit))

    follow_up.refresh_from_db()
    assert follow_up.level == Level.URGENT
    assert "MSCC" in _codes(follow_up)
    assert Alert.objects.filter(intake=follow_up, kind=Alert.Kind.URGENT).exists()
    latched = _open_latches(follow_up)
    assert latched["leg_numbness_tingling"].given_before  # given before the undo, latched by it

    save_page(follow_up, "legs", {**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}, now=timezone.now())

    follow_up.refresh_from_db()
    assert follow_up.answers["leg_numbness_tingling"] == "no"
    assert follow_up.level == Level.URGENT
    assert "MSCC" in _codes(follow_up)


def test_undoing_a_visit_review_without_a_cancer_history_latches_nothing_on_its_follow_up(clinician):
    from intake.services.review_undo import review_token, undo_review

    visit, follow_up = _follow_up_with_leg_numbness_after_the_visit_review("ce_saddle_numbness", clinician)
    before = (follow_up.level, _codes(follow_up))

    undo_review(visit, by=clinician, review=review_token(visit))

    assert "ce_saddle_numbness" in _open_latches(visit)  # the visit's own latch is back
    follow_up.refresh_from_db()
    assert not RedFlagAnswer.objects.filter(intake=follow_up).exists()
    assert (follow_up.level, _codes(follow_up)) == before
    assert "MSCC" not in _codes(follow_up)


def test_undoing_the_visit_review_that_brings_its_cancer_history_back_triages_a_sent_follow_up_again(clinician):
    """The same, with the follow-up sent before the undo: its numbness went as an ordinary answer. Once the cancer
    history stands again beneath it, the sent follow-up is judged again as sent (its answers kept as sent), MSCC and
    urgent, its numbness latched as given before, and staff are alerted once through the urgent alert's task; the
    reasons read as those of a follow-up of the same visit still being answered."""
    from intake.services.review_undo import review_token, undo_review

    visit, sent = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician, sent=True)
    answering = _follow_up_with_leg_numbness(visit, time_point="3m")
    sent_answers = dict(sent.answers)
    assert sent.level != Level.URGENT
    assert not Alert.objects.filter(intake=sent).exists()

    undo_review(visit, by=clinician, review=review_token(visit))

    sent.refresh_from_db()
    answering.refresh_from_db()
    assert sent.status == Intake.Status.SUBMITTED
    assert sent.answers == sent_answers
    assert sent.level == Level.URGENT
    assert {"MSCC", "SC3"} <= _codes(sent)
    latched = _open_latches(sent)
    assert set(latched) == {"leg_numbness_tingling", "cancer_history"}  # the visit's, beneath it
    assert all(row.given_before for row in latched.values())
    [alert] = Alert.objects.filter(intake=sent)
    assert alert.kind == Alert.Kind.URGENT
    assert alert.task_id  # queued as every urgent alert is
    reasons = dict(sent.flags.values_list("code", "reason"))
    answering_reasons = dict(answering.flags.values_list("code", "reason"))
    assert {code: reasons[code] for code in ("MSCC", "SC3", "SP1")} == {
        code: answering_reasons[code] for code in ("MSCC", "SC3", "SP1")
    }


def test_a_sent_follow_up_reviewed_before_the_undo_is_opened_again_and_alerted(clinician):
    """A clinician reviewed the sent follow-up while no cancer history stood (nothing urgent in it): MSCC is news
    that review did not see, so the undo takes the follow-up out of "reviewed" and alerts staff."""
    from intake.services import mark_reviewed
    from intake.services.review_undo import review_token, undo_review

    visit, sent = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician, sent=True)
    mark_reviewed(sent, by=clinician, outcome="routine_appointment")
    sent.refresh_from_db()
    assert sent.is_reviewed

    undo_review(visit, by=clinician, review=review_token(visit))

    sent.refresh_from_db()
    assert not sent.is_reviewed
    assert sent.level == Level.URGENT
    assert "MSCC" in _codes(sent)
    assert Alert.objects.filter(intake=sent, kind=Alert.Kind.URGENT, round=sent.review_round).count() == 1


def test_a_cancer_yes_posted_from_an_old_tab_of_the_sent_visit_latches_and_alerts_its_follow_ups_leg_numbness(
    patient,
):
    """The visit went with no cancer history; its follow-ups then stored new leg numbness, an ordinary answer. A yes
    to the cancer question posted from a page of the visit left open (after "Send": latched beside what was sent)
    puts a cancer history beneath the follow-ups: their numbness makes MSCC at once, the one still being answered as
    it stands and the sent one as sent (its answers kept), each latched, urgent and alerted once; a later "no" on the
    one still being answered keeps MSCC, and the same yes posted again alerts nobody more."""
    from intake.services import save_page
    from tests.intake.factories import follow_up_answers

    visit = _sent_with(patient, cancer_history="no")
    answering = _follow_up_with_leg_numbness(visit)
    sent = _follow_up_with_leg_numbness(visit, time_point="3m", sent=True)
    sent_answers = dict(sent.answers)
    for follow_up in (answering, sent):
        assert "MSCC" not in _codes(follow_up)
        assert not Alert.objects.filter(intake=follow_up).exists()

    response = patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})

    assert "metastatic spinal cord" not in response.content.decode()  # the visit itself has no leg answer for it
    assert "cancer_history" in _open_latches(visit)
    sent.refresh_from_db()
    assert sent.answers == sent_answers
    for follow_up in (answering, sent):
        follow_up.refresh_from_db()
        assert follow_up.level == Level.URGENT, follow_up.status
        assert {"MSCC", "SC3", "SP1"} <= _codes(follow_up), follow_up.status
        latched = _open_latches(follow_up)
        assert {"leg_numbness_tingling", "cancer_history"} <= set(latched), follow_up.status
        assert latched["leg_numbness_tingling"].given_before
        assert "after Send" not in _reason(follow_up, "SP1")  # to the follow-up, the history came with the visit
        assert Alert.objects.filter(intake=follow_up, kind=Alert.Kind.URGENT).count() == 1, follow_up.status

    patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})  # the same page sent again
    answer = follow_up_answers(**{**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}, leg_weakness="no")
    save_page(answering, "legs", answer, now=timezone.now())

    answering.refresh_from_db()
    assert answering.answers["leg_numbness_tingling"] == "no"
    assert answering.level == Level.URGENT
    assert "MSCC" in _codes(answering)
    for follow_up in (answering, sent):
        assert Alert.objects.filter(intake=follow_up).count() == 1, follow_up.status


def test_a_visit_review_that_clears_its_cancer_history_does_not_lower_its_follow_ups_latched_flags(clinician):
    """A visit's cancer yes taken back, not reviewed yet: it still stands beneath the follow-ups, so their leg
    numbness makes MSCC and latches. The visit's review then clears its cancer latch: that review is of the visit,
    not of the follow-ups (a latch is cleared only by a clinician's review of its own intake). Their MSCC stays, on
    the next page saved too and when the follow-up still being answered is sent, until a review of each."""
    from intake.rules.catalogue import FOLLOW_UP
    from intake.services import mark_reviewed, save_page, submit_intake
    from intake.services.assessment import retriage
    from tests.intake.factories import follow_up_answers

    visit = _visit_with_a_latch("cancer_history")
    answering = _follow_up_with_leg_numbness(visit)
    sent = _follow_up_with_leg_numbness(visit, time_point="3m", sent=True)
    for follow_up in (answering, sent):
        assert follow_up.level == Level.URGENT
        assert "MSCC" in _codes(follow_up)
        assert "leg_numbness_tingling" in _open_latches(follow_up)

    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    assert not _open_latches(visit)

    retriage(sent, now=timezone.now(), apply=True)  # the sent one judged again (`manage.py retriage`)
    answer = follow_up_answers(**{**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}, leg_weakness="no")
    save_page(answering, "legs", answer, now=timezone.now())
    for follow_up in (answering, sent):
        follow_up.refresh_from_db()
        assert follow_up.level == Level.URGENT, follow_up.kind
        assert {"MSCC", "SP1", "SC3"} <= _codes(follow_up), follow_up.kind
        assert "leg_numbness_tingling" in _open_latches(follow_up)
        assert "after Send" not in _reason(follow_up, "SP1")  # the cancer history came with the visit

    for page in FOLLOW_UP.pages[FOLLOW_UP.page_slugs.index("legs") + 1 :]:
        save_page(answering, page.slug, answer, now=timezone.now())
    submit_intake(answering, now=timezone.now())
    answering.refresh_from_db()
    assert answering.status == Intake.Status.SUBMITTED
    assert answering.level == Level.URGENT
    assert "MSCC" in _codes(answering)

    mark_reviewed(sent, by=clinician, outcome="emergency_care")  # the follow-up's own review clears its latches
    sent.refresh_from_db()
    assert not _open_latches(sent)
    assert "MSCC" not in _codes(sent)


def test_a_sent_follow_up_triaged_again_by_an_undo_keeps_its_mscc_when_the_visit_is_reviewed_again(clinician):
    """The undo latched the sent follow-up's numbness and the visit's cancer history beneath it; the visit is then
    reviewed again (the right patient this time), clearing its cancer latch. The follow-up's MSCC stands until its
    own review, and its reason does not say the cancer history came "after Send": it came with the visit."""
    from intake.services import mark_reviewed
    from intake.services.assessment import retriage
    from intake.services.review import reassess_without_cleared_latches
    from intake.services.review_undo import review_token, undo_review

    visit, sent = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician, sent=True)
    undo_review(visit, by=clinician, review=review_token(visit))
    visit.refresh_from_db()
    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    assert not _open_latches(visit)

    retriage(sent, now=timezone.now(), apply=True)  # the level alone: stored only if it changed
    reassess_without_cleared_latches(sent, now=timezone.now())  # the flags and reasons, as a review stores them

    sent.refresh_from_db()
    assert sent.level == Level.URGENT
    assert {"MSCC", "SP1", "SC3"} <= _codes(sent)
    assert re.search(r"\(answered yes before \d\d:\d\d, changed to no\)$", _reason(sent, "SP1")), _reason(sent, "SP1")
    assert Alert.objects.filter(intake=sent, kind=Alert.Kind.URGENT).count() == 1


def test_a_follow_ups_leg_page_without_a_cancer_history_reads_the_visit_once(client, django_assert_num_queries):
    """Issue 16: leg numbness on a follow-up whose visit has no cancer history is an ordinary answer. The visit's
    answers and latches (the follow-up's background) are read once for the request: to see that no cancer history
    stands for the numbness, and to judge the page saved without the row lock (it was read twice: two statements
    more, seven for the save). A page refused for a blank reads them once too."""
    _follow_up_on_its_legs_page(client, sent_intake(cancer_history="no"))

    # The session, the intake, the visit's answers, its latches, and the one UPDATE that stores the page.
    with django_assert_num_queries(5) as saved:
        assert _post_legs(client, NEW_LEG_NUMBNESS).status_code == 302
    with django_assert_num_queries(4) as refused:  # the same reads, nothing written
        assert _post_legs(client, NUMBNESS_WITH_SIDE_BLANK).status_code == 200

    for queries in (saved, refused):
        visit_reads = [query["sql"] for query in queries.captured_queries if '"intake_followup"' in query["sql"]]
        assert len(visit_reads) == 1, visit_reads


def test_a_review_from_a_page_opened_before_leg_numbness_was_taken_back_beside_a_cancer_history_is_refused(
    client, clinician
):
    """MSCC on a follow-up (the visit's cancer history, new leg numbness). The clinician opens its page; the patient
    then changes the numbness to "no": MSCC stands on the latch, and only SC3's reason changes ("answered yes at
    ..., changed to no at ..."), which the clinician should read before judging the call (the patient now says the
    numbness has gone). The review sent from the page opened before is refused, as for any other red flag whose
    reason changed; sent again from the page as it is now, it is taken."""
    import html as html_text

    from django.test import Client
    from django.urls import reverse

    from intake.services.review import MSG_CHANGED_SINCE_SHOWN
    from tests.dashboard.test_review_outcomes import _seen

    intake = _follow_up_on_its_legs_page(client, sent_intake(cancer_history="yes"))
    assert _post_legs(client, NEW_LEG_NUMBNESS)["Location"] == "/intake/important/"
    client.post("/intake/important/", {"acknowledged": "on"})
    staff = Client()
    staff.force_login(clinician)
    detail, review = reverse("dashboard:intake", args=[intake.pk]), reverse("dashboard:review", args=[intake.pk])
    seen = _seen(staff.get(detail).content.decode())
    before = dict(Intake.objects.get(pk=intake.pk).flags.values_list("code", "reason"))

    assert _post_legs(client, {**NEW_LEG_NUMBNESS, "leg_numbness_tingling": "no"}).status_code == 302
    intake.refresh_from_db()
    after = dict(intake.flags.values_list("code", "reason"))
    assert set(after) == set(before)
    assert intake.level == Level.URGENT
    assert {code for code in after if after[code] != before[code]} == {"SC3"}

    response = staff.post(review, {"outcome": "emergency_care", "note": "Called her.", "seen": seen})

    assert response.status_code == 409
    page = html_text.unescape(response.content.decode())
    assert MSG_CHANGED_SINCE_SHOWN in page
    assert "changed to no" in page
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert "leg_numbness_tingling" in _open_latches(intake)

    response = staff.post(review, {"outcome": "emergency_care", "note": "Called her.", "seen": _seen(page)})
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.is_reviewed


def _follow_up_with_clumsy_hands(visit: Intake, *, sent: bool = False) -> Intake:
    """The patient's follow-up of `visit` with clumsy hands (CM1, a cord compression sign that makes MSCC beside a
    cancer history): answered up to that page, or whole and sent."""
    from intake.rules.catalogue import FOLLOW_UP
    from intake.services import save_page, submit_intake
    from tests.intake.factories import follow_up_answers, follow_up_for

    _invitation, _token, follow_up = follow_up_for(visit)
    answers = follow_up_answers(hands_clumsy="yes")
    pages = FOLLOW_UP.pages if sent else FOLLOW_UP.pages[: FOLLOW_UP.page_slugs.index("safety_hands") + 1]
    for page in pages:
        save_page(follow_up, page.slug, answers, now=timezone.now())
    if sent:
        submit_intake(follow_up, now=timezone.now())
    follow_up.refresh_from_db()
    return follow_up


def test_a_visit_review_that_clears_its_cancer_history_keeps_the_mscc_of_a_follow_ups_clumsy_hands(clinician):
    """The same for cord compression's hands (CM1) beside the visit's cancer yes taken back: MSCC, then the visit's
    review clears the visit's latch; the follow-up, still being answered, keeps MSCC at its next page."""
    from intake.services import mark_reviewed, save_page
    from tests.intake.factories import follow_up_answers

    visit = _visit_with_a_latch("cancer_history")
    follow_up = _follow_up_with_clumsy_hands(visit)
    assert "MSCC" in _codes(follow_up)
    mark_reviewed(visit, by=clinician, outcome="routine_appointment")

    save_page(follow_up, "legs", follow_up_answers(), now=timezone.now())

    follow_up.refresh_from_db()
    assert follow_up.level == Level.URGENT
    assert {"MSCC", "CM1"} <= _codes(follow_up)


def test_undoing_the_visit_review_makes_mscc_of_a_sent_follow_ups_clumsy_hands(clinician):
    """A follow-up sent with clumsy hands (CM1, serious) while no cancer history stood beneath it: the undo that
    brings the visit's cancer history back makes it MSCC, urgent, alerted as urgent."""
    from intake.services import mark_reviewed
    from intake.services.review_undo import review_token, undo_review

    visit = _visit_with_a_latch("cancer_history")
    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    sent = _follow_up_with_clumsy_hands(visit, sent=True)
    assert sent.status == Intake.Status.SUBMITTED
    assert (sent.level, "MSCC" in _codes(sent)) == (Level.SERIOUS, False)
    visit.refresh_from_db()

    undo_review(visit, by=clinician, review=review_token(visit))

    sent.refresh_from_db()
    assert sent.level == Level.URGENT
    assert {"MSCC", "CM1"} <= _codes(sent)
    assert "cancer_history" in _open_latches(sent)  # its MSCC stands until its own review
    assert Alert.objects.filter(intake=sent, kind=Alert.Kind.URGENT).count() == 1


def test_undoing_the_visit_review_while_a_follow_ups_leg_page_is_saved_leaves_its_numbness_mscc(clinician, monkeypatch):
    """The follow-up's leg page (new numbness, no cancer history beneath it yet: an ordinary answer) is stored by the
    one statement that needs no row lock, judged on the visit as the request read it. The clinician's undo of the
    visit's review lands in between: the cancer history stands again, but the numbness is not stored yet, so the undo
    has nothing of the follow-up to latch. The page must not then be stored as judged before: its numbness makes MSCC
    now, latched and alerted (it was stored as an ordinary answer, no MSCC, no alert, and a later "no" left none)."""
    from intake.rules.catalogue import FOLLOW_UP
    from intake.services import answering, mark_reviewed, save_page
    from intake.services.review_undo import review_token, undo_review
    from tests.intake.factories import follow_up_answers, follow_up_for

    visit = _visit_with_a_latch("cancer_history")
    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    visit.refresh_from_db()
    _invitation, _token, follow_up = follow_up_for(visit)
    answers = follow_up_answers(**NEW_LEG_NUMBNESS, leg_weakness="no")
    for page in FOLLOW_UP.pages[: FOLLOW_UP.page_slugs.index("legs")]:
        save_page(follow_up, page.slug, answers, now=timezone.now())
    follow_up.refresh_from_db()
    assert follow_up.level is None
    from intake.services.unlocked_write import store_if_unchanged as unlocked_write

    def the_undo_lands_first(*args, **kwargs):
        undo_review(visit, by=clinician, review=review_token(visit))
        return unlocked_write(*args, **kwargs)

    monkeypatch.setattr(answering, "store_if_unchanged", the_undo_lands_first)
    save_page(follow_up, "legs", answers, now=timezone.now())

    assert "cancer_history" in _open_latches(visit)  # the undo took
    follow_up.refresh_from_db()
    assert follow_up.answers["leg_numbness_tingling"] == "yes"
    assert follow_up.level == Level.URGENT
    assert "MSCC" in _codes(follow_up)
    assert "leg_numbness_tingling" in _open_latches(follow_up)
    assert Alert.objects.filter(intake=follow_up, kind=Alert.Kind.URGENT).count() == 1
