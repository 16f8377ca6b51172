"""Reminders (issue 12): an unanswered follow-up gets one after 7 days and a last one 7 days later, never a third; a
pre-visit intake still unfinished gets one 7 and one 3 days before the appointment. Each carries a new link that
works (the old one stops, and the message says so), goes out once, and says nothing clinical or personal in its
subject."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake import services
from intake.models import Intake, Invitation, Questionnaire, Reminder
from intake.services import follow_ups, reminders
from messaging import services as messages
from messaging import sms
from messaging.models import OutboundMessage
from tests.intake.conftest import Patient as PatientBrowser
from tests.intake.factories import make_invitation, routine_answers
from tests.messaging.test_sms_channel import clinical_words

pytestmark = pytest.mark.django_db

VISIT = datetime.datetime(2027, 3, 1, 14, 30, tzinfo=datetime.UTC)
LINK = re.compile(r"/intake/start/([^/\s]+)/")
DAY = datetime.timedelta(days=1)


def token_in(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found is not None
    return found.group(1)


def opens(client: Client, token: str) -> bool:
    response = PatientBrowser(client, token).open_link()
    return response.status_code == 302 and response["Location"].endswith("/intake/confirm/")


def answer(invitation: Invitation) -> None:
    """The patient sends the questionnaire (the form itself is tested elsewhere)."""
    intake = services.start_intake(invitation)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED, submitted_at=timezone.now())


@pytest.fixture
def follow_up_sent(time_machine) -> Invitation:
    """A pre-visit intake sent for a visit on VISIT, and its 6-week follow-up e-mailed six weeks later."""
    services.create_submitted_intake_for_demo(
        answers=routine_answers(), email="pat@example.org", patient_name="Pat Example", appointment_at=VISIT
    )
    follow_ups.send_due_messages(now=VISIT)
    time_machine.move_to(VISIT + 42 * DAY, tick=False)
    follow_ups.send_due_messages()
    mail.outbox.clear()
    return Invitation.objects.get(kind=Questionnaire.FOLLOW_UP)


def test_an_unanswered_follow_up_gets_a_reminder_after_7_days_a_last_one_later_and_never_a_third(
    follow_up_sent, time_machine, client
):
    time_machine.move_to(VISIT + 48 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 0  # six days: not yet

    time_machine.move_to(VISIT + 49 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 0  # the next run: sent already
    assert len(mail.outbox) == 1
    first = mail.outbox[0]
    assert first.to == ["pat@example.org"]
    assert "no longer works" in str(first.body)
    assert "last reminder" not in str(first.body)
    assert opens(client, token_in(first))
    follow_up_sent.refresh_from_db()
    assert follow_up_sent.expires_at > timezone.now() + 20 * DAY  # the follow-up keeps its 30 days

    time_machine.move_to(VISIT + 56 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1
    last = mail.outbox[1]
    assert "This is the last reminder we will send." in str(last.body)
    assert opens(Client(), token_in(last))
    assert not opens(Client(), token_in(first))  # the earlier link stopped working, as the reminder said

    for days in (63, 70, 80):
        time_machine.move_to(VISIT + days * DAY, tick=False)
        assert follow_ups.send_due_messages()["follow_up_reminders"] == 0
    assert list(Reminder.objects.values_list("which", flat=True)) == ["1", "2"]
    assert len(mail.outbox) == 2


def test_no_reminder_once_the_follow_up_is_answered(follow_up_sent, time_machine):
    answer(follow_up_sent)
    for days in (49, 56, 63):
        time_machine.move_to(VISIT + days * DAY, tick=False)
        follow_ups.send_due_messages()
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_a_reminder_already_queued_is_not_sent_once_the_questions_are_answered(follow_up_sent, settings, time_machine):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not sent at once
    time_machine.move_to(VISIT + 49 * DAY, tick=False)
    follow_ups.send_due_messages()
    message = OutboundMessage.objects.get(kind="follow_up_reminder")
    answer(follow_up_sent)
    assert messages.send(message.pk) == "cancelled"
    assert mail.outbox == []


@pytest.fixture
def invited(time_machine) -> Invitation:
    """An invitation made ten days before its appointment; its own e-mail already sent."""
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=VISIT, send_email=True)
    mail.outbox.clear()
    return invitation


def test_an_unfinished_intake_gets_reminders_7_and_3_days_before_the_visit_once_each(invited, time_machine, client):
    sent = []
    for moment in (8 * DAY, 7 * DAY, 7 * DAY - datetime.timedelta(hours=1), 4 * DAY, 3 * DAY, 2 * DAY, DAY):
        time_machine.move_to(VISIT - moment, tick=False)
        sent.append(follow_ups.send_due_messages()["pre_visit_reminders"])
    assert sent == [0, 1, 0, 0, 1, 0, 0]
    assert list(Reminder.objects.values_list("which", flat=True)) == ["7d", "3d"]
    assert [message.to for message in mail.outbox] == [["pat@example.org"]] * 2
    body = str(mail.outbox[1].body)
    assert "Monday, March 1, 2027 at 9:30 AM (Eastern Time)" in body
    assert "no longer works" in body
    assert opens(client, token_in(mail.outbox[1]))
    assert not opens(Client(), token_in(mail.outbox[0]))


def test_a_moved_appointment_gets_its_own_reminders_7_and_3_days_before(invited, time_machine):
    """Both reminders went out for March 1; staff move the visit two weeks on with a new link. The reminders were
    kept per link, not per date, and the new date got none (the stop-32 audit of the follow-ups)."""
    from intake.services.invitations import email_new_link

    for moment in (7 * DAY, 3 * DAY):
        time_machine.move_to(VISIT - moment, tick=False)
        follow_ups.send_due_messages()
    assert sorted(Reminder.objects.values_list("which", flat=True)) == ["3d", "7d"]
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    moved = VISIT + 14 * DAY
    email_new_link(invited, email="pat@example.org", appointment_at=moved, now=VISIT - 2 * DAY)
    mail.outbox.clear()

    sent = []
    for days in (8, 7, 3):  # calendar days before: the clocks go forward on March 14
        time_machine.move_to(follow_ups.days_after(moved, -days), tick=False)
        sent.append(follow_ups.send_due_messages()["pre_visit_reminders"])

    assert sent == [0, 1, 1]
    assert "Monday, March 15, 2027" in str(mail.outbox[-1].body)


def test_moving_the_visit_by_an_hour_does_not_send_a_passed_reminder_again_and_end_the_link_just_emailed(
    invited, time_machine
):
    """Both reminders sent; two days before, staff move the visit an hour with a new link. Every reminder was
    forgotten, the 3-day one went again, and its new link ended the one staff had just e-mailed (review of the stop-32
    commits). Only reminders still ahead of the new date are sent for it."""
    from intake.services.invitations import email_new_link

    for moment in (7 * DAY, 3 * DAY):
        time_machine.move_to(VISIT - moment, tick=False)
        follow_ups.send_due_messages()
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    mail.outbox.clear()
    email_new_link(invited, email="pat@example.org", appointment_at=VISIT + datetime.timedelta(hours=1), now=VISIT)
    [staff_email] = mail.outbox

    time_machine.move_to(VISIT - 2 * DAY + datetime.timedelta(minutes=5), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0
    assert opens(Client(), token_in(staff_email))


def test_moving_the_visit_earlier_does_not_send_a_reminder_already_passed_that_ends_the_link_just_emailed(
    time_machine,
):
    """Ten days before, staff move the visit five days earlier: the 7-day moment of the new date has passed though no
    reminder went, and it went on the next run, ending the link staff had just e-mailed (review of the stop-32
    commits)."""
    from intake.services.invitations import email_new_link

    time_machine.move_to(VISIT - 20 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=VISIT, send_email=True)
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0
    mail.outbox.clear()
    email_new_link(invitation, email="pat@example.org", appointment_at=VISIT - 5 * DAY, now=VISIT - 10 * DAY)
    [staff_email] = mail.outbox

    time_machine.move_to(VISIT - 10 * DAY + datetime.timedelta(minutes=5), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0
    assert opens(Client(), token_in(staff_email))
    time_machine.move_to(VISIT - 8 * DAY, tick=False)  # the new date's 3-day moment: that one goes
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1


def test_a_patient_answering_when_the_reminder_goes_out_carries_on(invited, time_machine, client):
    """The 3-day reminder's new link ended the session of a patient who was filling in the form at that moment: their
    next page was refused as from a closed form (the stop-29 audit). A reminder is not a lost link."""
    time_machine.move_to(VISIT - 3 * DAY - datetime.timedelta(minutes=5), tick=False)
    token = services.renew_link(invited, send_email=False)  # the link as the patient has it
    mail.outbox.clear()
    patient = PatientBrowser(client, token).sign_in()
    patient.agree()
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1
    response = patient.post_step("safety", routine_answers())
    assert response.status_code == 302
    assert "/intake/step/" in response["Location"]
    assert not opens(Client(), token)  # the old link itself no longer opens the form
    assert opens(Client(), token_in(mail.outbox[-1]))


def test_a_reminder_does_not_give_someone_guessing_the_birth_date_new_tries(invited, time_machine):
    """A reminder that keeps sessions open must not wipe the count of wrong birth dates either (review, stop 30)."""
    time_machine.move_to(VISIT - 3 * DAY - datetime.timedelta(minutes=5), tick=False)
    for _ in range(3):
        services.confirm_identity(invited, datetime.date(1901, 1, 1), now=timezone.now())
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1
    invited.refresh_from_db()
    assert invited.failed_attempts == 3


def test_no_pre_visit_reminder_once_the_intake_is_sent_or_the_link_is_locked(invited, time_machine):
    locked, _ = make_invitation(appointment_at=VISIT, email="locked@example.org", name="Lou Locked")
    Invitation.objects.filter(pk=locked.pk).update(locked_at=timezone.now())
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    answer(invited)
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    follow_ups.send_due_messages()
    assert list(Reminder.objects.values_list("invitation__email", "which")) == [("pat@example.org", "7d")]


def test_a_link_made_close_to_the_visit_gets_only_the_reminders_still_ahead(time_machine):
    time_machine.move_to(VISIT - 5 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, send_email=True)  # a patient with no link yet gets one at once (below)
    for before in (5, 4, 3, 2):
        time_machine.move_to(VISIT - before * DAY, tick=False)
        follow_ups.send_due_messages()
    assert list(Reminder.objects.values_list("which", flat=True)) == ["3d"]


@pytest.mark.parametrize(
    ("made_before", "now_before", "expected"),
    [(10, 8, None), (10, 7, "7d"), (10, 5, "7d"), (10, 3, "3d"), (10, 0.5, "3d"), (7.5, 7, None), (5, 3, "3d")],
)
def test_which_pre_visit_reminder_is_due(made_before, now_before, expected):
    assert (
        reminders.pre_visit_reminder_due(
            appointment_at=VISIT, created_at=VISIT - made_before * DAY, now=VISIT - now_before * DAY, days=(7, 3)
        )
        == expected
    )
    assert (
        reminders.pre_visit_reminder_due(appointment_at=VISIT, created_at=VISIT - 10 * DAY, now=VISIT, days=(7, 3))
        is None
    )


def test_a_patient_without_email_gets_the_reminder_by_text(settings, monkeypatch, time_machine):
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, email="", phone="+15550100123")
    make_invitation(appointment_at=VISIT, email="", name="Nobody Reachable")
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    assert [text.to for text in sms.outbox] == ["+15550100123"]
    # Their first message (no e-mail, so no invitation was sent): it never says an old link was sent.
    assert "Your link (any earlier one no longer works)" in sms.outbox[0].body
    assert "/intake/start/" in sms.outbox[0].body
    assert Reminder.objects.count() == 1


def test_a_reminder_to_a_patient_never_emailed_a_link_does_not_say_one_was_sent_before(time_machine):
    """An invitation saved without e-mailing: the reminder is the patient's first message. It said "The link we sent
    before no longer works", sending them to look for an e-mail that never came."""
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, send_email=False)
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    [reminder] = mail.outbox
    body = " ".join(str(reminder.body).split())
    assert "/intake/start/" in body
    assert "The link we sent before" not in body
    assert "Here is your link. If we sent you a link before, that one no longer works." in body


