"""Marking an intake reviewed with what happened, and the red-flag answers it clears.

docs/clinical/TRIAGE.md, "Review outcomes" and "Latched red flags and partial pages".
"""

from __future__ import annotations

import datetime
import html as html_text
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from intake.models import Intake, Level, RedFlagAnswer, ReviewNote
from intake.services import InvalidReview, mark_reviewed
from intake.services.review import (
    MSG_CHANGED_SINCE_SHOWN,
    MSG_OTHER_NEEDS_NOTE,
    MSG_OUTCOME_REQUIRED,
    MSG_UNKNOWN_OUTCOME,
)
from tests.dashboard.factories import make_intake, make_latched_intake

pytestmark = pytest.mark.django_db


def review_url(intake: Intake) -> str:
    return reverse("dashboard:review", args=[intake.pk])


def detail_url(intake: Intake) -> str:
    return reverse("dashboard:intake", args=[intake.pk])


def error_next_to(html: str, field: str) -> str:
    """The text of the error shown with a field of the review form (`outcome-error`, `note-error`)."""
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    return html_text.unescape(match.group(1)) if match else ""


@pytest.mark.parametrize("profile", ["urgent_bowel", "serious_cancer"])
def test_reviewing_an_urgent_or_serious_intake_without_an_outcome_is_refused_next_to_the_outcome(
    client, clinician, profile
):
    intake = make_intake(profile)
    client.force_login(clinician)
    response = client.post(review_url(intake), {"note": "Spoke to the patient."})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_next_to(html, "outcome") == MSG_OUTCOME_REQUIRED
    assert "Spoke to the patient." in html  # what they typed is kept
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert not ReviewNote.objects.exists()
    assert not AuditEvent.objects.filter(action="reviewed_intake").exists()
    # The page shown again holds the whole intake: it is in the audit trail as a viewing.
    assert list(AuditEvent.objects.filter(intake_id=intake.pk).values_list("action", "detail")) == [
        ("viewed_intake", "review not saved")
    ]


@pytest.mark.parametrize("profile", ["urgent_bowel", "serious_cancer"])
def test_the_review_service_itself_refuses_an_urgent_or_serious_review_without_an_outcome(clinician, profile):
    """Whoever calls it (a script, the demo loader, a future screen): a bare note never takes an urgent intake off
    the escalation path."""
    intake = make_intake(profile)
    with pytest.raises(InvalidReview) as refused:
        mark_reviewed(intake, by=clinician, note="Looked at it.")
    assert (str(refused.value), refused.value.field) == (MSG_OUTCOME_REQUIRED, "outcome")
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert not ReviewNote.objects.exists()
    assert not AuditEvent.objects.filter(action="reviewed_intake").exists()


def test_the_review_service_refuses_a_bare_note_while_red_flag_answers_are_latched(clinician, latched):
    intake, _said, _changed = latched
    Intake.objects.filter(pk=intake.pk).update(is_reviewed=True)  # reviewed once, but a latch is still open
    with pytest.raises(InvalidReview):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, note="Looked again.")
    assert RedFlagAnswer.objects.get(intake=intake).cleared_at is None
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="emergency_care")
    assert RedFlagAnswer.objects.get(intake=intake).cleared_at is not None


def test_the_form_offers_every_outcome_with_its_label_and_says_it_is_required_for_urgent(client, clinician):
    client.force_login(clinician)
    urgent = client.get(detail_url(make_intake("urgent_bowel"))).content.decode()
    for _code, label in ReviewNote.Outcome.choices:
        assert f">{label}</label>" in urgent
    assert "(required)" in urgent
    assert "No outcome to record" not in urgent
    routine = client.get(detail_url(make_intake("routine_plain"))).content.decode()
    assert "No outcome to record" in routine
    assert "(optional)" in routine


def test_a_routine_intake_may_be_reviewed_without_an_outcome(client, clinician):
    intake = make_intake("routine_plain")
    client.force_login(clinician)
    assert client.post(review_url(intake), {"outcome": "", "note": ""}).status_code == 302
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert not ReviewNote.objects.exists()


