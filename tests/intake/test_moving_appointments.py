"""The front desk moves a visit booked by phone, or corrects an address: "Change the appointment or details" on the
invitation page moves the queue's time, the link's last day, the reminders and the follow-ups, and sends nothing (a
patient without an e-mail, or one who has sent their answers, had no way but a new link, which needs an e-mail and,
after sending, opened nothing)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from audit.models import AuditEvent
from intake import selectors, services
from intake.models import EarlierReminder, Invitation, Reminder
from intake.services import follow_ups, invitations, reminders
from messaging import sms
from messaging.models import OutboundMessage
from tests.intake.factories import days_ahead_at, make_invitation, routine_answers

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LINK = re.compile(r"/intake/start/([^/\s]+)/")
# The tests that step from a visit to its 7-day reminder in 24-hour days (`visit - 7 * DAY`) start here: reminders
# count calendar days (`follow_ups.days_after`), so in a week the clocks change the reminder's moment is an hour from
# theirs, and run at 2:30 AM on 2027-03-08 or 03-09 they found no reminder due. A Tuesday 10 AM with no clock change in
# the three weeks after it.
NO_CLOCK_CHANGE = timezone.make_aware(datetime.datetime(2027, 4, 13, 10, 0))


def _local(when: datetime.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _move(client, invitation, when: datetime.datetime, **details: str):
    data = {"change-appointment_at": _local(when), **{f"change-{name}": value for name, value in details.items()}}
    return client.post(f"/staff/invitations/{invitation.pk}/details/", data)


def test_a_patient_without_email_has_their_visit_moved_and_nothing_is_sent(client, front_desk):
    invitation, token = make_invitation(email="", phone="+12015550123")
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "Change the appointment or details" in page
    moved_to = days_ahead_at(9)

    response = _move(client, invitation, moved_to)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert _local(invitation.appointment_at) == _local(moved_to)
    assert timezone.localdate(invitation.expires_at) == timezone.localdate(moved_to) + 2 * DAY  # until the day after
    assert (
        "Nothing was sent to the patient: their link still works" in client.get(response["Location"]).content.decode()
    )
    assert mail.outbox == []
    assert client.get(f"/intake/start/{token}/").status_code == 302  # the link still opens
    event = AuditEvent.objects.get(action="changed_invitation")
    assert event.detail == f"invitation {invitation.pk}; changed: appointment; nothing sent"


def test_a_sent_form_is_offered_no_new_link_and_its_visit_can_still_move(client, front_desk):
    """A new link after "Send" opens only the bad-link page: the page does not offer one, the address refuses it, and
    the visit moves with nothing sent."""
    intake = services.create_submitted_intake_for_demo(
        answers=routine_answers(),
        patient_name="Kim Park",
        email="kim@example.org",
        appointment_at=timezone.now() + 5 * DAY,
    )
    invitation = intake.invitation
    mail.outbox.clear()
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "a new link would not open the form again" in page
    assert "Email a new link" not in page

    refused = client.post(
        f"/staff/invitations/{invitation.pk}/new-link/",
        {"email": invitation.email, "appointment_at": _local(invitation.appointment_at), "language": "en"},
    )
    assert refused.status_code == 200
    assert "The patient has sent their answers" in refused.content.decode()

    moved_to = days_ahead_at(9)
    assert _move(client, invitation, moved_to).status_code == 302
    intake.refresh_from_db()
    assert _local(intake.appointment_at) == _local(moved_to)  # the queue's copy moved
    assert mail.outbox == []


def test_a_time_that_has_passed_gets_a_message_next_to_its_field_and_changes_nothing(client, front_desk):
    invitation, _ = make_invitation(email="")
    before = invitation.appointment_at
    client.force_login(front_desk)
    response = _move(client, invitation, timezone.localtime() - datetime.timedelta(hours=2))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This time has passed. Enter the new appointment time." in html
    assert 'href="#id_change-appointment_at"' in html  # the summary links to the field
    assert 'id="id_change-appointment_at"' in html
    invitation.refresh_from_db()
    assert invitation.appointment_at == before


def test_a_patient_answering_when_the_visit_moves_carries_on(patient, front_desk, client):
    client.force_login(front_desk)
    _move(client, patient.invitation, days_ahead_at(12))
    page = patient.client.get("/intake/", follow=True)
    assert page.status_code == 200
    assert b"data-intake-step" in page.content  # the form, not "This link does not work"


def test_the_reminders_follow_the_new_date(front_desk, client, time_machine):
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    assert list(Reminder.objects.values_list("which", flat=True)) == ["7d"]
    client.force_login(front_desk)
    _move(client, invitation, visit + 14 * DAY)  # two weeks later: its 7-day reminder is ahead again
    assert not Reminder.objects.filter(which="7d").exists()


def test_an_address_corrected_after_sending_reaches_the_record_with_nothing_sent(client, front_desk):
    """The follow-ups copy the patient record's address and language: after "Send" they are corrected here, as a new
    link (which opens nothing after sending) was the only way before."""
    intake = services.create_submitted_intake_for_demo(
        answers=routine_answers(),
        patient_name="Kim Park",
        email="kim@exmaple.org",
        appointment_at=timezone.now() + 5 * DAY,
    )
    invitation = intake.invitation
    mail.outbox.clear()
    client.force_login(front_desk)
    _move(client, invitation, timezone.localtime(invitation.appointment_at), email="kim@example.org", language="es")
    invitation.refresh_from_db()
    assert (invitation.email, invitation.language) == ("kim@example.org", "es")
    assert (invitation.patient.email, invitation.patient.language) == ("kim@example.org", "es")
    assert mail.outbox == []
    assert AuditEvent.objects.get(action="changed_invitation").detail.endswith("changed: email, language; nothing sent")


def test_a_blank_or_bad_address_keeps_the_one_on_file(client, front_desk):
    invitation, _ = make_invitation(email="pat@example.org")
    client.force_login(front_desk)
    bad = _move(client, invitation, timezone.localtime(invitation.appointment_at), email="not-an-address")
    assert bad.status_code == 200
    assert "Enter the email address in the right format" in bad.content.decode()
    _move(client, invitation, timezone.localtime(invitation.appointment_at) + DAY, email="")
    invitation.refresh_from_db()
    assert invitation.email == "pat@example.org"


def test_saving_without_a_change_or_with_the_address_cleared_says_what_was_kept(client, front_desk):
    """Both answered with the invitation's page and no word: someone who cleared a wrong address to remove it could
    not tell that it was kept."""
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=days_ahead_at(3))  # a time shown once
    client.force_login(front_desk)
    unchanged = timezone.localtime(invitation.appointment_at)
    page = _move(client, invitation, unchanged, email="pat@example.org", language="en").content.decode()
    assert page == ""  # a redirect
    shown = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "Nothing was changed" in shown

    _move(client, invitation, unchanged, email="", language="en")
    shown = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "The email on file was kept" in shown
    invitation.refresh_from_db()
    assert invitation.email == "pat@example.org"
    assert not AuditEvent.objects.filter(action="changed_invitation").exists()


def test_a_patient_never_sent_a_link_still_gets_one_after_their_visit_is_moved_within_three_days(
    client, front_desk, time_machine
):
    """A phone-only invitation (saved without e-mailing) gets its only link from the pre-visit reminder text. Moved
    to two days ahead with "Save without sending", both reminders were taken as sent ("the link the patient has is
    their newest"), but this patient had none: no reminder, no link, ever. The nearest one still goes."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    invitation, _ = make_invitation(email="", phone="+12015550123", appointment_at=start + 20 * DAY)
    time_machine.move_to(start + 5 * DAY, tick=False)
    client.force_login(front_desk)
    moved_to = days_ahead_at(2)
    response = client.post(
        f"/staff/invitations/{invitation.pk}/details/",
        {"change-appointment_at": _local(moved_to), "change-email": "", "change-language": "en"},
    )
    assert response.status_code == 302

    reminders.send_pre_visit_reminders(now=timezone.now())

    texts = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert texts.count() == 1, "the patient, never sent a link, gets none before the moved visit"


def test_the_email_can_be_corrected_on_an_invitation_whose_visit_has_passed(client, front_desk, time_machine):
    """The form says "Reminders and follow-ups go here" and is offered after the visit (when follow-ups go out, to
    the record's address): a post with the appointment as it is corrects the address ("This time has passed")."""
    visit = days_ahead_at(2)  # posted back as shown: a time the clinic's clock shows once (not 1:30 AM twice)
    invitation, _ = make_invitation(email="kim@exmaple.org", appointment_at=visit)
    time_machine.move_to(visit + datetime.timedelta(hours=3), tick=False)  # the visit was 3 hours ago
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "Change the appointment or details" in page

    response = client.post(
        f"/staff/invitations/{invitation.pk}/details/",
        {
            "change-appointment_at": _local(invitation.appointment_at),
            "change-email": "kim@example.org",
            "change-language": "en",
        },
    )

    assert "This time has passed" not in response.content.decode()
    assert response.status_code == 302
    invitation = Invitation.objects.select_related("patient").get(pk=invitation.pk)
    assert invitation.patient.email == "kim@example.org"


def test_a_visit_moved_earlier_just_after_a_reminder_does_not_get_a_second_one_at_once(
    client, front_desk, time_machine
):
    """The 7-day reminder (with a new link) went out an hour ago; the front desk moves the visit to two days ahead with
    "Save" (nothing sent): no second reminder goes minutes after the first, whose new link would end the one in the
    e-mail the patient has just received."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=start + 10 * DAY)
    time_machine.move_to(start + 3 * DAY + datetime.timedelta(hours=1), tick=False)
    assert reminders.send_pre_visit_reminders(now=timezone.now()) == 1  # the 7-day one

    time_machine.move_to(start + 3 * DAY + datetime.timedelta(hours=2), tick=False)
    client.force_login(front_desk)
    moved_to = days_ahead_at(2)
    response = client.post(
        f"/staff/invitations/{invitation.pk}/details/",
        {"change-appointment_at": moved_to.strftime("%Y-%m-%dT%H:%M"), "change-email": "", "change-language": "en"},
    )
    assert response.status_code == 302
    reminders.send_pre_visit_reminders(now=timezone.now())

    sent = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert sent.count() == 1, "a second reminder (and a new link) an hour after the first"


def test_a_patient_never_sent_a_link_still_gets_one_after_their_visit_is_moved_twice(client, front_desk, time_machine):
    """A moved visit marks passed reminders as covered without sending them: those rows are no link. The front desk
    corrects the time by 30 minutes before the dispatcher's next run, and the phone-only patient still gets one."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    invitation, _ = make_invitation(email="", phone="+12015550123", appointment_at=start + 20 * DAY)
    time_machine.move_to(start + 5 * DAY, tick=False)
    client.force_login(front_desk)
    moved_to = days_ahead_at(2)
    assert _move(client, invitation, moved_to).status_code == 302
    assert _move(client, invitation, moved_to + datetime.timedelta(minutes=30)).status_code == 302  # a slip fixed

    reminders.send_pre_visit_reminders(now=timezone.now())

    texts = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert texts.count() == 1, "no link ever: the row _move made without sending anything counted as a link"


def test_a_patient_whose_only_invitation_email_failed_gets_a_link_after_the_visit_is_moved(
    client, front_desk, time_machine
):
    """The invitation e-mail to a mistyped address failed (given up): the patient has no link. The front desk
    corrects the address and moves the visit to two days ahead: the reminder due goes to the corrected address."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    invitation, _ = make_invitation(email="pat@exmaple.org", appointment_at=start + 20 * DAY, send_email=True)
    OutboundMessage.objects.filter(kind=OutboundMessage.Kind.INVITATION).update(
        status=OutboundMessage.Status.FAILED, attempts=5, sealed_token=""
    )
    time_machine.move_to(start + 5 * DAY, tick=False)
    client.force_login(front_desk)
    assert _move(client, invitation, days_ahead_at(2), email="pat@example.org").status_code == 302

    reminders.send_pre_visit_reminders(now=timezone.now())

    sent = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert list(sent.values_list("recipients", flat=True)) == [["pat@example.org"]], "the patient never gets a link"


def _shown_time(when: datetime.datetime | None) -> str:
    """A sent time as the invitation page shows it ("Dec 3, 9:00 AM EST")."""
    assert when is not None, "not sent"
    return dateformat.format(timezone.localtime(when), "M j, g:i A T")


def test_a_reminder_sent_before_the_visit_moved_stays_on_the_invitation_page_with_its_time(
    front_desk, client, time_machine
):
    """The 7-day reminder went; the front desk moves the visit two weeks on, so the new date gets a 7-day reminder of
    its own. The page then showed no trace of the one sent (it was deleted with its message): the clinic could not
    tell a patient who says they were never reminded that one went, and when."""
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    sent = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert sent.status == OutboundMessage.Status.SENT
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "reminder 7 days before" in page
    assert _shown_time(sent.sent_at) in page

    time_machine.move_to(visit - 7 * DAY + datetime.timedelta(hours=2), tick=False)
    client.force_login(front_desk)  # a new sign-in: the first one timed out meanwhile
    response = _move(client, invitation, visit + 14 * DAY)
    assert response["Location"] == f"/staff/invitations/{invitation.pk}/"

    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "reminder 7 days before" in page, "the reminder sent is gone from the page"
    assert _shown_time(sent.sent_at) in page, "the time the reminder went is gone from the page"

    time_machine.move_to(visit + 7 * DAY, tick=False)  # the new date's own 7-day reminder still goes
    follow_ups.send_due_messages()
    again = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER).exclude(pk=sent.pk).get()
    assert again.status == OutboundMessage.Status.SENT
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert _shown_time(again.sent_at) in page
    assert _shown_time(sent.sent_at) in page, "the earlier reminder went from the page when the new one went"


def test_a_reminder_sent_before_a_new_link_for_a_new_date_stays_on_the_invitation_page(
    front_desk, client, time_machine
):
    """Staff's "Email a new link" with the appointment moved on drops the old date's reminders as "Change the
    appointment" does (the same code): the one that went stays on the page, with its time."""
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    sent = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)

    time_machine.move_to(visit - 7 * DAY + datetime.timedelta(hours=2), tick=False)
    client.force_login(front_desk)
    invitation.refresh_from_db()
    response = client.post(
        f"/staff/invitations/{invitation.pk}/new-link/",
        {
            "email": invitation.email,
            "appointment_at": _local(visit + 14 * DAY),
            "language": "en",
            "link_version": invitation.link_version,
        },
    )
    assert response["Location"] == f"/staff/invitations/{invitation.pk}/"

    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "reminder 7 days before" in page, "the reminder sent is gone from the page"
    assert _shown_time(sent.sent_at) in page, "the time the reminder went is gone from the page"


