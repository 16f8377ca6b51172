"""Follow-ups go out on the clinic's schedule (issue 12): rows for every sent pre-visit intake, each one's private
link sent once when it falls due (by e-mail, or by text to a patient with only a phone), through the dispatcher that
cron and the task worker run."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import FollowUp, Intake, Invitation, Patient, Questionnaire, Reminder
from intake.references import reference_for
from intake.rules.schedule import ScheduleError, TimePoint, parse_reminder_days, parse_schedule
from intake.services import follow_ups
from intake.tasks import send_due_messages as dispatcher_task
from messaging import sms
from messaging.models import OutboundMessage
from tests.intake.conftest import Patient as PatientBrowser
from tests.intake.factories import make_invitation, routine_answers

ROOT = Path(__file__).resolve().parents[2]
VISIT = datetime.datetime(2027, 3, 1, 14, 30, tzinfo=datetime.UTC)
LINK = re.compile(r"/intake/start/([^/\s]+)/")


# --- the schedule, as the clinic writes it -------------------------------------------------------------------


def test_the_default_schedule_is_six_weeks_three_months_and_a_year():
    assert parse_schedule("6w:42,3m:91,12m:365") == (
        TimePoint("6w", 42, "6 weeks"),
        TimePoint("3m", 91, "3 months"),
        TimePoint("12m", 365, "12 months"),
    )
    assert parse_schedule(" 1y:365 , 2w:14 ") == (TimePoint("2w", 14, "2 weeks"), TimePoint("1y", 365, "1 year"))
    assert parse_schedule("") == ()
    assert parse_reminder_days(["3", "7"]) == (7, 3)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("6w", "code:days"),
        ("six:42", "number and a unit"),
        ("6w:0", "whole number"),
        ("6w:-3", "whole number"),
        ("6w:forty", "whole number"),
        ("6w:42,6w:43", "once"),
        ("6w:42,1m:42", "same day"),
        ("123456789d:5", "number and a unit"),
    ],
)
def test_a_schedule_the_portal_cannot_use_is_refused_with_a_reason(text, complaint):
    with pytest.raises(ScheduleError, match="FOLLOW_UP_SCHEDULE") as raised:
        parse_schedule(text)
    assert complaint in str(raised.value)


def test_a_bad_schedule_or_reminder_setting_stops_start_up():
    for name, value in [("FOLLOW_UP_SCHEDULE", "6 weeks"), ("PRE_VISIT_REMINDER_DAYS", "7,soon")]:
        env = {**os.environ, "DEBUG": "1", name: value}
        result = subprocess.run(
            [sys.executable, "-c", "import clinic_portal.settings"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert name in result.stderr


def test_a_follow_up_schedule_set_to_nothing_sends_no_follow_ups():
    """`FOLLOW_UP_SCHEDULE=` is how a clinic turns follow-ups off (an empty schedule, `parse_schedule`): a blank
    setting must not be read as unset (`env_str`), which would give the default three follow-ups instead."""
    env = {**os.environ, "DEBUG": "1", "FOLLOW_UP_SCHEDULE": ""}
    code = (
        "import clinic_portal.settings as s, intake.rules.schedule as r; print(r.parse_schedule(s.FOLLOW_UP_SCHEDULE))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "()"


# --- rows and sending ----------------------------------------------------------------------------------------


def sent_visit(*, email: str = "pat@example.org", name: str = "Pat Example") -> Intake:
    intake = services.create_submitted_intake_for_demo(
        answers=routine_answers(), email=email, patient_name=name, appointment_at=VISIT
    )
    mail.outbox.clear()
    return intake


@pytest.mark.django_db
def test_a_sent_intake_gets_its_follow_ups_at_the_schedule_and_an_unfinished_one_none():
    visit = sent_visit()
    unfinished_invitation, _ = make_invitation(appointment_at=VISIT, name="Sam Later", email="sam@example.org")
    unfinished = services.start_intake(unfinished_invitation)

    follow_ups.send_due_messages(now=VISIT)
    follow_ups.send_due_messages(now=VISIT)

    rows = list(FollowUp.objects.values_list("visit_id", "patient_id", "time_point", "due_at"))
    assert rows == [
        (visit.pk, visit.patient_id, "6w", follow_ups.days_after(VISIT, 42)),
        (visit.pk, visit.patient_id, "3m", follow_ups.days_after(VISIT, 91)),
        (visit.pk, visit.patient_id, "12m", follow_ups.days_after(VISIT, 365)),
    ]
    # 9:30 in New York on each day, though the clocks went forward in between (days of 24 hours made it 10:30)
    assert {timezone.localtime(row[3]).time() for row in rows} == {datetime.time(9, 30)}
    assert not FollowUp.objects.filter(visit=unfinished).exists()
    assert not Invitation.objects.filter(kind=Questionnaire.FOLLOW_UP).exists()  # none due yet
    assert mail.outbox == []


@pytest.mark.django_db
def test_follow_ups_not_sent_yet_move_with_the_visit(time_machine):
    """The visit moved two months on after the answers were sent: the 6-week follow-up went out before it."""
    visit = sent_visit()
    follow_ups.send_due_messages(now=VISIT)
    FollowUp.objects.filter(visit=visit, time_point="12m").update(cancelled_at=VISIT)
    time_machine.move_to(VISIT - datetime.timedelta(days=2))
    later = VISIT + datetime.timedelta(days=60)
    services.renew_link(visit.invitation, send_email=False, appointment_at=later)
    due = dict(FollowUp.objects.filter(visit=visit).values_list("time_point", "due_at"))
    assert due["6w"] == later + datetime.timedelta(days=42)
    assert due["3m"] == later + datetime.timedelta(days=91)
    assert due["12m"] == VISIT + datetime.timedelta(days=365)  # cancelled: left as it was
    assert follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=43)) is not None
    assert not FollowUp.objects.filter(visit=visit, sent_at__isnull=False).exists()


@pytest.mark.django_db
def test_an_address_and_language_corrected_with_a_new_link_are_the_ones_follow_ups_use(time_machine):
    """The front desk typed the address wrong, then corrected it after the form was sent, in Spanish: the follow-up
    went to the wrong address in English, as it copies the patient record, which kept both (the stop-30 audit). A new
    link is refused after sending (it would open nothing): the correction is saved without sending."""
    from intake.services.invitations import change_details

    visit = sent_visit(email="pat@exmaple.org")
    time_machine.move_to(VISIT - datetime.timedelta(days=2), tick=False)
    change_details(visit.invitation, email="pat@example.org", appointment_at=VISIT, now=timezone.now(), language="es")
    assert Patient.objects.filter(pk=visit.patient_id).values_list("email", "language").get() == (
        "pat@example.org",
        "es",
    )
    mail.outbox.clear()
    six_weeks = VISIT + datetime.timedelta(days=42, hours=1)
    time_machine.move_to(six_weeks, tick=False)
    assert follow_ups.send_due_messages()["follow_ups"] == 1
    invitation = Invitation.objects.get(kind=Questionnaire.FOLLOW_UP)
    assert (invitation.email, invitation.language) == ("pat@example.org", "es")
    assert [message.to for message in mail.outbox] == [["pat@example.org"]]


@pytest.mark.django_db
def test_a_follow_up_is_sent_once_when_due_with_its_own_link_and_the_birth_date_check(time_machine, client: Client):
    visit = sent_visit()
    follow_ups.send_due_messages(now=VISIT)
    six_weeks = VISIT + datetime.timedelta(days=42, hours=1)
    time_machine.move_to(six_weeks, tick=False)

    first = follow_ups.send_due_messages()
    second = follow_ups.send_due_messages()  # the next cron run, or a second dispatcher
    dispatcher_task.enqueue()  # and the task: nothing more to do

    assert first["follow_ups"] == 1
    assert second["follow_ups"] == 0
    invitation = Invitation.objects.get(kind=Questionnaire.FOLLOW_UP)
    assert (invitation.patient_id, invitation.date_of_birth, invitation.email, invitation.appointment_at) == (
        visit.patient_id,
        visit.invitation.date_of_birth,
        "pat@example.org",
        VISIT,
    )
    assert timezone.localtime(invitation.expires_at).date() == timezone.localtime(
        six_weeks
    ).date() + datetime.timedelta(days=follow_ups.LINK_DAYS + 1)
    follow_up = FollowUp.objects.get(time_point="6w")
    assert (follow_up.invitation, follow_up.sent_at) == (invitation, six_weeks)
    assert FollowUp.objects.filter(sent_at__isnull=True).count() == 2  # 3 and 12 months wait their turn
    assert OutboundMessage.objects.filter(kind="follow_up").count() == 1
    assert [message.to for message in mail.outbox] == [["pat@example.org"]]
    assert follow_ups.send_follow_up(follow_up.pk, now=six_weeks) is False  # already claimed

    found = LINK.search(str(mail.outbox[0].body))
    assert found is not None
    token = found.group(1)
    patient = PatientBrowser(client, token)
    assert patient.open_link()["Location"].endswith("/intake/confirm/")
    assert patient.confirm("1999-01-01").status_code == 200  # the wrong birth date opens nothing
    assert not Intake.objects.filter(invitation=invitation).exists()
    patient.sign_in()
    assert Intake.objects.get(invitation=invitation).kind == Questionnaire.FOLLOW_UP


@pytest.mark.django_db
def test_the_dispatcher_command_runs_everything_due(time_machine):
    sent_visit()
    time_machine.move_to(VISIT + datetime.timedelta(days=43), tick=False)
    call_command("send_due_messages", verbosity=0)
    assert FollowUp.objects.filter(sent_at__isnull=False).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_patient_with_only_a_phone_gets_a_text_and_one_with_neither_gets_nothing(settings, monkeypatch):
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    settings.SITE_URL = "https://portal.clinic.example"
    monkeypatch.setattr(sms, "outbox", [])
    by_phone = sent_visit(email="", name="Tex Phone")
    Patient.objects.filter(pk=by_phone.patient_id).update(phone="+15550100123")
    unreachable = sent_visit(email="", name="No Contact")
    # A record with no number (an intake sent before the form asked for one): the form's own number is cleared.
    Patient.objects.filter(pk=unreachable.patient_id).update(phone="")
    follow_ups.send_due_messages(now=VISIT)

    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=42))

    assert [text.to for text in sms.outbox] == ["+15550100123"]
    assert "https://portal.clinic.example/intake/start/" in sms.outbox[0].body
    assert "Tex" not in sms.outbox[0].body
    cancelled = FollowUp.objects.get(visit=unreachable, time_point="6w")
    assert cancelled.cancelled_at is not None
    assert cancelled.invitation is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_follow_up_long_past_its_date_is_not_sent_at_all():
    """Intakes from before follow-ups existed, or a dispatcher down for weeks: no backlog lands at once."""
    sent_visit()
    follow_ups.send_due_messages(now=VISIT)
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=100))
    assert [(row.time_point, row.sent_at, row.cancelled_at is None) for row in FollowUp.objects.all()] == [
        ("6w", None, False),
        ("3m", VISIT + datetime.timedelta(days=100), True),
        ("12m", None, True),
    ]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_confirmation_email_gives_the_appointment_with_its_zone_and_the_reference():
    intake = services.create_submitted_intake_for_demo(
        answers=routine_answers(), email="pat@example.org", appointment_at=VISIT
    )
    body = str(mail.outbox[-1].body)
    assert "Your appointment: Monday, March 1, 2027 at 9:30 AM (Eastern Time)" in body
    assert f"Your reference: {reference_for(intake.pk)}" in body


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_the_same_moment_send_one_follow_up_and_one_reminder():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL: run with DATABASE_URL=postgres://...")
    sent_visit()
    waiting, _ = make_invitation(appointment_at=VISIT + datetime.timedelta(days=49), email="sam@example.org")
    Invitation.objects.filter(pk=waiting.pk).update(created_at=VISIT)
    follow_ups.send_due_messages(now=VISIT)
    due = VISIT + datetime.timedelta(days=42)
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def dispatcher() -> None:
        try:
            start.wait(timeout=30)
            results.append(follow_ups.send_due_messages(now=due))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(result["follow_ups"] for result in results) == [0, 1]
    assert sorted(result["pre_visit_reminders"] for result in results) == [0, 1]
    assert Invitation.objects.filter(kind=Questionnaire.FOLLOW_UP).count() == 1
    assert Reminder.objects.count() == 1
    assert OutboundMessage.objects.filter(kind__in=["follow_up", "pre_visit_reminder"]).count() == 2


def test_the_dispatcher_kept_running_with_every_outlives_a_database_error(monkeypatch, caplog):
    """`send_due_messages --every 60` (as `make run` starts it): a run that fails is logged, by the error's class only
    (its text can quote a row), and the next tick runs on a fresh connection: a database restart left it failing on
    the dead one until someone restarted it (the stop-30 audit)."""
    from django.db import DatabaseError

    from intake.management.commands import send_due_messages as command

    events: list[str] = []

    def flaky() -> dict[str, int]:
        events.append("run")
        if events.count("run") == 1:
            raise DatabaseError('DETAIL:  Key (email)=(zq.due@example.org) already exists; "Zqmarker Patient"')
        return {"scheduled": 0, "follow_ups": 1, "follow_up_reminders": 0, "pre_visit_reminders": 0}

    class Stop(BaseException):  # the loop stopped from outside, as Ctrl-C or the process manager stops it
        pass

    def sleep(seconds: float) -> None:
        events.append(f"sleep {seconds:g}")
        if events.count("run") == 2:
            raise Stop

    monkeypatch.setattr(command, "send_due_messages", flaky)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=sleep))  # not the time module: other threads sleep too
    monkeypatch.setattr(command, "close_old_connections", lambda: events.append("fresh connection"))
    out = io.StringIO()
    with pytest.raises(Stop):
        call_command("send_due_messages", "--every", "60", stdout=out)
    assert events == ["run", "sleep 60", "fresh connection", "run", "sleep 60"]
    assert "could not run (DatabaseError)" in caplog.text
    assert "Zqmarker" not in caplog.text
    assert "zq.due@example.org" not in caplog.text
    assert "follow ups 1" in out.getvalue()


@pytest.mark.django_db
def test_staff_send_a_locked_follow_up_a_new_link_that_keeps_its_last_day(time_machine, client: Client, front_desk):
    """Locked by wrong birth dates: the patient's page and the lockout e-mail said to make a new link, the page had no
    way to, and reminders skip a locked link (the stop-29 audit)."""
    from django.utils import timezone as tz

    sent_visit()
    time_machine.move_to(VISIT + datetime.timedelta(days=43))
    follow_ups.send_due_messages(now=tz.now())
    invitation = Invitation.objects.get(kind=Questionnaire.FOLLOW_UP)
    last_day = invitation.expires_at
    Invitation.objects.filter(pk=invitation.pk).update(locked_at=tz.now(), failed_attempts=5)
    mail.outbox.clear()

    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "Send a new follow-up link" in page
    response = client.post(f"/staff/invitations/{invitation.pk}/new-follow-up-link/", follow=True)
    assert "A new link is on its way to the patient." in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.locked_at, invitation.failed_attempts, invitation.expires_at) == (None, 0, last_day)
    assert [message.to for message in mail.outbox] == [["pat@example.org"]]
    found = LINK.search(str(mail.outbox[0].body))
    assert found is not None
    assert PatientBrowser(Client(), found.group(1)).open_link()["Location"].endswith("/intake/confirm/")
    assert OutboundMessage.objects.filter(kind="follow_up").count() == 2  # the first link's, and this one


@pytest.mark.django_db
def test_a_double_click_on_send_a_new_follow_up_link_sends_one(front_desk, client: Client, time_machine):
    """The second click found the link the first had just replaced: it sent another, and the first message's link
    was dead when the patient opened it."""
    from django.utils import timezone as tz

    sent_visit()
    time_machine.move_to(VISIT + datetime.timedelta(days=43))
    follow_ups.send_due_messages(now=tz.now())
    invitation = Invitation.objects.get(kind=Questionnaire.FOLLOW_UP)
    shown = {"link_version": str(invitation.link_version)}  # what the page's button carries
    mail.outbox.clear()
    client.force_login(front_desk)
    client.post(f"/staff/invitations/{invitation.pk}/new-follow-up-link/", shown)
    second = client.post(f"/staff/invitations/{invitation.pk}/new-follow-up-link/", shown, follow=True)
    assert "A new link was sent a moment ago" in second.content.decode()
    assert len(mail.outbox) == 1
    found = LINK.search(str(mail.outbox[0].body))
    assert found is not None
    assert PatientBrowser(Client(), found.group(1)).open_link()["Location"].endswith("/intake/confirm/")


@pytest.mark.django_db
def test_an_answered_follow_up_gets_no_new_link(front_desk, client: Client):
    sent_visit()
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=43))
    invitation = Invitation.objects.get(kind=Questionnaire.FOLLOW_UP)
    answered = services.start_intake(invitation)
    Intake.objects.filter(pk=answered.pk).update(status=Intake.Status.SUBMITTED)
    client.force_login(front_desk)
    assert "Send a new follow-up link" not in client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    response = client.post(f"/staff/invitations/{invitation.pk}/new-follow-up-link/", follow=True)
    assert "No new link was sent" in response.content.decode()


def link_row(client: Client, visit: Intake) -> str:
    """The follow-up page's row for its 6-week link: "Link email: Sent ...", in words."""
    invitation = FollowUp.objects.get(visit=visit, time_point="6w").invitation
    assert invitation is not None
    page = client.get(reverse("intake:invitation-detail", args=[invitation.pk])).content.decode()
    found = re.search(
        r'<dt class="col-sm-4">([^<]*)</dt>\s*<dd class="col-sm-8" id="invitation-email-state">(.*?)</dd>', page, re.S
    )
    assert found is not None
    return found.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