def test_other_without_a_note_is_refused_with_a_message_next_to_the_note(client, clinician):
    intake = make_intake("serious_fracture")
    client.force_login(clinician)
    response = client.post(review_url(intake), {"outcome": "other", "note": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_next_to(html, "note") == MSG_OTHER_NEEDS_NOTE
    assert error_next_to(html, "outcome") == ""
    assert re.search(r'value="other" checked', html)  # the choice is kept
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert not ReviewNote.objects.exists()


@pytest.mark.parametrize(("message", "field"), [(MSG_OTHER_NEEDS_NOTE, "note"), (MSG_UNKNOWN_OUTCOME, "outcome")])
def test_a_review_the_intake_service_refuses_is_shown_next_to_its_field(client, clinician, monkeypatch, message, field):
    def refuse(*args, **kwargs):
        raise InvalidReview(message, field=field)

    monkeypatch.setattr("dashboard.views.mark_reviewed", refuse)
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    response = client.post(review_url(intake), {"outcome": "other", "note": "Booked"})
    assert response.status_code == 400
    assert error_next_to(response.content.decode(), field) == message


def test_could_not_reach_keeps_the_intake_unreviewed_in_the_queue_and_says_escalation_continues(client, clinician):
    intake = make_intake("urgent_saddle_bladder", name="Ann Unreached")
    make_intake("routine_plain", name="Rob Routine")
    client.force_login(clinician)
    response = client.post(
        review_url(intake), {"outcome": "could_not_reach", "note": "No answer; voicemail left."}, follow=True
    )
    html = response.content.decode()
    assert "stays unreviewed" in html
    assert "the lead is e-mailed again if nobody reviews it within 15 minutes of the last failed call" in html
    assert "Could not reach the patient</strong> (1 attempt" in html
    intake.refresh_from_db()
    assert not intake.is_reviewed
    note = ReviewNote.objects.get()
    assert (note.outcome, note.text) == ("could_not_reach", "No answer; voicemail left.")
    queue = client.get(reverse("dashboard:queue"))
    first = queue.context["rows"][0]
    assert (first.patient_name, first.level_code, first.is_reviewed) == ("Ann Unreached", Level.URGENT.code, False)
    assert "1 urgent intake not reviewed." in queue.content.decode()
    # A colleague taking over sees that a call was made, and when (found by an audit: the row only said "Not reviewed").
    tried = timezone.localtime(note.created_at)
    assert f"Not reached {tried:%a %b} {tried.day}, {tried:%-I:%M %p}" in queue.content.decode()
    assert first.not_reached
    assert not [row for row in queue.context["rows"] if row.patient_name == "Rob Routine" and row.not_reached]
    # The next attempt still needs an outcome.
    assert error_next_to(client.post(review_url(intake), {}).content.decode(), "outcome") == MSG_OUTCOME_REQUIRED


def test_a_review_with_an_outcome_stores_it_with_the_flags_seen_and_the_note_list_shows_it(client, clinician):
    intake = make_intake("serious_fracture")
    client.force_login(clinician)
    response = client.post(
        review_url(intake), {"outcome": "urgent_imaging_or_specialist", "note": "MRI requested."}, follow=True
    )
    html = response.content.decode()
    assert "marked reviewed. Outcome: Urgent imaging or specialist referral." in html
    note = ReviewNote.objects.get()
    assert note.outcome == "urgent_imaging_or_specialist"
    assert note.rules_version == intake.rules_version
    assert note.flag_codes == sorted(intake.flags.values_list("code", flat=True))
    notes = html[html.index('id="notes-title"') :]
    assert "Outcome:</span> Urgent imaging or specialist referral" in notes
    assert "MRI requested." in notes
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert intake.reviewed_by == clinician


def test_a_note_added_after_the_review_needs_no_outcome(client, clinician):
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    client.post(review_url(intake), {"outcome": "emergency_care"})
    assert client.post(review_url(intake), {"note": "Seen in A&E; discharged."}).status_code == 302
    assert list(ReviewNote.objects.values_list("outcome", flat=True)) == ["emergency_care", ""]


# --- Red-flag answers ----------------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def shown(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%-I:%M} {local:%p} {local.tzname()}"  # as the page shows it: 10:02 AM EST


@pytest.fixture
def latched(db):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    said, changed = at(yesterday, 10, 2), at(yesterday, 10, 5)
    return make_latched_intake("ce_saddle_numbness", said_at=said, changed_at=changed), said, changed


def red_flag_table(html: str) -> str:
    start = html.index('id="red-flag-answers-title"')
    return html[start : html.index("</table>", start)]


def test_a_latched_answer_shows_both_answers_with_times_in_the_clinics_time_zone(client, clinician, latched):
    intake, said, changed = latched
    assert intake.level == Level.URGENT  # the "no" did not erase the "yes"
    client.force_login(clinician)
    html = client.get(detail_url(intake)).content.decode()
    table = red_flag_table(html)
    assert "saddle area" in table  # the question as the patient saw it
    assert '<strong>Yes</strong><br><span class="text-nowrap">' in table
    assert shown(said) in table
    assert "<strong>No</strong>" in table
    assert shown(changed) in table
    assert timezone.get_current_timezone_name() in table
    assert "Counts until reviewed with an outcome" in table
    # The flag says so too, and the answer list shows what was said first.
    said_at, changed_at = (shown(moment).rsplit(" ", 1)[0] for moment in (said, changed))  # "10:02 AM", no zone
    assert f"answered yes at {said_at}, changed to no at {changed_at}" in html
    assert "(first answered Yes at" in html


def test_a_review_with_an_outcome_clears_the_latch_and_the_table_keeps_both_answers(client, clinician, latched):
    intake, said, changed = latched
    client.force_login(clinician)
    response = client.post(review_url(intake), {"outcome": "routine_appointment", "note": "Patient: mis-click."})
    page = client.get(response["Location"]).content.decode()
    assert "the level is now routine" in page
    table = red_flag_table(page)
    assert shown(said) in table
    assert shown(changed) in table
    assert "Cleared by Clinician Tester at" in table
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert intake.level == Level.ROUTINE


def test_could_not_reach_leaves_a_latched_answer_standing(client, clinician, latched):
    intake, _said, _changed = latched
    client.force_login(clinician)
    client.post(review_url(intake), {"outcome": "could_not_reach"})
    intake.refresh_from_db()
    assert (intake.level, intake.is_reviewed) == (Level.URGENT, False)
    assert "Counts until reviewed with an outcome" in client.get(detail_url(intake)).content.decode()


def test_an_intake_without_latched_answers_shows_no_red_flag_table(client, clinician):
    client.force_login(clinician)
    assert 'id="red-flag-answers-title"' not in client.get(detail_url(make_intake("routine_plain"))).content.decode()


def _seen(html: str) -> str:
    match = re.search(r'name="seen" value="([^"]*)"', html)
    assert match is not None
    return match.group(1)


def test_a_review_from_a_page_opened_before_a_new_red_flag_is_refused_and_the_page_shows_the_flag(client, clinician):
    """The clinician opened the page; the patient, still answering, then sent another red flag; the review sent from
    the page opened before is refused (it cleared flags nobody had seen: found in the stop-28 audit), and the page
    now shows the new flag, the note kept, for a review of what is there."""
    from intake.services import record_red_flags

    intake = make_intake("urgent_bowel", safety_only=True)
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())

    response = client.post(review_url(intake), {"outcome": "routine_appointment", "note": "Called her.", "seen": seen})
    assert response.status_code == 409
    html = html_text.unescape(response.content.decode())
    assert MSG_CHANGED_SINCE_SHOWN in html
    assert "Called her." in html  # what was typed is kept
    assert "Saddle" in html  # the new flag, on the page now
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    assert not ReviewNote.objects.exists()

    # Sent again from the page as it is now, the review is taken.
    response = client.post(review_url(intake), {"outcome": "emergency_care", "seen": _seen(html)})
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert ReviewNote.objects.get().flag_codes == sorted(intake.flags.values_list("code", flat=True))


def test_a_second_clinicians_review_stands_when_the_first_cleared_a_flag_meanwhile(client, clinician, latched):
    """Two clinicians with the page open: the first one's outcome clears the latched answer (its flag goes); the
    second one's review is taken, not refused, as nothing new came in (found in review, stop 28)."""
    intake, _said, _changed = latched
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="emergency_care")
    response = client.post(review_url(intake), {"outcome": "emergency_care", "note": "Me too.", "seen": seen})
    assert response.status_code == 302
    assert ReviewNote.objects.filter(text="Me too.").exists()


