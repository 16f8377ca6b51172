"""Undoing a review saved on the wrong patient: the intake is waiting again, in the queue and for the sweeper.

Any clinician who may mark an intake reviewed may undo its latest review, at any time (a colleague often finds the
mistake after the reviewer's shift); the undo names both people in the audit trail and the review's notes stay on
the page, marked undone.
"""

from __future__ import annotations

import datetime
import html as html_text
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import dateformat, timezone

from alerts import services as alerts
from alerts.models import Alert
from audit.models import AuditEvent
from dashboard.outcome_report import outcome_counts
from intake.models import Intake, Level, RedFlagAnswer, ReviewNote
from intake.services import mark_reviewed, review_token
from tests.dashboard.factories import make_intake, make_latched_intake

pytestmark = pytest.mark.django_db


def detail_url(intake: Intake) -> str:
    return reverse("dashboard:intake", args=[intake.pk])


def undo_url(intake: Intake) -> str:
    return reverse("dashboard:undo-review", args=[intake.pk])


def undo_token(html: str) -> str:
    """The review the page's "Undo review" button is for."""
    match = re.search(r'name="review" value="([^"]*)"', html)
    assert match, "no Undo review button on the page"
    return html_text.unescape(match.group(1))


def said(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_a_clinician_undoes_a_review_and_the_intake_waits_again_with_the_note_kept_and_marked(client, clinician):
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    mark_reviewed(intake, by=clinician, outcome="same_day_call_advice", note="Called Mrs Other: fine.")
    page = client.get(detail_url(intake)).content.decode()
    assert "Undo review" in page

    response = client.post(undo_url(intake), {"review": undo_token(page)}, follow=True)
    assert response.status_code == 200
    assert "back in the queue as not reviewed" in said(response)
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.reviewed_at, intake.reviewed_by) == (False, None, None)
    html = response.content.decode()
    assert "Not reviewed yet" in html
    assert "Called Mrs Other: fine." in html  # kept in the history
    assert "Review undone by Clinician Tester" in html
    assert "Undo review" not in html  # nothing left to undo
    note = ReviewNote.objects.get(intake=intake)
    assert note.undone_at is not None
    assert note.undone_by == clinician
    event = AuditEvent.objects.get(action="undid_review")
    assert (event.intake_id, event.actor_username) == (intake.pk, clinician.username)
    assert f"review by {clinician.username}" in event.detail
    # Back at its place in the queue: counted as waiting, and an undone outcome is not counted as one.
    queue = client.get(reverse("dashboard:queue"))
    assert queue.context["urgent_waiting"] == 1
    assert outcome_counts() == []


def test_a_colleague_may_undo_a_review_and_the_trail_names_both(client, clinician, administrator):
    intake = make_intake("routine_plain")
    mark_reviewed(intake, by=clinician)
    client.force_login(administrator)
    page = client.get(detail_url(intake)).content.decode()
    assert "Reviewed by Clinician Tester" in page
    assert client.post(undo_url(intake), {"review": undo_token(page)}).status_code == 302
    event = AuditEvent.objects.get(action="undid_review")
    assert event.actor_username == administrator.username
    assert clinician.username in event.detail
    assert not Intake.objects.get(pk=intake.pk).is_reviewed


def test_an_undo_from_a_page_opened_before_a_new_review_does_not_undo_the_new_one(client, clinician, administrator):
    intake = make_intake("urgent_bowel")
    mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    client.force_login(clinician)
    old_page = client.get(detail_url(intake)).content.decode()
    # Meanwhile a colleague undid it and reviewed it again, rightly.
    client.post(undo_url(intake), {"review": undo_token(old_page)})
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=administrator, outcome="emergency_care")

    response = client.post(undo_url(intake), {"review": undo_token(old_page)})
    assert response.status_code == 409
    html = html_text.unescape(response.content.decode())
    assert "Nothing was undone" in html
    assert "reviewed again" in html
    intake.refresh_from_db()
    assert intake.is_reviewed
    assert intake.reviewed_by == administrator
    # The newer review's time reads as the page's own "Reviewed by" line writes it ("Mar 2, 11:00 AM EST", with
    # the clinic's zone like every time on the intake page), not "Mar 2, 11:00 AM".
    shown = dateformat.format(timezone.localtime(intake.reviewed_at), "M j, g:i A T")
    said_now = html[html.index("It is now reviewed by") :]
    assert said_now[: said_now.index(".")].endswith(f", {shown}")
    assert f"Reviewed by {said_now[len('It is now reviewed by ') : said_now.index(',')]}, {shown}" in html
    assert AuditEvent.objects.filter(action="undid_review").count() == 1
    assert not ReviewNote.objects.filter(outcome="emergency_care", undone_at__isnull=False).exists()
    # From the page as it is now, the newer review can be undone.
    assert client.post(undo_url(intake), {"review": undo_token(html)}).status_code == 302
    assert not Intake.objects.get(pk=intake.pk).is_reviewed