def test_a_text_reminder_sent_before_the_visit_moved_stays_on_the_page_of_a_patient_without_email(
    front_desk, client, time_machine, settings
):
    """A patient booked by phone, with no e-mail, has only the reminders' texts: after the move the page said "Not
    emailed", as if nothing had ever reached them."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(email="", phone="+12015550123", appointment_at=visit)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    sent = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert sent.status == OutboundMessage.Status.SENT

    client.force_login(front_desk)
    assert _move(client, invitation, visit + 14 * DAY).status_code == 302

    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "reminder 7 days before" in page
    assert "by text message" in page
    assert _shown_time(sent.sent_at) in page


def test_a_patient_by_phone_whose_visit_moves_twice_keeps_the_link_texted_before_the_first_move(
    front_desk, client, time_machine, settings, monkeypatch
):
    """The 7-day reminder's text gave a phone-only patient their link; the visit moved two weeks on (that reminder
    was dropped, kept as a record), then back to two days ahead. The second move took the patient for one never sent
    a link (the kept record was not counted), and a reminder with a new link went at once."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(email="", phone="+12015550123", appointment_at=visit)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    [first_text] = sms.outbox
    client.force_login(front_desk)
    assert _move(client, invitation, visit + 14 * DAY).status_code == 302

    time_machine.move_to(visit - 7 * DAY + datetime.timedelta(hours=1), tick=False)
    client.force_login(front_desk)
    assert _move(client, invitation, days_ahead_at(2)).status_code == 302
    follow_ups.send_due_messages()

    assert len(sms.outbox) == 1, "a second text with a new link, though the patient has a working one"
    found = LINK.search(first_text.body)
    assert found is not None
    assert client.get(f"/intake/start/{found.group(1)}/")["Location"].endswith("/intake/confirm/")  # still opens