def test_no_subject_names_the_patient_or_says_anything_clinical(follow_up_sent, time_machine, settings):
    settings.CLINIC_NAME = "Northside Clinic"  # the demo name says "Spine"; a clinic's name is its own
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, email="sam@example.org", name="Sam Sciatica")
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    time_machine.move_to(VISIT + 49 * DAY, tick=False)
    follow_ups.send_due_messages()
    time_machine.move_to(VISIT + 56 * DAY, tick=False)
    follow_ups.send_due_messages()
    kinds = set(OutboundMessage.objects.values_list("kind", flat=True))
    assert {"pre_visit_reminder", "follow_up_reminder"} <= kinds
    subjects = [str(message.subject) for message in mail.outbox]
    assert len(subjects) == 3
    for subject in [*subjects, follow_ups_subject()]:
        assert not clinical_words(subject), subject
        assert not {"Pat", "Example", "Sam", "Sciatica"} & set(subject.replace("?", " ").split()), subject


def follow_ups_subject() -> str:
    from intake.tasks import FOLLOW_UP_SUBJECT

    return FOLLOW_UP_SUBJECT.format(clinic="Northside Clinic")


def test_a_follow_up_reminder_waits_after_the_new_link_staff_sent_and_does_not_end_it(
    follow_up_sent, time_machine, client
):
    """Locked out by wrong birth dates, the patient missed the first reminder (none goes to a locked link); staff sent
    a new link on day 8. The reminder went a minute later with yet another link, and the one staff had just sent
    (and told the patient about on the phone) stopped working. The next reminder counts from staff's link."""
    Invitation.objects.filter(pk=follow_up_sent.pk).update(locked_at=timezone.now())
    time_machine.move_to(VISIT + 49 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 0  # locked
    time_machine.move_to(VISIT + 50 * DAY, tick=False)
    assert follow_ups.resend_link(follow_up_sent, now=timezone.now())
    staff_link = token_in(mail.outbox[-1])

    time_machine.move_to(VISIT + 50 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 0
    assert opens(client, staff_link)
    assert len(mail.outbox) == 1
    time_machine.move_to(follow_ups.days_after(VISIT + 50 * DAY, 7), tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1  # a week after staff's link


def test_a_pre_visit_reminder_missed_while_locked_does_not_end_the_new_link_staff_just_emailed(
    invited, time_machine, client
):
    """Locked out by wrong birth dates before the 7-day reminder (none goes to a locked link), the patient calls;
    six days before the visit staff e-mail a new link. The missed 7-day reminder must not follow a minute later with
    yet another link that ends staff's."""
    from intake.services.invitations import email_new_link

    time_machine.move_to(VISIT - 8 * DAY, tick=False)
    Invitation.objects.filter(pk=invited.pk).update(locked_at=timezone.now())
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0  # locked
    time_machine.move_to(VISIT - 6 * DAY, tick=False)
    invited.refresh_from_db()
    email_new_link(invited, email="pat@example.org", appointment_at=VISIT, now=timezone.now())
    staff_link = token_in(mail.outbox[-1])

    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0
    assert opens(client, staff_link)
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1  # the 3-day one still goes


def test_a_patient_booked_by_phone_two_days_before_the_visit_gets_their_link_by_text(
    settings, monkeypatch, time_machine
):
    """Staff saved the invitation of a patient with a mobile and no e-mail two days before the visit, as the page
    says: "a patient with a mobile number gets the reminders before the visit by text message". No reminder was due
    for a link less than a day old at the reminder's moment, so the patient never had a link at all."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, email="", phone="+15550100123")
    time_machine.move_to(VISIT - 2 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1
    assert [text.to for text in sms.outbox] == ["+15550100123"]
    assert "/intake/start/" in sms.outbox[0].body
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0  # once


def test_a_link_emailed_two_days_before_the_visit_gets_no_reminder_on_its_heels(time_machine):
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, send_email=True)
    time_machine.move_to(VISIT - DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0
    assert len(mail.outbox) == 1  # the invitation's own


def test_follow_ups_waiting_for_their_second_reminder_do_not_hold_up_anothers_first(
    follow_up_sent, time_machine, monkeypatch
):
    """The dispatcher reads a batch of follow-ups at a time, oldest sent first, and skipped those not due yet: a
    batch filled with ones that had their first reminder (and wait a week for the second) kept every later follow-up's
    first reminder from going, for days in a busy clinic. Here the batch is one follow-up long."""
    monkeypatch.setattr(reminders, "BATCH", 1)
    time_machine.move_to(VISIT + 42 * DAY, tick=False)
    services.create_submitted_intake_for_demo(
        answers=routine_answers(), email="sam@example.org", patient_name="Sam Second", appointment_at=VISIT + DAY
    )
    follow_ups.send_due_messages(now=VISIT + DAY)
    time_machine.move_to(VISIT + 43 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_ups"] == 1  # Sam's, a day after Pat's
    time_machine.move_to(VISIT + 49 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1  # Pat's first
    mail.outbox.clear()

    time_machine.move_to(VISIT + 50 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1  # Sam's first
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]


def test_invitations_reminded_already_do_not_hold_up_anothers_pre_visit_reminder(time_machine, monkeypatch):
    """The dispatcher reads a batch of unfinished invitations, nearest visit first, and skipped those whose reminder
    had gone: a batch of them kept a later visit's 7-day reminder from going. Here the batch is one invitation."""
    monkeypatch.setattr(reminders, "BATCH", 1)
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, send_email=True)
    make_invitation(appointment_at=VISIT + 5 * DAY, send_email=True, name="Sam Later", email="sam@example.org")
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1  # Pat's 3-day reminder
    mail.outbox.clear()

    time_machine.move_to(follow_ups.days_after(VISIT + 5 * DAY, -7), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1  # Sam's 7-day reminder
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]


def test_the_invitation_page_says_how_a_patient_booked_by_phone_got_their_link(
    settings, monkeypatch, time_machine, client, front_desk
):
    """Such a patient's link goes only by the pre-visit reminder's text, and each reminder's new link ends the one
    before; the page's link row looked only for the invitation's own e-mail and read "Link email: Not emailed", so
    staff could not see that the link went, nor that it failed."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=VISIT, email="", phone="+15550100123")
    time_machine.move_to(VISIT - 2 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1
    client.force_login(front_desk)

    def link_row() -> str:
        page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
        found = re.search(
            r'<dt class="col-sm-4">([^<]*)</dt>\s*<dd class="col-sm-8" id="invitation-email-state">(.*?)</dd>',
            page,
            re.S,
        )
        assert found is not None
        return found.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())

    assert link_row().startswith("Link text message (in the reminder 3 days before): Sent")
    OutboundMessage.objects.filter(kind="pre_visit_reminder").update(status="failed", attempts=12)
    assert link_row().startswith("Link text message (in the reminder 3 days before): Failed")


def test_the_invitation_list_says_how_a_patient_booked_by_phone_got_their_link_without_a_query_per_row(
    settings, monkeypatch, time_machine, client, front_desk, django_assert_max_num_queries
):
    """The list's Email column read "Not emailed" for a patient whose link went only by the pre-visit reminder's
    text, while the invitation's page says the link went by text in that reminder (and whether it arrived)."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, email="", phone="+15550100123", name="Phone Only")
    make_invitation(appointment_at=VISIT, name="Not Sent Yet")
    time_machine.move_to(VISIT - 2 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 2
    make_invitation(appointment_at=VISIT + DAY, name="Never Sent")
    client.force_login(front_desk)

    def email_cells() -> dict[str, str]:
        with django_assert_max_num_queries(6):
            page = client.get("/staff/invitations/").content.decode()
        rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in page.split('<tr role="row">')[2:]}
        return {
            name: " ".join(re.sub(r"<[^>]+>", " ", row.split('data-label="Email">')[1].split("</td>")[0]).split())
            for name, row in rows.items()
        }

    cells = email_cells()
    assert cells["Phone Only"] == "Text in the reminder 3 days before: Sent"
    assert cells["Never Sent"] == "Not emailed"
    OutboundMessage.objects.filter(kind="pre_visit_reminder", channel="sms").update(status="failed", attempts=12)
    assert email_cells()["Phone Only"] == "Text in the reminder 3 days before: Failed"


def test_short_notice_invitations_with_no_reminder_due_do_not_hold_up_anothers_pre_visit_reminder(
    time_machine, monkeypatch
):
    """A link e-mailed less than a day before a reminder's moment gets no reminder, and stayed in the dispatcher's
    batch (nearest visit first) until its visit: a clinic's short-notice bookings kept a later visit's 7-day reminder
    from going. Here the batch is one invitation."""
    monkeypatch.setattr(reminders, "BATCH", 1)
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT + 6 * DAY, send_email=True, name="Sam Later", email="sam@example.org")
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, send_email=True)  # booked at short notice, its link e-mailed at once
    mail.outbox.clear()

    time_machine.move_to(follow_ups.days_after(VISIT + 6 * DAY, -7), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1  # Sam's 7-day reminder
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]


