"""The front desk cancels a visit the patient or the clinic called off ("Cancel this visit" on the invitation page):
the patient's link ends at once, no reminders or follow-ups go out for it, nothing is sent, and what the patient
answered stays with the clinic (a red-flag answer sent from a page open at that moment is still taken and alerted).
A visit cancelled by mistake is booked again from the same page. Before stop 34 there was no way to cancel: the
reminders went on to a patient who had called the visit off, with a new link each time."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from intake import services
from intake.models import FollowUp, Intake, Invitation, Level, Reminder
from intake.services import follow_ups
from messaging.models import OutboundMessage
from tests.intake.factories import days_ahead_at, follow_up_for, make_invitation, routine_answers, submitted_intake

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
BAD_LINK = "This link does not work"


def _sent_form() -> Intake:
    """A pre-visit form sent, for a visit five days ahead."""
    return services.create_submitted_intake_for_demo(
        answers=routine_answers(),
        patient_name="Kim Park",
        email="kim@example.org",
        appointment_at=timezone.now() + 5 * DAY,
    )


def _cancel(client, invitation: Invitation):
    return client.post(f"/staff/invitations/{invitation.pk}/cancel/")


def _book_again(client, invitation: Invitation, when: datetime.datetime):
    local = timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")
    return client.post(f"/staff/invitations/{invitation.pk}/details/", {"change-appointment_at": local})


def test_the_front_desk_cancels_a_visit_and_its_link_stops_working(client, front_desk):
    invitation, token = make_invitation(email="pat@example.org", send_email=True)
    mail.outbox.clear()
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "Cancel this visit" in page

    response = _cancel(client, invitation)

    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "The visit is cancelled. The patient&#x27;s link no longer works" in shown
    assert "Visit cancelled" in shown
    assert "Ended when the visit was cancelled" in shown
    assert "Cancel the visit" not in shown  # nothing left to cancel
    assert "Email a new link" not in shown  # a new link would open nothing
    assert "Book the visit again" in shown
    assert mail.outbox == []  # the front desk tells the patient; nothing is sent
    event = AuditEvent.objects.get(action="cancelled_visit")
    assert (event.actor, event.detail) == (front_desk, f"invitation {invitation.pk}; nothing sent")
    assert BAD_LINK in client.get(f"/intake/start/{token}/").content.decode()


def test_a_patient_answering_when_the_visit_is_cancelled_still_has_a_red_flag_taken(patient, front_desk, alert_calls):
    """The one promise: the page open on the patient's phone is closed, and its saddle-numbness yes is stored,
    triaged and alerted, with the emergency advice."""
    page = patient.client.get("/intake/step/safety/").content.decode()
    whose = re.search(r'name="whose" value="([^"]+)"', page)
    assert whose is not None
    services.cancel_visit(patient.invitation, now=timezone.now())

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose.group(1)})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Your form is closed on this phone or computer" in html
    assert "cauda equina syndrome" in html
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert intake.level == Level.URGENT
    assert len(alert_calls) == 1


def test_a_flagged_form_of_a_cancelled_visit_stays_in_the_queue(patient, front_desk, clinician, client):
    patient.post_step("safety", {**routine_answers(), "ce_saddle_numbness": "yes"})
    client.force_login(front_desk)
    _cancel(client, patient.invitation)
    client.force_login(clinician)
    intake = Intake.objects.get(invitation=patient.invitation)
    assert patient.invitation.patient_name in client.get("/staff/queue/").content.decode()
    detail = client.get(f"/staff/intakes/{intake.pk}/").content.decode()
    assert "Cancelled" in detail
    # The patient page's list of questionnaires says it too (review of the stop-34 commits).
    questionnaires = detail[detail.index('id="questionnaires-title"') :]
    assert "Visit cancelled" in questionnaires[: questionnaires.index("</ol>")]


def test_no_reminder_goes_to_a_cancelled_visit(time_machine):
    visit = timezone.now() + 10 * DAY
    time_machine.move_to(timezone.now(), tick=False)
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    services.cancel_visit(invitation, now=timezone.now())
    mail.outbox.clear()
    for moment in (visit - 7 * DAY, visit - 3 * DAY):
        time_machine.move_to(moment, tick=False)
        follow_ups.send_due_messages()
    assert not Reminder.objects.exists()
    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER).exists()
    assert mail.outbox == []


def test_a_sent_forms_follow_ups_stop_and_come_back_when_the_visit_is_booked_again(client, front_desk):
    intake = _sent_form()
    follow_ups.schedule_follow_ups()
    due = {row.time_point: row.due_at for row in FollowUp.objects.filter(visit=intake)}
    assert due  # the clinic's schedule gives this visit follow-ups
    client.force_login(front_desk)

    _cancel(client, intake.invitation)
    assert not FollowUp.objects.filter(visit=intake, cancelled_at__isnull=True).exists()

    moved_to = timezone.localtime(intake.appointment_at + 7 * DAY).replace(second=0, microsecond=0)
    response = _book_again(client, intake.invitation, moved_to)

    assert response.status_code == 302
    assert "The visit is booked again" in client.get(response["Location"]).content.decode()
    back = {row.time_point: row.due_at for row in FollowUp.objects.filter(visit=intake, cancelled_at__isnull=True)}
    assert set(back) == set(due)
    days = {point.code: point.days for point in follow_ups.schedule()}
    assert all(back[point] == follow_ups.days_after(moved_to, days[point]) for point in due)  # moved with the visit


def test_a_sent_form_of_a_cancelled_visit_gets_no_follow_ups_scheduled(client, front_desk):
    intake = _sent_form()
    services.cancel_visit(intake.invitation, now=timezone.now())
    follow_ups.schedule_follow_ups()
    assert not FollowUp.objects.filter(visit=intake).exists()


def test_booking_again_makes_the_same_link_work_until_the_day_after_the_visit(client, front_desk):
    invitation, token = make_invitation(email="")
    client.force_login(front_desk)
    _cancel(client, invitation)
    when = timezone.localtime() + 9 * DAY

    response = _book_again(client, invitation, when)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert timezone.localdate(invitation.expires_at) == timezone.localdate(when) + 2 * DAY
    assert client.get(f"/intake/start/{token}/").status_code == 302  # to the birth-date page, not the bad link
    assert AuditEvent.objects.filter(action="booked_visit_again").count() == 1
    assert "Cancel this visit" in client.get(f"/staff/invitations/{invitation.pk}/").content.decode()


def test_booking_again_for_a_time_that_has_passed_gets_a_message_next_to_its_field(client, front_desk, time_machine):
    # Its old time posted back as shown: one the clinic's clock shows once (not 1:30 AM on the night it shows twice).
    invitation, token = make_invitation(email="", appointment_at=days_ahead_at(2))
    services.cancel_visit(invitation, now=timezone.now())
    time_machine.move_to(invitation.appointment_at + DAY, tick=False)
    client.force_login(front_desk)

    response = _book_again(client, invitation, invitation.appointment_at)  # its old time, now gone

    assert response.status_code == 200
    assert "This visit was cancelled and its time has passed" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert BAD_LINK in client.get(f"/intake/start/{token}/").content.decode()


def test_a_new_link_is_refused_while_the_visit_is_cancelled(client, front_desk):
    invitation, _ = make_invitation(email="pat@example.org")
    client.force_login(front_desk)
    _cancel(client, invitation)
    mail.outbox.clear()
    local = timezone.localtime(invitation.appointment_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/staff/invitations/{invitation.pk}/new-link/",
        {"email": invitation.email, "appointment_at": local, "language": "en", "link_version": 2},
    )
    assert response.status_code == 200
    assert "This visit was cancelled, so a new link would not open the form" in response.content.decode()
    assert mail.outbox == []


def test_a_visit_that_has_passed_cannot_be_cancelled(client, front_desk, time_machine):
    invitation, _ = make_invitation(email="", appointment_at=timezone.now() + 2 * DAY)
    time_machine.move_to(invitation.appointment_at + datetime.timedelta(hours=1), tick=False)
    client.force_login(front_desk)
    assert "Cancel this visit" not in client.get(f"/staff/invitations/{invitation.pk}/").content.decode()

    response = _cancel(client, invitation)

    assert (
        "This appointment has passed, so it cannot be cancelled." in client.get(response["Location"]).content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_a_second_click_changes_nothing(client, front_desk):
    invitation, _ = make_invitation(email="")
    client.force_login(front_desk)
    _cancel(client, invitation)
    invitation.refresh_from_db()
    first = (invitation.cancelled_at, invitation.link_version)

    response = _cancel(client, invitation)

    assert "This visit was cancelled already" in client.get(response["Location"]).content.decode()
    invitation.refresh_from_db()
    assert (invitation.cancelled_at, invitation.link_version) == first
    assert AuditEvent.objects.filter(action="cancelled_visit").count() == 1


def test_a_follow_up_questionnaire_has_no_visit_to_cancel(client, front_desk):
    visit = submitted_intake()
    invitation, _, _ = follow_up_for(visit)
    client.force_login(front_desk)
    assert "Cancel this visit" not in client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    response = _cancel(client, invitation)
    assert "it has no appointment to cancel" in client.get(response["Location"]).content.decode()
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_a_visit_cancelled_while_the_dispatcher_schedules_its_follow_ups_gets_none(monkeypatch, time_machine):
    """The dispatcher read the visit (not cancelled yet), the front desk's cancel committed, then the rows were
    written: nothing looked at the visit again, and the 6-week questionnaire went out (review of the stop-34
    commits)."""
    time_machine.move_to(timezone.now(), tick=False)
    intake = _sent_form()
    manager = FollowUp.objects
    real_bulk_create = manager.bulk_create

    def front_desk_cancels_meanwhile(rows, **kwargs):
        # The visits were read a moment ago; the front desk's cancel commits before the rows are written.
        services.cancel_visit(intake.invitation, now=timezone.now())
        return real_bulk_create(rows, **kwargs)

    monkeypatch.setattr(manager, "bulk_create", front_desk_cancels_meanwhile)
    follow_ups.schedule_follow_ups()
    monkeypatch.undo()

    intake.invitation.refresh_from_db()
    assert intake.invitation.cancelled_at is not None
    # When they fall due, the follow-up questionnaires of the visit that never happened go out.
    time_machine.move_to(max(FollowUp.objects.filter(visit=intake).values_list("due_at", flat=True)), tick=False)
    follow_ups.send_due_follow_ups(now=timezone.now())
    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.FOLLOW_UP).exists()


def test_the_front_desk_finds_a_cancelled_visit_by_name_to_book_it_again(client, front_desk):
    """The list held only links that still work: a cancelled visit vanished from it and from "Find", and with it the
    way to "Book the visit again" (review of the stop-34 commits)."""
    invitation, _ = make_invitation(email="", name="Robin Quist")
    services.cancel_visit(invitation, now=timezone.now())
    client.force_login(front_desk)

    found = client.post("/staff/invitations/", {"find": "Quist"}).content.decode()

    assert f"/staff/invitations/{invitation.pk}/" in found
    assert "Visit cancelled" in found


def test_the_queue_row_of_a_cancelled_visit_says_it_was_cancelled(patient, clinician, client):
    """Only the intake page said so (review of the stop-34 commits)."""
    patient.post_step("safety", {**routine_answers(), "ce_saddle_numbness": "yes"})
    services.cancel_visit(patient.invitation, now=timezone.now())
    intake = Intake.objects.get(invitation=patient.invitation)
    client.force_login(clinician)

    queue = client.get("/staff/queue/").content.decode()

    start = queue.index('data-label="Appointment"')  # the queue table's row of this (only) intake
    row = queue[queue.rindex("<tr", 0, start) : queue.index("</tr>", start)]
    assert f"/staff/intakes/{intake.pk}/" in row
    assert "Visit cancelled" in row


def test_a_cancel_from_a_page_opened_before_a_colleague_booked_the_visit_again_is_refused(client, front_desk):
    """Two at the front desk: one cancelled the visit and booked it again when the patient rang back; the other's
    page, opened before, still offered "Cancel the visit", and pressing it cancelled the visit just booked (the link
    ended, the reminders and follow-ups stopped) with "The visit is cancelled" as if nothing had happened between."""
    invitation, token = make_invitation(email="pat@example.org", send_email=True)
    client.force_login(front_desk)
    stale = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    colleague = Client()
    colleague.force_login(front_desk)
    _cancel(colleague, invitation)
    _book_again(colleague, invitation, timezone.now() + 6 * DAY)

    response = client.post(f"/staff/invitations/{invitation.pk}/cancel/", {"link_version": invitation.link_version})

    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    shown = client.get(response["Location"]).content.decode()
    assert "nothing was cancelled" in shown
    assert "The visit is cancelled" not in shown
    assert BAD_LINK not in client.get(f"/intake/start/{token}/").content.decode()
    # The version the button sends is the one its page showed.
    form = re.search(r'id="cancel-visit">.*?name="link_version" value="(\d+)"', stale, re.S)
    assert form is not None
    assert int(form.group(1)) == invitation.link_version - 1  # before the colleague's cancelling


def test_a_change_from_a_page_opened_before_a_colleague_cancelled_the_visit_does_not_book_it_again(client, front_desk):
    """The mirror of the test above: the page, opened before a colleague cancelled the visit, offered "Change the
    appointment or details"; correcting the e-mail there booked the cancelled visit again (the link worked again, the
    reminders and follow-ups came back), though nobody meant to."""
    invitation, token = make_invitation(email="pat@example.org", send_email=True)
    client.force_login(front_desk)
    stale = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    colleague = Client()
    colleague.force_login(front_desk)
    _cancel(colleague, invitation)

    local = timezone.localtime(invitation.appointment_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/staff/invitations/{invitation.pk}/details/",
        {
            "change-appointment_at": local,
            "change-email": "pat.new@example.org",
            "change-link_version": invitation.link_version,
        },
    )

    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert invitation.email == "pat@example.org"
    shown = client.get(response["Location"]).content.decode()
    assert "nothing was changed" in shown
    assert "The visit is booked again" not in shown
    assert BAD_LINK in client.get(f"/intake/start/{token}/").content.decode()
    form = re.search(r'name="change-link_version" value="(\d+)"', stale)
    assert form is not None
    assert int(form.group(1)) == invitation.link_version - 1  # before the colleague's cancelling