def _link_row(client, invitation) -> str:
    """The invitation page's "Link email" row as staff read it: its heading, then its text."""
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    found = re.search(
        r'<dt class="col-sm-4">([^<]*)</dt>\s*<dd class="col-sm-8" id="invitation-email-state">(.*?)</dd>', page, re.S
    )
    assert found is not None
    return found.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


def test_after_the_visit_moved_the_link_row_shows_the_reminder_whose_link_the_patient_uses(
    front_desk, client, time_machine
):
    """The 7-day reminder's link ended the invitation e-mail's; the visit then moved two weeks on (the reminder's
    message deleted with it). The page's link row showed the invitation e-mail, whose link no longer opens, and its
    date: staff told a patient to use a link that does not work."""
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    first_email = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    time_machine.move_to(visit - 7 * DAY + datetime.timedelta(hours=2), tick=False)
    client.force_login(front_desk)
    assert _move(client, invitation, visit + 14 * DAY).status_code == 302

    row = _link_row(client, invitation)

    then = dateformat.format(timezone.localtime(visit), "M j")
    assert row == (
        f"Link email (in the reminder 7 days before the visit then on {then}): Sent "
        f"{_shown_time(reminder.sent_at)}, before the visit moved"
    )
    assert _shown_time(first_email.sent_at) not in row