def test_undo_pressed_twice_from_one_page_undoes_once_and_says_so(client, clinician):
    intake = make_intake("routine_plain")
    mark_reviewed(intake, by=clinician, note="Wrong chart.")
    client.force_login(clinician)
    token = undo_token(client.get(detail_url(intake)).content.decode())
    assert client.post(undo_url(intake), {"review": token}).status_code == 302
    again = client.post(undo_url(intake), {"review": token}, follow=True)
    assert "nothing was changed" in said(again)
    assert AuditEvent.objects.filter(action="undid_review").count() == 1


def test_undo_without_the_review_it_is_for_changes_nothing(client, clinician):
    intake = make_intake("routine_plain")
    mark_reviewed(intake, by=clinician)
    client.force_login(clinician)
    assert client.post(undo_url(intake), {}).status_code == 409
    assert Intake.objects.get(pk=intake.pk).is_reviewed


def test_front_desk_may_not_undo_a_review(client, clinician, front_desk):
    intake = make_intake("routine_plain")
    mark_reviewed(intake, by=clinician)
    token = review_token(Intake.objects.get(pk=intake.pk))
    client.force_login(front_desk)
    assert client.post(undo_url(intake), {"review": token}).status_code == 403
    assert Intake.objects.get(pk=intake.pk).is_reviewed


def test_undo_puts_back_the_review_before_it_so_a_reopened_intake_keeps_its_history(client, clinician, administrator):
    intake = make_intake("routine_plain")
    first = timezone.now() - datetime.timedelta(hours=2)
    with time_machine.travel(first, tick=False):
        mark_reviewed(intake, by=administrator)
    Intake.objects.filter(pk=intake.pk).update(is_reviewed=False, review_round=1)  # reopened by new red flags
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician)
    client.force_login(clinician)
    token = undo_token(client.get(detail_url(intake)).content.decode())
    client.post(undo_url(intake), {"review": token})
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert (intake.reviewed_at, intake.reviewed_by) == (first, administrator)


def test_undoing_a_review_that_cleared_red_flag_answers_makes_them_count_again(client, clinician):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    said_at = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(10, 2)))
    changed_at = said_at + datetime.timedelta(minutes=3)
    intake = make_latched_intake("ce_saddle_numbness", said_at=said_at, changed_at=changed_at)
    level_before = intake.level
    mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    assert Intake.objects.get(pk=intake.pk).level == Level.ROUTINE
    client.force_login(clinician)
    client.post(undo_url(intake), {"review": undo_token(client.get(detail_url(intake)).content.decode())})
    intake.refresh_from_db()
    assert intake.level == level_before != Level.ROUTINE
    latch = RedFlagAnswer.objects.get(intake=intake)
    assert (latch.cleared_at, latch.cleared_by) == (None, None)


@pytest.fixture
def _alert_addresses(settings):
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.ESCALATION_EMAILS = ["lead@clinic.example"]
    settings.ESCALATE_AFTER_MINUTES = 15


@pytest.mark.usefixtures("_alert_addresses")
def test_an_urgent_intake_whose_minutes_passed_while_wrongly_reviewed_escalates_at_the_next_sweep(client, clinician):
    start = timezone.now()
    intake = make_intake("urgent_bowel")
    alerts.intake_level_changed(intake, previous_level=None)
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    assert alerts.sweep(now=start + datetime.timedelta(minutes=20))["escalated"] == 0
    with time_machine.travel(start + datetime.timedelta(minutes=25), tick=False):
        client.force_login(clinician)
        client.post(undo_url(intake), {"review": undo_token(client.get(detail_url(intake)).content.decode())})
    assert alerts.sweep(now=start + datetime.timedelta(minutes=26))["escalated"] == 1


@pytest.mark.usefixtures("_alert_addresses")
def test_an_escalation_cancelled_by_the_wrong_review_is_sent_after_all_once_it_is_undone(client, clinician):
    start = timezone.now()
    intake = make_intake("urgent_bowel")
    alerts.intake_level_changed(intake, previous_level=None)
    assert alerts.sweep(now=start + datetime.timedelta(minutes=16))["escalated"] == 1
    escalation = Alert.objects.get(kind="escalation")
    mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    assert alerts.send(escalation.pk) == "cancelled"
    client.force_login(clinician)
    client.post(undo_url(intake), {"review": undo_token(client.get(detail_url(intake)).content.decode())})
    escalation.refresh_from_db()
    assert escalation.status == "pending"
    assert alerts.send(escalation.pk) == "sent"


