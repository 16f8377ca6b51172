"""Staff's e-mail of a new link counts as the pre-visit reminders already due (one a minute after it would end the
link staff just sent), but only if it reaches the patient. One that fails for good (the address refused, the mail
server down for hours) ended the patient's link all the same: counted as those reminders, it left the patient with
no link that opens until the next reminder, perhaps after the visit."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.models import Invitation
from intake.services import follow_ups
from intake.services.invitations import email_new_link
from messaging import services as messages
from messaging.models import OutboundMessage
from tests.intake.conftest import Patient as PatientBrowser
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

VISIT = datetime.datetime(2027, 3, 1, 14, 30, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
LINK = re.compile(r"/intake/start/([^/\s]+)/")


def opens(token: str) -> bool:
    response = PatientBrowser(Client(), token).open_link()
    return response.status_code == 302 and response["Location"].endswith("/intake/confirm/")


def token_in(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found is not None
    return found.group(1)


def reminders_queued() -> int:
    return follow_ups.send_due_messages()["pre_visit_reminders"]


@pytest.fixture
def staff_email_queued(settings, time_machine) -> tuple[Invitation, OutboundMessage]:
    """Locked out by wrong birth dates before the 7-day reminder (none goes to a locked link), the patient calls; six
    days before the visit staff e-mail a new link, queued for the worker (not sent yet)."""
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    invitation, _ = make_invitation(appointment_at=VISIT, send_email=True)
    time_machine.move_to(VISIT - 8 * DAY, tick=False)
    Invitation.objects.filter(pk=invitation.pk).update(locked_at=timezone.now())
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    assert reminders_queued() == 0  # locked
    time_machine.move_to(VISIT - 6 * DAY, tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not sent at once
    invitation.refresh_from_db()
    email_new_link(invitation, email="pat@example.org", appointment_at=VISIT, now=timezone.now())
    mail.outbox.clear()
    staff_email = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.INVITATION).latest("created_at")
    assert staff_email.status == OutboundMessage.Status.PENDING
    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=1), tick=False)
    assert reminders_queued() == 0  # staff's link is on its way: the missed 7-day reminder would end it
    return invitation, staff_email


def refused_for_good(settings, message: OutboundMessage) -> None:
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.RefusingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 1
    assert messages.send(message.pk) == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_staffs_email_that_fails_for_good_lets_the_reminder_due_go_with_a_link_that_opens(
    staff_email_queued, settings, time_machine
):
    _invitation, staff_email = staff_email_queued
    refused_for_good(settings, staff_email)

    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=10), tick=False)
    assert reminders_queued() == 1  # the 7-day reminder, missed while locked, goes now
    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert messages.send(reminder.pk) == "sent"
    [reminder_email] = mail.outbox
    assert reminder_email.to == ["pat@example.org"]
    assert opens(token_in(reminder_email))
    assert reminders_queued() == 0  # once
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    assert reminders_queued() == 1  # and the 3-day one in its time


def test_staffs_email_that_is_sent_still_counts_as_the_reminder_due(staff_email_queued, time_machine):
    _invitation, staff_email = staff_email_queued
    assert messages.send(staff_email.pk) == "sent"
    [staff_link_email] = mail.outbox

    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=10), tick=False)
    assert reminders_queued() == 0  # no reminder on its heels to end the link just sent
    assert opens(token_in(staff_link_email))
    time_machine.move_to(VISIT - 3 * DAY, tick=False)
    assert reminders_queued() == 1


def test_staffs_email_retried_still_counts_as_the_reminder_due_until_it_fails_for_good(
    staff_email_queued, settings, time_machine
):
    _invitation, staff_email = staff_email_queued
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 3
    assert messages.send(staff_email.pk) == "retry"
    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=10), tick=False)
    assert reminders_queued() == 0  # still being tried: it may yet arrive


def link_row(client: Client, invitation: Invitation) -> str:
    """The invitation page's "Link email" row as staff read it: its heading, then its text."""
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    found = re.search(
        r'<dt class="col-sm-4">([^<]*)</dt>\s*<dd class="col-sm-8" id="invitation-email-state">(.*?)</dd>', page, re.S
    )
    assert found is not None
    return found.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