def _reminder_retrying_after_the_email(time_machine) -> tuple[Any, OutboundMessage, Any]:
    """An invitation whose e-mail was sent, and whose 7-day reminder (a new link) is retrying: the invitation, its
    sent e-mail and the reminder's messages (a queryset, to fail or send them later)."""
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    first_email = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    reminder = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    reminder.update(status=OutboundMessage.Status.PENDING, attempts=2, sent_at=None)
    return invitation, first_email, reminder


def test_a_reminder_not_sent_yet_leaves_the_link_row_on_the_link_the_patient_has(front_desk, client, time_machine):
    """A reminder's new link replaces the patient's only once it is sent: while it retries (the mail server down),
    or once it has failed, the patient's link is still the one staff e-mailed. The row showed the reminder, "Failed:
    check the address and email a new link", for a patient whose link works."""
    invitation, first_email, reminder = _reminder_retrying_after_the_email(time_machine)
    client.force_login(front_desk)

    row = _link_row(client, invitation)
    assert row.startswith(f"Link email: Sent {_shown_time(first_email.sent_at)}")
    assert row.endswith(
        "A new link is on its way in the reminder 7 days before: Retrying until it is sent, the patient's link is "
        "the one above."
    )

    reminder.update(status=OutboundMessage.Status.FAILED, attempts=12)
    assert _link_row(client, invitation) == f"Link email: Sent {_shown_time(first_email.sent_at)}"