@pytest.mark.django_db
def test_a_follow_ups_page_says_how_its_link_went_and_where_it_stands(settings, monkeypatch, client, front_desk):
    """The page read "Link email: Not emailed" for every follow-up (it looked for a pre-visit invitation's e-mail),
    though the schedule had sent the link by e-mail or by text: staff took the patient to have had nothing, and a
    failed e-mail showed nowhere."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    by_email = sent_visit()
    by_phone = sent_visit(email="", name="Tex Phone")
    Patient.objects.filter(pk=by_phone.patient_id).update(phone="+15550100123")
    follow_ups.send_due_messages(now=VISIT)
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=42))
    client.force_login(front_desk)

    assert link_row(client, by_email).startswith("Link email: Sent")
    assert link_row(client, by_phone).startswith("Link text message: Sent")
    OutboundMessage.objects.filter(kind="follow_up", channel="email").update(status="failed", attempts=12)
    assert link_row(client, by_email).startswith("Link email: Failed not delivered after 12 tries")


@pytest.mark.django_db
def test_a_follow_up_text_refused_because_the_patient_replied_stop_says_so(settings, monkeypatch, client, front_desk):
    """A text the provider refused because the patient asked for no texts (messaging.delivery: failed after one try,
    RecipientOptedOut) read "not delivered after 1 tries. ... send a new link": staff could not tell the patient had
    said STOP, and a new link is refused (no text goes to that number again), so calling is what is left."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    by_phone = sent_visit(email="", name="Tex Phone")
    Patient.objects.filter(pk=by_phone.patient_id).update(phone="+15550100123")
    follow_ups.send_due_messages(now=VISIT)
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=42))
    OutboundMessage.objects.filter(kind="follow_up", channel="sms").update(
        status="failed", attempts=1, last_error="RecipientOptedOut"
    )
    client.force_login(front_desk)

    row = link_row(client, by_phone)
    assert row.startswith("Link text message: Failed")
    assert "asked for no text messages" in row
    assert "call the patient" in row.lower()
    assert "send a new link" not in row
    assert "1 tries" not in row