def test_a_second_clinicians_review_stands_when_the_first_cleared_a_latch_behind_a_flag_that_stays(client, clinician):
    """Clumsy hands answered yes then no, balance worse still yes: the cord compression flag stands on the balance
    answer, its reason naming the latched hands answer. The first clinician's outcome clears the latch, so the reason
    loses that note though nothing new came in: the second clinician's review (or a double click) is still taken,
    as when the first review cleared a flag altogether."""
    intake = _cm1_on_balance_with_hands_latched()
    reason = Intake.objects.get(pk=intake.pk).flags.get(code="CM1").reason
    assert "changed to no" in reason
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="same_day_call_advice")
    assert Intake.objects.get(pk=intake.pk).flags.get(code="CM1").reason != reason  # the latch's note is gone

    response = client.post(review_url(intake), {"outcome": "same_day_call_advice", "note": "Me too.", "seen": seen})

    assert response.status_code == 302
    assert ReviewNote.objects.filter(text="Me too.").exists()


def test_a_review_from_a_page_opened_before_a_latched_answer_was_given_again_after_a_colleagues_review_is_refused(
    client, clinician
):
    """As above, but after the first clinician's review cleared the clumsy hands latch, the patient said yes to it
    again (then no): a new report the second clinician's page never showed. The colleague's review since must not
    excuse it: the second review is refused, as it was before such reviews were excused."""
    from intake.services import record_red_flags, save_step
    from tests.intake.quiet_answers import NO_RED_FLAGS

    intake = _cm1_on_balance_with_hands_latched()
    answers = {**NO_RED_FLAGS, "balance_worse": "yes"}
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="same_day_call_advice")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"hands_clumsy": "yes"}, now=timezone.now())
    save_step(Intake.objects.get(pk=intake.pk), "general_health", answers, now=timezone.now())
    assert RedFlagAnswer.objects.filter(intake=intake, code="hands_clumsy", cleared_at__isnull=True).exists()

    response = client.post(review_url(intake), {"outcome": "same_day_call_advice", "note": "Me too.", "seen": seen})

    assert MSG_CHANGED_SINCE_SHOWN in html_text.unescape(response.content.decode())
    assert not ReviewNote.objects.filter(text="Me too.").exists()
    assert RedFlagAnswer.objects.filter(intake=intake, code="hands_clumsy", cleared_at__isnull=True).exists()