def test_a_reminder_sent_before_the_visit_moved_does_not_count_once_a_failed_new_link_ended_its_link(
    front_desk, client, time_machine
):
    """The 7-day reminder went, the visit moved two weeks on, then staff e-mailed a new link to a mistyped address
    (it failed, and it had ended the reminder's link). Moved again with the address corrected, the patient must get
    the reminder due: the one sent before the first move is no working link."""
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    client.force_login(front_desk)
    assert _move(client, invitation, visit + 14 * DAY).status_code == 302
    invitation.refresh_from_db()
    invitations.email_new_link(invitation, email="pat@exmaple.org", appointment_at=visit + 14 * DAY, now=timezone.now())
    OutboundMessage.objects.filter(kind=OutboundMessage.Kind.INVITATION, recipients=["pat@exmaple.org"]).update(
        status=OutboundMessage.Status.FAILED, attempts=5, sealed_token=""
    )

    time_machine.move_to(visit - 6 * DAY, tick=False)
    client.force_login(front_desk)
    assert _move(client, invitation, days_ahead_at(2), email="pat@example.org").status_code == 302
    reminders.send_pre_visit_reminders(now=timezone.now())

    sent = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert list(sent.values_list("recipients", flat=True)) == [["pat@example.org"]], "the patient has no working link"


def test_a_reminder_whose_send_fails_after_the_visit_moved_mid_send_leaves_the_patient_a_link_that_opens(settings):
    # The move (2b68f27) counts a reminder being sent as sent: its link replaces the patient's and its message goes.
    # The mail server then refused it: the patient has no link that opens, and nothing is left to try again.
    import smtplib

    from django.test import Client

    from messaging import delivery
    from messaging.tasks import enqueue
    from tests.intake.conftest import Patient

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    invitation, raw = make_invitation(appointment_at=now + datetime.timedelta(days=2, hours=12))
    assert reminders.send_reminder(invitation.pk, "3d", kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, now=now)
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    about = (message.kind, message.about_id)
    claimed = delivery._claim(message.pk, about, requeue=enqueue, now=now)
    assert not isinstance(claimed, str)
    invitation.refresh_from_db()
    later = now + datetime.timedelta(days=10)
    invitations.change_details(invitation, appointment_at=later, email=invitation.email, language=None, now=now)
    failed = smtplib.SMTPServerDisconnected("gone")
    delivery._record(claimed.message, about, failed, requeue=enqueue, now=now)
    still_to_go = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING).exists()
    assert still_to_go or Patient(Client(), raw).open_link().status_code == 302


def _list_cell(client, invitation) -> str:
    """The invitation list's Email column for this invitation, as staff read it."""
    page = client.get("/staff/invitations/").content.decode()
    row = next(row for row in page.split('<tr role="row">') if f"/staff/invitations/{invitation.pk}/" in row)
    return " ".join(re.sub(r"<[^>]+>", " ", row.split('data-label="Email">')[1].split("</td>")[0]).split())


def test_after_the_visit_moved_the_list_shows_the_reminder_whose_link_the_patient_uses_as_the_page_does(
    front_desk, client, time_machine
):
    """The invitation's page shows the 7-day reminder sent before the visit moved (its link is the patient's); the
    list showed the invitation's first e-mail, whose link that reminder had ended."""
    time_machine.move_to(NO_CLOCK_CHANGE, tick=False)
    visit = timezone.now() + 10 * DAY
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    time_machine.move_to(visit - 7 * DAY, tick=False)
    follow_ups.send_due_messages()
    time_machine.move_to(visit - 7 * DAY + datetime.timedelta(hours=2), tick=False)
    client.force_login(front_desk)
    assert _move(client, invitation, visit + 14 * DAY).status_code == 302

    then = dateformat.format(timezone.localtime(visit), "M j")
    assert _link_row(client, invitation).startswith(
        f"Link email (in the reminder 7 days before the visit then on {then}): Sent"
    )
    assert _list_cell(client, invitation) == f"Email in the reminder 7 days before the visit then on {then}: Sent"


def test_a_reminder_not_sent_yet_leaves_the_list_on_the_link_the_patient_has_as_the_page_does(
    front_desk, client, time_machine
):
    """A reminder retrying, then failed, after the invitation e-mail was sent: the page shows the sent e-mail (the
    patient's link), the list showed the reminder, "Failed", for a patient whose link works."""
    invitation, first_email, reminder = _reminder_retrying_after_the_email(time_machine)
    client.force_login(front_desk)

    assert _link_row(client, invitation).startswith(f"Link email: Sent {_shown_time(first_email.sent_at)}")
    assert _list_cell(client, invitation) == "Sent A new link on its way in the reminder 7 days before: Retrying"

    reminder.update(status=OutboundMessage.Status.FAILED, attempts=12)
    assert _link_row(client, invitation) == f"Link email: Sent {_shown_time(first_email.sent_at)}"
    assert _list_cell(client, invitation) == "Sent"