def test_the_invitation_page_says_the_patient_has_no_link_until_the_reminder_after_staffs_failed_email_is_sent(
    staff_email_queued, settings, time_machine, client, front_desk
):
    invitation, staff_email = staff_email_queued
    refused_for_good(settings, staff_email)
    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=10), tick=False)
    assert reminders_queued() == 1
    client.force_login(front_desk)

    row = link_row(client, invitation)
    assert row.startswith("Link email: Failed")
    assert "A new link is on its way in the reminder 7 days before: Queued" in row
    assert "the patient's link is the one above" not in row  # it never reached them
    assert "until it is sent, the patient has no link that opens" in row

    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    assert messages.send(reminder.pk) == "sent"
    row = link_row(client, invitation)
    assert row.startswith("Link email (in the reminder 7 days before): Sent")
    assert "on its way" not in row


def test_a_short_notice_booking_whose_new_link_fails_for_good_still_gets_the_reminder_due(settings, time_machine):
    """Booked three and a half days before the visit, its link e-mailed then: the 3-day reminder is not sent to a link
    less than a day old. Two days before, staff e-mail a new link (the first e-mail was lost), and the mail server
    refuses it. The patient's link ended all the same, and the reminder row staff's e-mail covered was let go; but
    the dispatcher still read the first e-mail as the patient's link, a day too young for a reminder, and sent none:
    no link that opened until the visit."""
    time_machine.move_to(VISIT - 3 * DAY - 12 * datetime.timedelta(hours=1), tick=False)
    invitation, _ = make_invitation(appointment_at=VISIT, send_email=True)
    [first] = mail.outbox
    time_machine.move_to(VISIT - 3 * DAY + datetime.timedelta(hours=1), tick=False)
    assert reminders_queued() == 0  # the link is less than a day old
    time_machine.move_to(VISIT - 2 * DAY, tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not sent at once
    invitation.refresh_from_db()
    email_new_link(invitation, email="pat@example.org", appointment_at=VISIT, now=timezone.now())
    staff_email = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.INVITATION).latest("created_at")
    refused_for_good(settings, staff_email)
    assert not opens(token_in(first))

    time_machine.move_to(VISIT - 2 * DAY + datetime.timedelta(minutes=10), tick=False)
    assert reminders_queued() == 1
    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    mail.outbox.clear()
    assert messages.send(reminder.pk) == "sent"
    [reminder_email] = mail.outbox
    assert opens(token_in(reminder_email))
    assert reminders_queued() == 0  # once


def list_cell(client: Client, invitation: Invitation) -> str:
    """The invitation list's Email column for this invitation, as staff read it."""
    page = client.get("/staff/invitations/").content.decode()
    row = next(row for row in page.split('<tr role="row">') if f"/staff/invitations/{invitation.pk}/" in row)
    return " ".join(re.sub(r"<[^>]+>", " ", row.split('data-label="Email">')[1].split("</td>")[0]).split())


def test_staffs_email_that_may_have_arrived_is_not_shown_as_not_delivered_and_its_link_opens_as_the_page_says(
    staff_email_queued, settings, time_machine, client, front_desk
):
    """The mail server took staff's e-mail of a new link and its answer never came; the retries then failed. The page
    said "Failed: not delivered ... email a new link", and that the patient had no link that opened, while the patient
    may hold that e-mail, whose link is the invitation's and opens the form: a new link would end it."""
    invitation, staff_email = staff_email_queued
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.TakenThenNoAnswerBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 2
    assert messages.send(staff_email.pk) == "retry"
    [arrived] = mail.outbox
    client.force_login(front_desk)
    row = link_row(client, invitation)
    assert row.startswith("Link email: Retrying the mail server may have taken it but did not confirm (1 try)"), row
    assert "has not taken it" not in row

    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    assert messages.send(staff_email.pk) == "failed"
    row = link_row(client, invitation)
    assert row.startswith(
        "Link email: Not confirmed may have been delivered; the mail server did not confirm (2 tries)."
    ), row
    assert "not delivered" not in row
    assert "If it was, its link opens the form: ask the patient before emailing a new link" in row
    assert opens(token_in(arrived))  # as the page says
    assert list_cell(client, invitation) == "Not confirmed"

    # The 7-day reminder it counted as sent goes after all (uncover_reminders): until it is sent, the link in staff's
    # e-mail still opens, and then it ends, as the page says.
    time_machine.move_to(VISIT - 6 * DAY + datetime.timedelta(minutes=10), tick=False)
    assert reminders_queued() == 1
    row = link_row(client, invitation)
    assert "no link that opens" not in row
    assert "the one above may have reached the patient: if it did, its link opens until this one is sent" in row
    assert "If it was, its link opens the form until the new link below is sent" in row
    assert opens(token_in(arrived))
    reminder = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages.send(reminder.pk) == "sent"
    assert not opens(token_in(arrived))