def test_a_failed_call_before_the_patient_was_reached_is_old_news_once_the_intake_is_reopened(client, clinician):
    """Could not reach, then reached (emergency care), then reopened by new red flags: the page and the queue still
    said "Could not reach the patient" (the stop-29 audit)."""
    from intake.models import Intake
    from intake.services import mark_reviewed, record_red_flags

    intake = make_intake("urgent_bowel", safety_only=True, name="Ann Reached")
    mark_reviewed(intake, by=clinician, outcome="could_not_reach")
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="emergency_care")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    client.force_login(clinician)
    html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    assert "Could not reach the patient</strong>" not in html
    queue = client.get(reverse("dashboard:queue"))
    row = next(row for row in queue.context["rows"] if row.patient_name == "Ann Reached")
    assert not row.is_reviewed
    assert not row.not_reached


def test_a_review_from_a_page_opened_before_a_red_flag_came_back_after_another_review_is_refused(
    client, clinician, django_user_model, latched
):
    """The page showed the saddle answer as changed to "no". A colleague reviewed it meanwhile (the flag went), and
    the patient then said yes again from a page left open: the intake was opened again and alerted as new. The review
    sent from the page opened first was taken (the same flag code was on it), marking the new report reviewed and
    cancelling its alert, though that page never showed it (found in review)."""
    from intake.services import record_red_flags

    intake, _said, _changed = latched
    colleague = django_user_model.objects.create_user("colleague")
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=colleague, outcome="same_day_call_advice")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    intake.refresh_from_db()
    assert not intake.is_reviewed  # opened again by the new yes
    assert intake.level == Level.URGENT

    response = client.post(review_url(intake), {"outcome": "routine_appointment", "note": "Seen.", "seen": seen})

    assert response.status_code == 409
    assert MSG_CHANGED_SINCE_SHOWN in html_text.unescape(response.content.decode())
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()


