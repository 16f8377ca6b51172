"""A reminder's new link replaces the patient's link only once the reminder has gone out. Until then both open the
form; a reminder that never goes (the mail server down all night, the address refused) leaves the patient the link
they have. Staff's own new link still ends every earlier one at once (a link lost, or seen by someone else)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import dateformat, timezone

from intake import selectors, services, tokens
from intake.models import Invitation
from intake.services import reminders
from intake.services.invitations import email_new_link
from messaging import services as messages
from messaging.models import OutboundMessage
from tests.intake.conftest import Patient as PatientBrowser
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

VISIT = datetime.datetime(2027, 3, 1, 14, 30, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
NEWER_LINK_NOTE = "Open it again from the newest message the clinic sent you."


def opens(token: str) -> bool:
    response = PatientBrowser(Client(), token).open_link()
    return response.status_code == 302 and response["Location"].endswith("/intake/confirm/")


def refused(token: str) -> bool:
    response = PatientBrowser(Client(), token).open_link()
    return response.status_code == 404 and NEWER_LINK_NOTE in response.content.decode()


@pytest.fixture
def reminder_queued(settings, time_machine) -> tuple[Invitation, str, OutboundMessage]:
    """An invitation e-mailed ten days before the visit (its link, as the patient has it), and its 7-day reminder
    queued, not sent yet (the worker has not got to it, or the mail server is down)."""
    time_machine.move_to(VISIT - 10 * DAY, tick=False)
    invitation, old = make_invitation(appointment_at=VISIT)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not sent at once
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    assert reminders.send_pre_visit_reminders(now=VISIT - 7 * DAY) == 1
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    return invitation, old, message


def reminder_link(message: OutboundMessage) -> str:
    return tokens.unseal(message.sealed_token)


def test_the_link_the_patient_has_keeps_working_while_the_reminder_waits_to_go(reminder_queued):
    _invitation, old, message = reminder_queued
    new = reminder_link(message)
    assert opens(old)
    assert opens(new)


def test_once_the_reminder_is_sent_its_link_opens_and_the_earlier_one_says_a_newer_link_was_sent(
    reminder_queued, mailoutbox
):
    _invitation, old, message = reminder_queued
    new = reminder_link(message)
    assert messages.send(message.pk) == "sent"
    assert new in mailoutbox[0].body
    assert opens(new)
    assert refused(old)


def test_a_reminder_that_fails_for_good_leaves_the_patient_their_working_link(reminder_queued, settings, mailoutbox):
    _invitation, old, message = reminder_queued
    new = reminder_link(message)
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"  # the mail server down all night
    settings.MESSAGE_MAX_ATTEMPTS = 2
    messages.send(message.pk)
    assert messages.send(message.pk) == "failed"
    assert mailoutbox == []
    assert opens(old)
    assert refused(new)  # never delivered: it is dropped


def test_a_reminder_refused_by_the_mail_server_leaves_the_patient_their_working_link(reminder_queued, settings):
    _invitation, old, message = reminder_queued
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.RefusingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 1
    assert messages.send(message.pk) == "failed"
    assert opens(old)


def test_a_reminder_the_mail_server_took_without_saying_so_keeps_its_link_beside_the_patients(
    reminder_queued, settings, mailoutbox
):
    """The mail server took the reminder, but its answer never came (a timeout): the worker counted a failure, then
    the server went down for the retries and the message ended failed. Its link was dropped, so the reminder the
    patient did get held a link that opened nothing (and said their earlier one no longer worked)."""
    _invitation, old, message = reminder_queued
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.TakenThenNoAnswerBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 2
    assert messages.send(message.pk) == "retry"
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    assert messages.send(message.pk) == "failed"
    [arrived] = mailoutbox
    assert opens(arrived.body.split("/intake/start/")[1].split("/")[0])
    assert opens(old)


def test_staffs_new_link_ends_both_earlier_links_at_once_and_the_reminder_is_not_sent(
    reminder_queued, settings, mailoutbox
):
    invitation, old, message = reminder_queued
    new = reminder_link(message)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    email_new_link(invitation, email="pat@example.org", appointment_at=VISIT, now=VISIT - 7 * DAY)
    [staff_email] = mailoutbox
    assert refused(old)
    assert refused(new)
    assert messages.send(message.pk) == "cancelled"  # its link no longer works: not sent, and it replaces nothing
    assert len(mailoutbox) == 1
    assert "/intake/start/" in staff_email.body
    staff_link = staff_email.body.split("/intake/start/")[1].split("/")[0]
    assert opens(staff_link)
    assert refused(old)
    assert refused(new)


def test_wrong_birth_dates_on_either_link_count_together_and_lock_both(reminder_queued):
    """Two links are no second set of tries for someone guessing the birth date."""
    _invitation, old, message = reminder_queued
    new = reminder_link(message)
    for token in (old, new, old, new, old):
        browser = PatientBrowser(Client(), token)
        browser.open_link()
        browser.confirm("1901-01-01")
    assert not opens(old)
    assert not opens(new)
    assert Invitation.objects.get().locked_at is not None


def test_a_cancelled_visit_refuses_both_links_and_booked_again_the_patients_own_opens(reminder_queued):
    from intake.services.cancellation import cancel_visit
    from intake.services.invitations import change_details

    invitation, old, message = reminder_queued
    new = reminder_link(message)
    cancel_visit(invitation, now=VISIT - 7 * DAY)
    assert refused(old)
    assert refused(new)
    assert messages.send(message.pk) == "cancelled"  # not needed any more: its link is dropped
    change_details(invitation, appointment_at=VISIT, email="", language=None, now=VISIT - 7 * DAY)
    assert opens(old)
    assert refused(new)


def test_a_sent_form_refuses_both_links(reminder_queued):
    invitation, old, message = reminder_queued
    new = reminder_link(message)
    intake = services.start_intake(invitation)
    intake.status = "submitted"
    intake.save(update_fields=["status"])
    assert refused(old)
    assert refused(new)


def test_a_reminder_dropped_because_the_visit_moved_takes_its_unsent_link_with_it(reminder_queued):
    """Moved two weeks on, the 7-day reminder is for a date not come yet: its row and its unsent message go. Its
    link, never sent, stopped nothing and must open nothing: it opened the form until the next reminder or staff's
    new link (review of the stop-37 commits)."""
    from intake.services.invitations import change_details

    invitation, old, message = reminder_queued
    new = reminder_link(message)
    change_details(invitation, appointment_at=VISIT + 14 * DAY, email="", language=None, now=VISIT - 7 * DAY)
    assert not OutboundMessage.objects.filter(pk=message.pk).exists()  # never sent
    assert opens(old)
    assert refused(new)


def test_a_reminder_that_may_have_arrived_keeps_its_link_when_the_visit_moves_and_takes_it_away(
    reminder_queued, settings, mailoutbox
):
    """As `test_a_reminder_dropped_because_the_visit_moved_takes_its_unsent_link_with_it`, but the mail server took
    the reminder and its answer never came, and it waits for its retry: the patient may hold its link."""
    from intake.services.invitations import change_details

    invitation, old, message = reminder_queued
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.TakenThenNoAnswerBackend"
    assert messages.send(message.pk) == "retry"
    [arrived] = mailoutbox
    change_details(invitation, appointment_at=VISIT + 14 * DAY, email="", language=None, now=VISIT - 7 * DAY)
    assert opens(arrived.body.split("/intake/start/")[1].split("/")[0])
    assert opens(old)


def test_a_reminder_whose_link_no_longer_unseals_fails_once_and_for_all(reminder_queued, settings):
    """A SECRET_KEY changed while a reminder waits: its sealed link reads as nonsense. It failed for good, as any
    message does, until the link's hook raised on the same nonsense as the message was marked failed: the marking
    was undone, and the sweeper sent the message back to the worker for ever."""
    _invitation, _old, message = reminder_queued
    settings.SECRET_KEY = "a-new-secret-key-" + "k" * 40
    settings.MESSAGE_MAX_ATTEMPTS = 1
    assert messages.send(message.pk) == "failed"
    assert OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.FAILED


def _earlier_reminders(client: Client, invitation: Invitation) -> str:
    """The invitation page's "Reminders before the visit moved" row as staff read it ("" when there is none)."""
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    found = re.search(r'<dd class="col-sm-8" id="earlier-reminders">(.*?)</dd>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


@pytest.mark.parametrize("then", ["failed for good", "waiting for its retry"])
def test_a_reminder_that_may_have_arrived_stays_on_the_invitation_page_when_the_visit_moves(
    reminder_queued, settings, mailoutbox, time_machine, client, front_desk, then
):
    """The mail server took the 7-day reminder and its answer never came; the move deleted the reminder with its
    message and left no trace of it on the page, though the patient may hold that e-mail (and its link, which still
    opens: `test_a_reminder_that_may_have_arrived_keeps_its_link_when_the_visit_moves_and_takes_it_away`)."""
    from intake.services.invitations import change_details

    invitation, _old, message = reminder_queued
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.TakenThenNoAnswerBackend"
    assert messages.send(message.pk) == "retry"
    handed_over = timezone.now()
    if then == "failed for good":
        settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
        settings.MESSAGE_MAX_ATTEMPTS = 2
        time_machine.move_to(VISIT - 7 * DAY + datetime.timedelta(minutes=5), tick=False)
        assert messages.send(message.pk) == "failed"
    assert len(mailoutbox) == 1  # it did arrive
    time_machine.move_to(VISIT - 6 * DAY, tick=False)
    change_details(invitation, appointment_at=VISIT + 14 * DAY, email="", language=None, now=timezone.now())
    assert not OutboundMessage.objects.filter(pk=message.pk).exists()

    client.force_login(front_desk)
    shown = _earlier_reminders(client, invitation)
    when = dateformat.format(timezone.localtime(handed_over), "M j, g:i A T")
    assert shown.startswith("The reminder 7 days before the visit then on"), shown
    assert f"by email: Not confirmed {when}: may have been delivered; the mail server did not confirm" in shown
    assert "Sent" not in shown
    # Its link never took the place of the patient's: the link row stays on the invitation's own e-mail.
    assert selectors.live_link(invitation).earlier is None
    listed = selectors.with_email_states(Invitation.objects.filter(pk=invitation.pk)).get()
    assert not listed.link_reminder
    # The list shows it too, beside the link, as not confirmed.
    assert (listed.unconfirmed_earlier, listed.unconfirmed_earlier_then) == ("7d", VISIT)