def _message(
    invitation,
    at,
    *,
    reminder: str = "",
    status="sent",
    attempts=1,
    sent_late=False,
    channel="email",
    may_have_arrived=False,
):
    """A message with the link: the invitation's own e-mail, or reminder `reminder`'s, queued at `at` and, when sent,
    sent a minute later (`sent_late`: a day later); `may_have_arrived`: an attempt the mail server may have taken."""
    about = invitation.pk
    if reminder:
        about = Reminder.objects.get_or_create(invitation=invitation, which=reminder, defaults={"created_at": at})[0].pk
    sent_at = at + (DAY if sent_late else datetime.timedelta(minutes=1)) if status == "sent" else None
    message = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.PRE_VISIT_REMINDER if reminder else OutboundMessage.Kind.INVITATION,
        channel=channel,
        about_id=about,
        next_attempt_at=at,
        status=status,
        attempts=attempts,
        sent_at=sent_at,
        may_have_arrived=may_have_arrived,
        may_have_arrived_at=at if may_have_arrived else None,
    )
    OutboundMessage.objects.filter(pk=message.pk).update(created_at=at)
    return message


def _earlier(invitation, sent_at, which="7d", channel="email", may_have_arrived=False):
    EarlierReminder.objects.create(
        invitation=invitation,
        which=which,
        appointment_at=sent_at + 7 * DAY,
        channel=channel,
        sent_at=sent_at,
        may_have_arrived=may_have_arrived,
    )


def test_the_list_shows_for_every_invitation_the_link_message_its_page_shows():
    """The list's Email column (one query for the page) and the invitation page's link row (`live_link`) agree: the
    message whose link the patient uses, a reminder sent before the visit moved, or the newest trying to reach a
    patient who has none, a reminder on its way with a newer link, and a reminder that may have arrived though
    nothing says so (`unconfirmed_reminders`)."""
    t = timezone.now() - 20 * DAY
    minute = datetime.timedelta(minutes=1)
    cases: dict[str, Invitation] = {}

    def case(name: str) -> Invitation:
        cases[name] = make_invitation(name=name, appointment_at=timezone.now() + 5 * DAY)[0]
        return cases[name]

    case("nothing sent")
    _message(case("own queued"), t, status="pending", attempts=0)
    _message(case("own failed"), t, status="failed", attempts=5)
    _message(inv := case("reminder sent after own"), t)
    _message(inv, t + DAY, reminder="7d")
    _message(inv := case("reminder retrying after own"), t)
    _message(inv, t + DAY, reminder="7d", status="pending", attempts=2)
    _message(inv := case("reminder failed after own"), t)
    _message(inv, t + DAY, reminder="7d", status="failed", attempts=12)
    _message(case("phone only, reminder failed"), t, reminder="3d", status="failed", channel="sms")
    _message(case("phone only, reminder queued"), t, reminder="3d", status="pending", attempts=0, channel="sms")
    _message(inv := case("earlier reminder"), t)
    _earlier(inv, t + DAY, channel="sms")
    _earlier(inv := case("staff's link after earlier, failed"), t + DAY)
    _message(inv, t + 2 * DAY, status="failed")
    _earlier(inv := case("reminder queued after earlier"), t + DAY)
    _message(inv, t + 2 * DAY, reminder="3d", status="pending", attempts=0)
    _earlier(inv := case("reminder queued before earlier was sent"), t + DAY)
    _message(inv, t + DAY - minute, reminder="3d", status="pending", attempts=3)
    _earlier(inv := case("staff's link with the move"), t + DAY)
    _message(inv, t + DAY, status="pending", attempts=0)  # queued as the earlier reminder went: it came with the move
    _earlier(inv := case("earlier then reminder sent"), t + DAY)
    _message(inv, t + 2 * DAY, reminder="3d")
    _earlier(inv := case("two earlier reminders"), t + DAY, which="7d")
    _earlier(inv, t + 3 * DAY, which="3d", channel="sms")
    _message(inv := case("reminder sent late, own after it was queued"), t, reminder="7d", sent_late=True)
    _message(inv, t + 2 * minute, status="failed")
    _message(inv := case("own and reminder sent at the same moment"), t)
    _message(inv, t - minute, reminder="7d")  # sent at t, as the own e-mail was queued; the later row holds it
    _message(inv := case("reminder queued at the moment own was"), t)
    _message(inv, t, reminder="3d", status="pending", attempts=0)
    _message(inv := case("3d failed after 7d sent"), t)
    _message(inv, t + DAY, reminder="7d")
    _message(inv, t + 2 * DAY, reminder="3d", status="failed", attempts=12)
    unconfirmed = {"status": "failed", "attempts": 12, "may_have_arrived": True}
    _message(inv := case("reminder not confirmed after own"), t)
    _message(inv, t + DAY, reminder="7d", **unconfirmed)
    _message(case("phone only, reminder not confirmed"), t, reminder="3d", channel="sms", **unconfirmed)
    _message(inv := case("reminder not confirmed, then one sent"), t)
    _message(inv, t + DAY, reminder="7d", **unconfirmed)
    _message(inv, t + 2 * DAY, reminder="3d")
    _message(inv := case("phone only, two not confirmed"), t, reminder="7d", channel="sms", **unconfirmed)
    _message(inv, t + DAY, reminder="3d", channel="sms", **unconfirmed)
    _earlier(inv := case("earlier holds, reminder not confirmed"), t + DAY)
    _message(inv, t + 2 * DAY, reminder="3d", **unconfirmed)
    _message(inv := case("earlier not confirmed"), t)
    _earlier(inv, t + DAY, may_have_arrived=True)
    _message(inv := case("own not confirmed, reminder retrying"), t, status="failed", may_have_arrived=True)
    _message(inv, t + DAY, reminder="7d", status="pending", attempts=2, may_have_arrived=True)

    listed = {row.pk: row for row in selectors.with_email_states(Invitation.objects.filter(kind="intake"))}
    for name, invitation in cases.items():
        link = selectors.live_link(invitation)
        shown = listed[invitation.pk]
        expected = {
            "state": "sent" if link.earlier else (link.message.state if link.message else None),
            "channel": link.earlier.channel if link.earlier else (link.message.channel if link.message else None),
            "reminder": link.which,
            "visit then": link.earlier.appointment_at if link.earlier else None,
            "newer": link.newer.state if link.newer else None,
            "newer reminder": link.newer_which or None,
            "not confirmed": next(
                (
                    {"which": which, "opted_out": message.last_error == "RecipientOptedOut"}
                    for which, message in selectors.unconfirmed_reminders(invitation, link)
                ),
                None,
            ),
        }
        assert {
            "state": shown.invitation_email,
            "channel": shown.link_channel,
            "reminder": shown.link_reminder or "",
            "visit then": shown.link_visit_then,
            "newer": shown.newer_link,
            "newer reminder": shown.newer_link_reminder,
            "not confirmed": shown.unconfirmed_reminder,
        } == expected, name