@pytest.mark.usefixtures("_alert_addresses")
def test_the_lead_hears_again_when_a_review_made_after_the_escalation_is_undone(client, clinician, mailoutbox):
    # The lead was told at 16 minutes, saw the intake reviewed at 20 and stood down: the review was another patient's.
    start = timezone.now()
    intake = make_intake("urgent_bowel")
    alerts.intake_level_changed(intake, previous_level=None)
    assert alerts.sweep(now=start + datetime.timedelta(minutes=16))["escalated"] == 1
    assert alerts.send(Alert.objects.get(kind="escalation").pk) == "sent"
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    mailoutbox.clear()
    with time_machine.travel(start + datetime.timedelta(minutes=40), tick=False):
        client.force_login(clinician)
        client.post(undo_url(intake), {"review": undo_token(client.get(detail_url(intake)).content.decode())})
    alerts.sweep(now=start + datetime.timedelta(minutes=56))
    for alert in Alert.objects.filter(kind="escalation", status="pending"):
        alerts.send(alert.pk)
    assert [mail.to for mail in mailoutbox if "ESCALATION" in mail.subject] == [["lead@clinic.example"]]


def _send_pending_alerts() -> list[str]:
    """What the worker sends now: the subjects of the e-mails."""
    from django.core import mail

    before = len(mail.outbox)
    for alert in Alert.objects.filter(status="pending"):
        alerts.send(alert.pk)
    return [str(message.subject) for message in mail.outbox[before:]]


def test_a_wrong_review_of_an_intake_new_red_flags_reopened_is_still_undone_and_its_cleared_answers_count_again(
    client, clinician
):
    # The review cleared the saddle-numbness answer the patient had taken back; a later page's new red flag reopened
    # the intake before anyone saw that the review was another patient's.
    from intake.services import record_red_flags

    said_at = timezone.now() - datetime.timedelta(hours=3)
    intake = make_latched_intake(
        "ce_saddle_numbness", said_at=said_at, changed_at=said_at + datetime.timedelta(minutes=3)
    )
    flags_as_sent = set(intake.flags.values_list("code", flat=True))
    mark_reviewed(intake, by=clinician, outcome="routine_appointment", note="Called Mrs Other: fine.")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_bowel_control": "yes"}, now=timezone.now())
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.review_round) == (False, 1)
    client.force_login(clinician)
    page = client.get(detail_url(intake)).content.decode()
    assert "Undo review by Clinician Tester" in page

    response = client.post(undo_url(intake), {"review": undo_token(page)}, follow=True)
    assert "is undone" in said(response)
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.reviewed_at, intake.reviewed_by, intake.review_round) == (False, None, None, 1)
    latch = RedFlagAnswer.objects.get(intake=intake, code="ce_saddle_numbness")
    assert (latch.cleared_at, latch.cleared_by) == (None, None)
    assert flags_as_sent <= set(intake.flags.values_list("code", flat=True))
    assert ReviewNote.objects.get(intake=intake).undone_by == clinician
    assert outcome_counts() == []
    html = response.content.decode()
    assert "Review undone by Clinician Tester" in html
    assert "Undo review" not in html  # one level: nothing left to undo


@pytest.mark.usefixtures("_alert_addresses")
def test_undoing_the_review_before_a_new_round_leaves_that_rounds_alerts_as_they_are(client, clinician, mailoutbox):
    from intake.services import record_red_flags

    start = timezone.now()
    intake = make_intake("urgent_bowel", safety_only=True)
    alerts.intake_level_changed(intake, previous_level=None)
    assert _send_pending_alerts()
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    assert Intake.objects.get(pk=intake.pk).review_round == 1
    assert len(_send_pending_alerts()) == 1  # the new round's on-call alert
    assert alerts.sweep(now=start + datetime.timedelta(minutes=26))["escalated"] == 1
    assert any("ESCALATION" in subject for subject in _send_pending_alerts())  # the new round's escalation

    with time_machine.travel(start + datetime.timedelta(minutes=30), tick=False):
        client.force_login(clinician)
        page = client.get(detail_url(intake)).content.decode()
        assert client.post(undo_url(intake), {"review": undo_token(page)}).status_code == 302
    assert not Intake.objects.get(pk=intake.pk).is_reviewed
    assert AuditEvent.objects.filter(action="undid_review").count() == 1
    # Nobody is told again what the new round already told them; it escalates as before (after the next failed call).
    assert alerts.sweep(now=start + datetime.timedelta(minutes=31))["escalated"] == 0
    assert _send_pending_alerts() == []