def test_a_patient_who_asked_for_no_texts_does_not_hold_up_anothers_pre_visit_reminder(time_machine, monkeypatch):
    """A patient with only a phone whose number asked for no texts can get no reminder (nothing to send it by), and
    stayed in the dispatcher's batch until their visit, ahead of later visits. Here the batch is one invitation."""
    from messaging.models import TextOptOut

    monkeypatch.setattr(reminders, "BATCH", 1)
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    make_invitation(appointment_at=VISIT, email="", phone="+15550100123")
    TextOptOut.objects.create(number="+15550100123", at=timezone.now())
    make_invitation(appointment_at=VISIT + DAY, send_email=True, name="Sam Later", email="sam@example.org")
    mail.outbox.clear()

    time_machine.move_to(follow_ups.days_after(VISIT + DAY, -7), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1  # Sam's 7-day reminder
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]


def test_a_follow_up_whose_patient_cannot_be_reached_does_not_hold_up_anothers_reminder(
    follow_up_sent, time_machine, monkeypatch
):
    """Pat's e-mail was taken off and their phone asked for no texts after the follow-up went: no reminder can go to
    them, and theirs, the oldest, filled the dispatcher's batch until the link ran out. Here the batch is one."""
    from messaging.models import TextOptOut

    monkeypatch.setattr(reminders, "BATCH", 1)
    Invitation.objects.filter(pk=follow_up_sent.pk).update(email="")
    follow_up_sent.patient.phone = "+15550100123"
    follow_up_sent.patient.save(update_fields=["phone"])
    TextOptOut.objects.create(number="+15550100123", at=timezone.now())
    services.create_submitted_intake_for_demo(
        answers=routine_answers(), email="sam@example.org", patient_name="Sam Second", appointment_at=VISIT + DAY
    )
    follow_ups.send_due_messages(now=VISIT + DAY)
    time_machine.move_to(VISIT + 43 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_ups"] == 1  # Sam's, a day after Pat's
    mail.outbox.clear()

    time_machine.move_to(VISIT + 50 * DAY, tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1  # Sam's first
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