def _earlier_row(client, invitation) -> str:
    """The invitation page's "Reminders before the visit moved" row as staff read it ("" when there is none)."""
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    found = re.search(r'<dd class="col-sm-8" id="earlier-reminders">(.*?)</dd>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def test_a_reminder_being_sent_when_the_visit_moves_is_shown_as_not_confirmed_on_the_page_and_the_list(
    front_desk, client, settings, time_machine
):
    """The worker had handed the 3-day reminder to the mail server and not yet heard back when the front desk moved
    the visit: the move deleted the reminder with its message, so what the mail server answers is never recorded
    (the attempt finds no row to record it on). The page listed it as "Sent" and the list showed it as the patient's
    link, though nothing says it arrived and its link never took the place of the one the patient holds."""
    from messaging import delivery
    from messaging.tasks import enqueue

    now = timezone.now().replace(second=0, microsecond=0)
    time_machine.move_to(now, tick=False)
    invitation, _ = make_invitation(appointment_at=now + datetime.timedelta(days=2, hours=12), send_email=True)
    first_email = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, sent by the steps below
    assert reminders.send_reminder(invitation.pk, "3d", kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, now=now)
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    about = (message.kind, message.about_id)
    claimed = delivery._claim(message.pk, about, requeue=enqueue, now=now)  # the mail server has it now
    assert not isinstance(claimed, str)
    invitation.refresh_from_db()
    invitations.change_details(
        invitation, appointment_at=now + 10 * DAY, email=invitation.email, language=None, now=now
    )
    client.force_login(front_desk)
    then = timezone.localtime(now + datetime.timedelta(days=2, hours=12))

    def shown() -> tuple[str, str, str]:
        return _earlier_row(client, invitation), _link_row(client, invitation), _list_cell(client, invitation)

    earlier, link_row, list_cell = shown()
    assert earlier == (
        f"The reminder 3 days before the visit then on {dateformat.format(then, 'D M j, g:i A T')}, by email: "
        f"Not confirmed {_shown_time(now)}: may have been delivered; the mail server did not confirm"
    )
    # The patient's link is still the invitation's e-mail, on the page and on the list alike.
    assert link_row == f"Link email: Sent {_shown_time(first_email.sent_at)}"
    assert list_cell == (
        f"Sent Reminder 3 days before the visit then on {dateformat.format(then, 'M j')}: Not confirmed"
    )

    # The attempt's answer comes after the move: it has no row left to record it on, so nothing changes.
    assert delivery._record(claimed.message, about, None, requeue=enqueue, now=now) == "missing"
    assert shown() == (earlier, link_row, list_cell)