def test_a_review_from_a_page_that_showed_a_red_flag_taken_back_is_refused_once_the_patient_says_yes_again(
    client, clinician
):
    """The page showed saddle numbness as "changed to no" on a form still being answered. While the clinician had it
    open, the patient said yes again (the same flag, so the same code on the page). The review sent from that page
    was taken: the intake marked reviewed on an answer the page never showed, its latch cleared, and nobody alerted
    (the stop-41 red-flag audit). It is refused like a review from before a new red flag, and the page shows the
    answer as it is now."""
    from intake.services import create_invitation, record_red_flags, save_step, start_intake
    from tests.intake.quiet_answers import CAUDA_EQUINA_NO

    invitation, _ = create_invitation(
        patient_name="Lee Again",
        email="",
        date_of_birth=datetime.date(1980, 1, 2),
        appointment_at=timezone.now() + datetime.timedelta(days=3),
        created_by=None,
        send_email=False,
    )
    intake = start_intake(invitation)
    record_red_flags(intake, {"ce_saddle_numbness": "yes"}, now=timezone.now() - datetime.timedelta(minutes=5))
    save_step(intake, "safety", CAUDA_EQUINA_NO, now=timezone.now() - datetime.timedelta(minutes=3))
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())

    response = client.post(review_url(intake), {"outcome": "routine_appointment", "note": "Seen.", "seen": seen})

    assert response.status_code == 409
    assert MSG_CHANGED_SINCE_SHOWN in html_text.unescape(response.content.decode())
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert RedFlagAnswer.objects.filter(intake=intake, cleared_at__isnull=True).exists()
    # From the page as it is now, the review is taken.
    response = client.post(review_url(intake), {"outcome": "emergency_care", "seen": _seen(response.content.decode())})
    assert response.status_code == 302


@pytest.mark.parametrize("outcome", ["emergency_care", "could_not_reach"])
def test_mark_reviewed_pressed_twice_from_one_page_saves_one_note_and_says_so(client, clinician, outcome):
    """A double click (or a slow page sent again) on "Mark reviewed": the note and outcome were saved twice, and the
    second answer told the clinician the intake "was already reviewed by" themselves."""
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    seen = _seen(client.get(detail_url(intake)).content.decode())
    sent = {"outcome": outcome, "note": "Phoned at 10:05.", "seen": seen}
    assert client.post(review_url(intake), sent).status_code == 302
    again = client.post(review_url(intake), sent, follow=True)
    assert list(ReviewNote.objects.filter(intake=intake).values_list("text", flat=True)) == ["Phoned at 10:05."]
    said = " ".join(str(message) for message in again.context["messages"])
    assert "already saved" in said
    assert "already reviewed by" not in said
    # From the page as it is now, a second attempt to reach the patient is its own note.
    if outcome == "could_not_reach":
        now_seen = _seen(again.content.decode())
        client.post(review_url(intake), {**sent, "seen": now_seen})
        assert ReviewNote.objects.filter(intake=intake).count() == 2


def test_a_review_that_was_not_saved_says_error_in_the_page_title(client, clinician):
    """The page came back with the form's message but the title of a page that worked ("Patient page: intake #..."):
    a screen reader, which reads the title first, said nothing had gone wrong, as the staff invitation pages do."""
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    assert "<title>Patient page" in client.get(detail_url(intake)).content.decode()
    response = client.post(review_url(intake), {"note": "No outcome chosen."})
    assert response.status_code == 400
    assert "<title>Error: Patient page" in response.content.decode()


def _cm1_on_balance_with_hands_latched() -> Intake:
    """Cord compression (CM1) standing on "balance worse: yes", its reason also naming a latched "clumsy hands: yes"
    since changed to no."""
    from intake.services import create_invitation, record_red_flags, save_step, start_intake
    from tests.intake.quiet_answers import NO_RED_FLAGS

    invitation, _ = create_invitation(
        patient_name="Cam Balance",
        email="",
        date_of_birth=datetime.date(1970, 1, 2),
        appointment_at=timezone.now() + datetime.timedelta(days=3),
        created_by=None,
        send_email=False,
    )
    intake = start_intake(invitation)
    record_red_flags(intake, {"hands_clumsy": "yes"}, now=timezone.now() - datetime.timedelta(minutes=5))
    answers = {**NO_RED_FLAGS, "balance_worse": "yes"}
    save_step(
        Intake.objects.get(pk=intake.pk), "general_health", answers, now=timezone.now() - datetime.timedelta(minutes=3)
    )
    return intake