def test_after_one_undo_of_a_reopened_intake_the_review_before_it_is_not_undone_too(client, clinician, administrator):
    from intake.services import record_red_flags

    intake = make_intake("urgent_bowel")
    first = timezone.now() - datetime.timedelta(hours=2)
    with time_machine.travel(first, tick=False):
        mark_reviewed(intake, by=administrator, outcome="same_day_call_advice")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="routine_appointment")
    record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_urine_leak_or_no_sensation": "yes"}, now=timezone.now())
    client.force_login(clinician)
    page = client.get(detail_url(intake)).content.decode()
    assert "Undo review by Clinician Tester" in page
    token = undo_token(page)
    assert client.post(undo_url(intake), {"review": token}).status_code == 302
    intake.refresh_from_db()
    assert (intake.is_reviewed, intake.reviewed_at, intake.reviewed_by) == (False, first, administrator)

    page = client.get(detail_url(intake)).content.decode()
    assert "Undo review" not in page
    again = client.post(undo_url(intake), {"review": token}, follow=True)  # sent twice from the first page
    assert "nothing was changed" in said(again)
    earlier = client.post(undo_url(intake), {"review": review_token(intake)}, follow=True)  # the earlier review's
    assert "nothing was changed" in said(earlier)
    intake.refresh_from_db()
    assert (intake.reviewed_at, intake.reviewed_by) == (first, administrator)
    assert AuditEvent.objects.filter(action="undid_review").count() == 1
    assert ReviewNote.objects.get(outcome="same_day_call_advice").undone_at is None


@pytest.mark.usefixtures("_alert_addresses")
def test_a_failed_call_undone_with_the_review_does_not_hold_back_the_escalation(client, clinician, mailoutbox):
    # The reviewer also logged a failed call on the wrong chart: undone with the review, it was never a call to this
    # patient, so the lead is told 15 minutes after the alert, not 15 minutes after that call.
    start = timezone.now()
    intake = make_intake("urgent_bowel")
    alerts.intake_level_changed(intake, previous_level=None)
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment")
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="could_not_reach")
    with time_machine.travel(start + datetime.timedelta(minutes=12), tick=False):
        client.force_login(clinician)
        client.post(undo_url(intake), {"review": undo_token(client.get(detail_url(intake)).content.decode())})
    assert ReviewNote.objects.filter(intake=intake, undone_at__isnull=True).count() == 0
    assert "Could not reach the patient</strong>" not in client.get(detail_url(intake)).content.decode()
    assert "Not reached" not in client.get(reverse("dashboard:queue")).content.decode()
    assert alerts.sweep(now=start + datetime.timedelta(minutes=16))["escalated"] == 1
    escalation = Alert.objects.get(kind="escalation")
    assert escalation.attempt == 0
    subjects = _send_pending_alerts()
    assert any("ESCALATION" in subject and "failed call" not in subject for subject in subjects), subjects


@pytest.mark.usefixtures("_alert_addresses")
def test_undoing_the_review_before_a_new_round_leaves_the_reviewers_failed_call_of_that_round_counted(
    client, clinician, mailoutbox
):
    # The reviewer saved a review and a failed call on the wrong chart; new red flags then opened a new round, and the
    # same clinician, now calling this patient, could not reach them. Only the first two were the mistake.
    from intake.services import record_red_flags

    start = timezone.now()
    intake = make_intake("urgent_bowel", safety_only=True)
    alerts.intake_level_changed(intake, previous_level=None)
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        mark_reviewed(intake, by=clinician, outcome="routine_appointment", note="Called Mrs Other: fine.")
    with time_machine.travel(start + datetime.timedelta(minutes=4), tick=False):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="could_not_reach", note="Wrong chart.")
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        record_red_flags(Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    assert Intake.objects.get(pk=intake.pk).review_round == 1
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        mark_reviewed(Intake.objects.get(pk=intake.pk), by=clinician, outcome="could_not_reach", note="No answer.")

    with time_machine.travel(start + datetime.timedelta(minutes=22), tick=False):
        client.force_login(clinician)
        page = client.get(detail_url(intake)).content.decode()
        response = client.post(undo_url(intake), {"review": undo_token(page)}, follow=True)
    assert "is undone" in said(response)
    undone = set(ReviewNote.objects.filter(intake=intake, undone_at__isnull=False).values_list("text", flat=True))
    assert undone == {"Called Mrs Other: fine.", "Wrong chart."}
    assert ReviewNote.objects.get(text="No answer.").undone_at is None
    assert response.content.decode().count("Review undone by Clinician Tester") == 2
    assert "2 note(s) marked undone" in AuditEvent.objects.get(action="undid_review").detail
    assert "Not reached" in client.get(reverse("dashboard:queue")).content.decode()
    # The new round's failed call counts: the clock starts again from it (minute 20), not from the round's alert
    # (minute 10), and the escalation says one call failed.
    assert alerts.sweep(now=start + datetime.timedelta(minutes=26))["escalated"] == 0
    assert alerts.sweep(now=start + datetime.timedelta(minutes=36))["escalated"] == 1
    assert Alert.objects.get(kind="escalation", round=1).attempt == 1