def _unconfirmed_row(client, invitation) -> str:
    """The invitation page's "Reminders not confirmed" row as staff read it ("" when there is none)."""
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    found = re.search(r'<dd class="col-sm-8" id="unconfirmed-reminders">(.*?)</dd>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def test_a_failed_reminder_that_may_have_arrived_shows_on_the_page_and_the_list_beside_the_patients_link(
    front_desk, client, settings, time_machine, mailoutbox
):
    """The mail server took the 7-day reminder and its answer never came; every later attempt failed. The patient
    may hold it (its link opens beside theirs), yet the page and the list showed only the invitation's e-mail, as
    if no reminder had gone: staff learned of it only once a move of the visit recorded it."""
    from messaging import services as messages

    visit = timezone.now().replace(second=0, microsecond=0) + 10 * DAY
    time_machine.move_to(visit - 10 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    first_email = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # sent by the steps below
    time_machine.move_to(visit - 7 * DAY, tick=False)
    assert reminders.send_pre_visit_reminders(now=timezone.now()) == 1
    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.TakenThenNoAnswerBackend"
    assert messages.send(reminder.pk) == "retry"
    handed_over = timezone.now()
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 2
    time_machine.move_to(visit - 7 * DAY + datetime.timedelta(minutes=5), tick=False)
    assert messages.send(reminder.pk) == "failed"
    assert len(mailoutbox) == 2  # the invitation's e-mail, and the reminder: it did arrive
    client.force_login(front_desk)

    assert _unconfirmed_row(client, invitation) == (
        f"The reminder 7 days before, by email: Not confirmed {_shown_time(handed_over)}: may have been delivered; "
        "the mail server did not confirm"
    )
    assert _list_cell(client, invitation) == "Sent Reminder 7 days before: Not confirmed"
    # Not a link the patient is known to hold: theirs is still the invitation's e-mail.
    assert _link_row(client, invitation) == f"Link email: Sent {_shown_time(first_email.sent_at)}"
    assert selectors.live_link(invitation).message == first_email


def _reminder_text_refused_after_stop(settings, time_machine) -> Invitation:
    """An invitation whose 7-day reminder text timed out after the provider took it (it may have arrived), then was
    refused because the patient replied STOP (RecipientOptedOut)."""
    from messaging import services as messages

    visit = timezone.now().replace(second=0, microsecond=0) + 10 * DAY
    time_machine.move_to(visit - 10 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    time_machine.move_to(visit - 7 * DAY, tick=False)
    assert reminders.send_pre_visit_reminders(now=timezone.now()) == 1
    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.TakenThenNoAnswerBackend"
    assert messages.send(reminder.pk) == "retry"
    OutboundMessage.objects.filter(pk=reminder.pk).update(
        status=OutboundMessage.Status.FAILED, channel="sms", last_error="RecipientOptedOut"
    )
    return invitation


def test_a_reminder_text_refused_after_stop_says_so_on_the_not_confirmed_row(
    front_desk, client, settings, time_machine, mailoutbox
):
    """The reminder's text timed out after the provider took it, the patient replied STOP, and the retry was refused
    (RecipientOptedOut). The "Reminders not confirmed" row said only "may have been delivered": staff must read that
    no text goes to this number again and that they should call the patient (as the link row says, 889855a)."""
    invitation = _reminder_text_refused_after_stop(settings, time_machine)
    client.force_login(front_desk)

    row = _unconfirmed_row(client, invitation)
    assert "may have been delivered" in row  # its first try: the patient may hold its link
    assert "asked for no text messages" in row
    assert "call the patient" in row.lower()


def test_a_reminder_text_refused_after_stop_says_so_on_the_list_as_on_the_page(
    front_desk, client, settings, time_machine, mailoutbox
):
    """The reminder's text timed out after the provider took it, the patient replied STOP, and the retry was refused
    (RecipientOptedOut). The invitation's page says to call the patient; the list said only "Reminder 7 days before:
    Not confirmed", so staff working from the list never learned that no text goes to this number again."""
    invitation = _reminder_text_refused_after_stop(settings, time_machine)
    client.force_login(front_desk)

    cell = _list_cell(client, invitation)
    assert cell.startswith("Sent Reminder 7 days before: Not confirmed")
    assert cell.endswith("; then refused: replied STOP. Call the patient.")


def test_the_list_reads_a_not_confirmed_reminder_once_for_its_row_and_its_stop_words(
    front_desk, client, settings, time_machine, mailoutbox
):
    """The list's query looked the not-confirmed reminder up twice for each invitation listed: once for the row
    ("Reminder 7 days before: Not confirmed"), once more, the same subquery, for its "then refused: replied STOP"
    words. One lookup gives both; the cell reads as before."""
    invitation = _reminder_text_refused_after_stop(settings, time_machine)
    client.force_login(front_desk)

    with CaptureQueriesContext(connection) as captured:
        cell = _list_cell(client, invitation)
    assert cell.startswith("Sent Reminder 7 days before: Not confirmed")
    assert cell.endswith("; then refused: replied STOP. Call the patient.")
    listing = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and '"messaging_outboundmessage"' in query["sql"]
    ]
    assert len(listing) == 1  # the invitations, with their messages' states in subqueries
    # The not-confirmed reminder's subquery is the one that picks a message by its state "unconfirmed".
    assert listing[0].count("= 'unconfirmed'") == 1