@pytest.mark.django_db
def test_a_text_refused_after_stop_says_so_though_an_earlier_try_may_have_arrived(
    settings, monkeypatch, client, front_desk
):
    """The first try timed out after the provider took it (`may_have_arrived`), the text arrived, the patient replied
    STOP, and the retry was refused (RecipientOptedOut). The "Not confirmed" state ("may have been delivered ... ask
    the patient before sending a new link") hid the one thing staff must know: no text goes to this number again."""
    settings.SMS_BACKEND = "messaging.sms.backends.locmem.SmsBackend"
    monkeypatch.setattr(sms, "outbox", [])
    by_phone = sent_visit(email="", name="Tex Phone")
    Patient.objects.filter(pk=by_phone.patient_id).update(phone="+15550100123")
    follow_ups.send_due_messages(now=VISIT)
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=42))
    OutboundMessage.objects.filter(kind="follow_up", channel="sms").update(
        status="failed", attempts=2, last_error="RecipientOptedOut", may_have_arrived=True
    )
    client.force_login(front_desk)

    row = link_row(client, by_phone)
    assert "asked for no text messages" in row
    assert "call the patient" in row.lower()
    assert "may have been delivered" in row  # its first try: the patient may hold its link


@pytest.mark.django_db
def test_a_follow_ups_page_shows_where_the_reminders_new_link_stands(client, front_desk, settings):
    """A reminder carries a new link, which replaces the one before once it is sent (intake.services.reminders): the
    page kept showing the first link's e-mail, "Sent", after the reminder's had taken its place. A reminder that
    fails for good leaves the patient the link they had, and the page shows that one, not the failure (it said
    "Failed" for a patient whose link works)."""
    visit = sent_visit()
    follow_ups.send_due_messages(now=VISIT)
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=42))
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=49, hours=1))
    client.force_login(front_desk)
    assert link_row(client, visit).startswith("Link email (in reminder 1): Sent")

    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 1
    follow_ups.send_due_messages(now=VISIT + datetime.timedelta(days=56, hours=2))
    assert OutboundMessage.objects.filter(kind="follow_up_reminder", status="failed").count() == 1  # reminder 2
    assert link_row(client, visit).startswith("Link email (in reminder 1): Sent")
