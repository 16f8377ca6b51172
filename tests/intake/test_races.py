"""Writes to one intake from two places at once, each in its own thread and connection, with the interleaving forced
(an event where one side must wait, and PostgreSQL's own view of who waits on a lock): a red flag sent while the
rules are re-run or while "Send" runs, staff's new link while the patient saves, and staff moving a visit while the
worker sends its reminder. Found in the stop-30 race audit (the last in stop 38); each test failed before its fix.

Needs real row locks, so it runs on PostgreSQL (CI and `DATABASE_URL=... make test`), like test_concurrent_submit.
"""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db.backends import signals as django_signals
from django.test import Client
from django.utils import timezone

from intake import selectors, services
from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.questionnaire import PAGE_SLUGS
from intake.services import answering, assessment, invitations, reminders
from messaging import channels
from messaging import services as messages
from messaging.models import OutboundMessage
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers
from tests.races import Side, someone_waits_on_a_lock, until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="needs PostgreSQL row locks"),
]


def paused_in(module: Any, name: str, *, thread: str, monkeypatch: pytest.MonkeyPatch):
    """Make `module.name` stop in thread `thread` once it has run, until released: (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    real = getattr(module, name)

    def pausing(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if threading.current_thread().name == thread:
            reached.set()
            assert release.wait(20)
        return result

    monkeypatch.setattr(module, name, pausing)
    return reached, release


def test_a_red_flag_sent_while_the_rules_are_re_run_is_kept(patient: Patient, monkeypatch):
    """`retriage --apply` judged the intake from the copy its loop had read, and stored that result over the saddle
    numbness the patient sent meanwhile: serious, no CE1, the emergency page gone."""
    answers = routine_answers(weight_loss="yes")
    answer_up_to(patient, "general_health_nerves", answers)
    intake = Intake.objects.get(invitation=patient.invitation)
    Intake.objects.filter(pk=intake.pk).update(rules_version="2026.1")  # new rules since: retriage stores
    reached, release = paused_in(assessment, "assess_answers", thread="retriage", monkeypatch=monkeypatch)
    rerun = Side("retriage", lambda: call_command("retriage", "--apply", stdout=io.StringIO()))
    rerun.start()
    assert reached.wait(10)
    page = Side("page", lambda: patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"}))
    page.start()
    until(lambda: someone_waits_on_a_lock() or not page.is_alive())
    release.set()
    for side in (rerun, page):
        side.join(30)
        assert side.error is None, side.error
    intake.refresh_from_db()
    assert (intake.level, "CE1" in set(intake.flags.values_list("code", flat=True))) == (Level.URGENT, True)
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness").exists()
    assert patient.client.get("/intake/important/").status_code == 200


def test_a_red_flag_page_sent_while_send_runs_in_another_tab_gets_the_advice(patient: Patient, monkeypatch):
    """The page waited for "Send" to let go of the row, found the form sent and showed the routine receipt, with no
    word of the saddle numbness just ticked."""
    patient.save_all(routine_answers())
    other_tab = Client()
    other_tab.cookies = patient.client.cookies
    reached, release = paused_in(assessment, "assess_intake", thread="send", monkeypatch=monkeypatch)
    send = Side("send", lambda: other_tab.post("/intake/review/"))
    send.start()
    assert reached.wait(10)
    page = Side("page", lambda: patient.post_step("safety", routine_answers(ce_saddle_numbness="yes")))
    page.start()
    until(someone_waits_on_a_lock)
    release.set()
    for side in (send, page):
        side.join(30)
        assert side.error is None, side.error
    response = page.result
    assert response is not None
    body = response.content.decode()
    assert response.status_code == 409
    assert "Get medical help now" in body
    assert "Your form was already sent" in body


def test_staff_moving_the_visit_while_the_patient_saves_their_phone_do_not_deadlock(monkeypatch):
    """A new link with a new time took the invitation, the patient record and then the intake; the patient's page took
    the intake and then the record (the phone given on it). PostgreSQL broke the deadlock by failing the patient's
    save (a 500)."""
    invitation, _ = make_invitation()
    intake = services.start_intake(invitation)
    now = timezone.now()
    services.record_consent(intake, now=now)
    answers = routine_answers(phone="+12015550999")  # not the number on the record
    for slug in PAGE_SLUGS[1 : PAGE_SLUGS.index("about")]:
        services.save_page(intake, slug, answers, now=now)
    reached, release = paused_in(invitations, "_keep_on_record", thread="staff", monkeypatch=monkeypatch)
    later = invitation.appointment_at + datetime.timedelta(days=7)
    staff = Side(
        "staff",
        lambda: invitations.email_new_link(invitation, email=invitation.email, appointment_at=later, now=now),
    )
    staff.start()
    assert reached.wait(10)  # staff hold the invitation, the intake (the new time) and the patient record
    page = Side("patient", lambda: services.save_page(Intake.objects.get(pk=intake.pk), "about", answers, now=now))
    page.start()
    until(someone_waits_on_a_lock)
    release.set()
    for side in (staff, page):
        side.join(30)
        assert side.error is None, f"{type(side.error).__name__}: {side.error}"
    intake.refresh_from_db()
    assert intake.appointment_at == later
    assert intake.patient.phone == "+12015550999"


def reminder_being_sent(
    now: datetime.datetime, *, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, str, Side, threading.Event]:
    """An invitation whose pre-visit reminder the worker is sending, paused once the mail server has it and before
    the worker records it: the invitation, its link's token (the one before the reminder's), the worker's side and
    the event that lets it go on."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, sent by the worker below
    invitation, raw = make_invitation(appointment_at=now + datetime.timedelta(days=2, hours=12))
    assert reminders.send_reminder(invitation.pk, "3d", kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, now=now)
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    reached, release = paused_in(channels, "send", thread="worker", monkeypatch=monkeypatch)
    worker = Side("worker", lambda: messages.send(message.pk))
    worker.start()
    assert reached.wait(10)  # the mail server has the reminder; the worker has not recorded it yet
    return invitation, raw, worker, release


def test_staff_moving_the_visit_while_its_reminder_is_being_sent_are_not_held_up(
    monkeypatch, settings, client, front_desk
):
    """The worker took the reminder's message row and, once the mail server had it, the invitation (the reminder's
    link takes the old one's place); staff's move took the invitation and then the message (a reminder ahead of the
    new date is deleted with its message). PostgreSQL broke the deadlock by failing staff's change (a "database
    unavailable" page); had it failed the worker instead, the patient kept a reminder whose link opened nothing. Then
    the worker took the invitation first and held it during the send: staff's move waited for the mail server, past
    the statement timeout. Now nothing is held during the send; the move cannot know whether the reminder being sent
    will reach the patient, so its link and the one before both open, and its record is kept though it was for the
    old date, as not confirmed."""
    now = timezone.now()
    invitation, old_raw, worker, release = reminder_being_sent(now, settings=settings, monkeypatch=monkeypatch)
    later = timezone.localtime(now + datetime.timedelta(days=10)).replace(second=0, microsecond=0)
    client.force_login(front_desk)
    moved = {"change-appointment_at": later.strftime("%Y-%m-%dT%H:%M"), "change-email": invitation.email}
    staff, held_up = staff_beside_the_send(
        worker, release, lambda: client.post(f"/staff/invitations/{invitation.pk}/details/", moved)
    )
    assert not held_up
    assert staff.result.status_code == 302, "staff's move waited for the reminder's mail server"
    assert worker.result == "missing"  # deleted with its reminder, for the old date; its outcome recorded nowhere
    invitation.refresh_from_db()
    assert invitation.appointment_at == later
    [reminder] = mail.outbox
    link = reminder.body.split("/intake/start/")[1].split("/")[0]
    assert Patient(Client(), link).open_link()["Location"].endswith("/intake/confirm/")  # the reminder's link opens
    # The one before still opens: had the mail server refused the reminder, nothing would be left to try again
    # (tests/intake/test_moving_appointments.py), and a link that opens twice is the lesser harm.
    assert Patient(Client(), old_raw).open_link()["Location"].endswith("/intake/confirm/")
    kept = invitation.earlier_reminders.get()
    assert (kept.which, kept.may_have_arrived) == ("3d", True)  # "Not confirmed": nothing will say it arrived


def test_a_patient_opening_their_link_is_not_held_up_while_their_reminder_is_being_sent(monkeypatch, settings):
    """The worker holds a reminder's invitation while the mail server takes the reminder (EMAIL_TIMEOUT, 10 s, at
    most), so that staff's changes wait for it rather than deadlock. The patient's own link never touches the
    reminder's message, yet opening it and entering the birth date waited too, past the 4 s statement timeout of a
    slow mail server: a "database unavailable" page for a patient who had done nothing wrong."""
    _, raw, worker, release = reminder_being_sent(timezone.now(), settings=settings, monkeypatch=monkeypatch)
    patient = Patient(Client(), raw)  # the link they had before the reminder: it works until the reminder is sent
    opening = Side("patient", lambda: (patient.open_link(), patient.confirm())[1])
    opening.start()
    until(lambda: someone_waits_on_a_lock() or not opening.is_alive())
    held_up = opening.is_alive()
    release.set()
    for side in (worker, opening):
        side.join(30)
        assert side.error is None, f"{type(side.error).__name__}: {side.error}"
    assert not held_up, "the patient's birth date waited for the reminder's mail server"
    assert opening.result.status_code == 302
    assert worker.result == "sent"
    [reminder] = mail.outbox
    link = reminder.body.split("/intake/start/")[1].split("/")[0]
    assert Patient(Client(), link).open_link()["Location"].endswith("/intake/confirm/")  # the reminder's link opens


def test_demo_links_made_again_while_a_reminder_is_being_sent_do_not_deadlock(monkeypatch, settings):
    """Discarding an invitation deletes its reminders' messages before the invitation itself; the worker locks the
    invitation before the message it sends (messaging.registry: lock order). Unless discarding locks the invitation
    first, each waits for the other."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, sent by the worker below
    now = timezone.now()
    invitation, _ = make_invitation(appointment_at=now + datetime.timedelta(days=2, hours=12))
    assert reminders.send_reminder(invitation.pk, "3d", kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, now=now)
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER)
    reached, release = paused_in(messages, "forget", thread="discard", monkeypatch=monkeypatch)
    discard = Side("discard", lambda: services.discard_invitation(invitation))
    discard.start()
    assert reached.wait(10)  # the reminder and its message are deleted, not the invitation yet
    worker = Side("worker", lambda: messages.send(message.pk))
    worker.start()
    until(lambda: someone_waits_on_a_lock() or not worker.is_alive())
    release.set()
    for side in (discard, worker):
        side.join(30)
        assert side.error is None, f"{type(side.error).__name__}: {side.error}"
    assert worker.result == "missing"
    assert mail.outbox == []  # nothing about a discarded invitation goes out


def test_an_ordinary_page_written_while_a_red_flag_holds_the_row_keeps_the_flag(monkeypatch):
    """An ordinary page is written without the row lock, if the row is still as the page's request read it
    (intake.services.unlocked_write). Here its write comes while another tab's saddle numbness holds the row,
    stored but not yet committed: the write must wait, find the row changed, and leave it to the locked path."""
    invitation, _ = make_invitation()
    intake = services.record_consent(services.start_intake(invitation), now=timezone.now())
    old_tab = Intake.objects.get(pk=intake.pk)
    reached, release = paused_in(answering, "latch", thread="flag", monkeypatch=monkeypatch)
    flag = Side(
        "flag",
        lambda: services.record_red_flags(
            Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now()
        ),
    )
    flag.start()
    assert reached.wait(10)  # the yes is written and latched, the row locked, nothing committed
    page = Side("page", lambda: services.save_page(old_tab, "back_pain_scores", routine_answers(), now=timezone.now()))
    page.start()
    until(someone_waits_on_a_lock)
    release.set()
    for side in (flag, page):
        side.join(30)
        assert side.error is None, f"{type(side.error).__name__}: {side.error}"
    intake.refresh_from_db()
    assert intake.level == Level.URGENT
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert intake.answers["pain_now"] == 3  # the page's own answers
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()


def impatient(thread: str) -> Callable[..., None]:
    """A `connection_created` receiver that makes thread `thread`'s connections give up on a row lock after half a
    second: a request waiting for the mail server ran into the 4 s statement timeout ("database unavailable")."""

    def set_lock_timeout(sender: Any, connection: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == thread:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '500ms'")

    return set_lock_timeout


def staff_beside_the_send(worker: Side, release: threading.Event, action: Callable[[], Any]) -> tuple[Side, bool]:
    """Staff's `action` run while the worker waits with the message at the mail server (its connections give up on a
    row lock after half a second, `impatient`), then the worker let go: staff's side and whether it was still
    waiting after 10 s. Neither side may have failed."""
    receiver = impatient("staff")
    django_signals.connection_created.connect(receiver, weak=False)
    try:
        staff = Side("staff", action)
        staff.start()
        staff.join(10)
        held_up = staff.is_alive()
    finally:
        release.set()
        django_signals.connection_created.disconnect(receiver)
    for side in (worker, staff):
        side.join(30)
        assert side.error is None, f"{type(side.error).__name__}: {side.error}"
    return staff, held_up


def new_link_form(invitation: Any) -> dict[str, str]:
    """What the invitation page's "Email a new link" posts, unchanged details."""
    return {
        "email": invitation.email,
        "appointment_at": timezone.localtime(invitation.appointment_at).strftime("%Y-%m-%dT%H:%M"),
        "language": "en",
        "link_version": str(invitation.link_version),
    }


def invitation_email_being_sent(
    *, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, str, OutboundMessage, Side, threading.Event]:
    """An invitation whose e-mail the worker is sending, paused once the mail server has it and before the worker
    records it: the invitation, its link's token, the message, the worker's side and the event that lets it go on."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, sent by the worker below
    invitation, raw = make_invitation(send_email=True, email="jo@example.org")
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    reached, release = paused_in(channels, "send", thread="worker", monkeypatch=monkeypatch)
    worker = Side("worker", lambda: messages.send(message.pk))
    worker.start()
    assert reached.wait(10)  # the mail server has the e-mail; the worker has not recorded it yet
    return invitation, raw, message, worker, release


def test_staff_sending_a_new_link_while_the_mail_server_takes_the_first_one_are_not_held_up(
    monkeypatch, settings, client, front_desk
):
    """The worker kept the invitation e-mail's row locked while the mail server took it, and staff's new link cancels
    the e-mail with the old link (`replace_pending`): with a slow mail server, staff waited past the statement timeout
    and got a "database unavailable" page."""
    invitation, _, first, worker, release = invitation_email_being_sent(settings=settings, monkeypatch=monkeypatch)
    client.force_login(front_desk)
    form = new_link_form(invitation)
    staff, held_up = staff_beside_the_send(
        worker, release, lambda: client.post(f"/staff/invitations/{invitation.pk}/new-link/", form)
    )
    assert not held_up
    assert staff.result.status_code == 302, "staff's new link waited for the mail server"
    first.refresh_from_db()
    new = OutboundMessage.objects.exclude(pk=first.pk).get(kind=OutboundMessage.Kind.INVITATION)
    assert (first.status, first.sealed_token) == ("sent", "")  # it went; its link no longer opens
    assert first.sent_at is not None
    assert new.status == "pending"
    assert messages.send(new.pk) == "sent"
    old_mail, new_mail = mail.outbox
    old_link = old_mail.body.split("/intake/start/")[1].split("/")[0]
    new_link = new_mail.body.split("/intake/start/")[1].split("/")[0]
    assert Patient(Client(), new_link).open_link()["Location"].endswith("/intake/confirm/")
    assert Patient(Client(), old_link).open_link().status_code != 302  # the bad-link page


def test_a_second_worker_given_a_message_the_mail_server_is_taking_neither_waits_nor_sends_it_again(
    monkeypatch, settings
):
    """A duplicated task, or the sweeper's, reached the message while the first worker handed it over: it waited
    for the row (past the statement timeout, with a slow mail server); now it sees the message is being sent, leaves
    it, and the patient gets one e-mail."""
    _, _, message, worker, release = invitation_email_being_sent(settings=settings, monkeypatch=monkeypatch)
    receiver = impatient("second")
    django_signals.connection_created.connect(receiver, weak=False)
    try:
        second = Side("second", lambda: messages.send(message.pk))
        second.start()
        second.join(10)
        held_up = second.is_alive()
    finally:
        release.set()
        django_signals.connection_created.disconnect(receiver)
    for side in (worker, second):
        side.join(30)
        assert side.error is None, f"{type(side.error).__name__}: {side.error}"
    assert not held_up
    assert (second.result, worker.result) == ("sending", "sent")
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def reminder_link(message: Any) -> str:
    return message.body.split("/intake/start/")[1].split("/")[0]


def opens(token: str) -> bool:
    return Patient(Client(), token).open_link().get("Location", "").endswith("/intake/confirm/")


def test_staff_sending_a_new_link_while_the_mail_server_takes_a_reminder_are_not_held_up(
    monkeypatch, settings, client, front_desk
):
    """The worker held the reminder's invitation while the mail server took the reminder; staff's new link waited
    past the statement timeout ("database unavailable"). Now it goes at once, and the reminder, recorded as sent a
    moment later, does not take its place: staff's link is the patient's, the reminder's opens nothing."""
    now = timezone.now()
    invitation, _, worker, release = reminder_being_sent(now, settings=settings, monkeypatch=monkeypatch)
    client.force_login(front_desk)
    form = new_link_form(invitation)
    staff, held_up = staff_beside_the_send(
        worker, release, lambda: client.post(f"/staff/invitations/{invitation.pk}/new-link/", form)
    )
    assert not held_up
    assert staff.result.status_code == 302, "staff's new link waited for the reminder's mail server"
    assert worker.result == "sent"
    staff_message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    assert messages.send(staff_message.pk) == "sent"
    reminder_mail, staff_mail = mail.outbox
    assert (opens(reminder_link(reminder_mail)), opens(reminder_link(staff_mail))) == (False, True)
    invitation.refresh_from_db()
    assert selectors.live_link(invitation).message == staff_message  # the invitation's page shows staff's e-mail


def test_staff_cancelling_the_visit_while_the_mail_server_takes_its_reminder_are_not_held_up(
    monkeypatch, settings, client, front_desk
):
    """Cancelling waited for the reminder's mail server too. The reminder went before the cancel took effect, as
    when the cancel waited: booked again, the visit's link is the one in the reminder, the patient's newest message
    (it says the link before it stops working)."""
    now = timezone.now()
    invitation, old_raw, worker, release = reminder_being_sent(now, settings=settings, monkeypatch=monkeypatch)
    client.force_login(front_desk)
    cancel = {"link_version": str(invitation.link_version)}
    staff, held_up = staff_beside_the_send(
        worker, release, lambda: client.post(f"/staff/invitations/{invitation.pk}/cancel/", cancel)
    )
    assert not held_up
    assert staff.result.status_code == 302, "staff's cancel waited for the reminder's mail server"
    assert worker.result == "sent"
    [reminder_mail] = mail.outbox
    assert (opens(old_raw), opens(reminder_link(reminder_mail))) == (False, False)  # the visit is off
    invitations.change_details(
        invitation,
        appointment_at=now + datetime.timedelta(days=9),
        email=invitation.email,
        language=None,
        now=timezone.now(),
    )
    assert (opens(old_raw), opens(reminder_link(reminder_mail))) == (False, True)


def test_a_red_flag_being_saved_while_the_retention_purge_takes_its_visit_is_kept(monkeypatch):
    """The retention purge chose a batch of visits past the period (none waiting for a review, as it read them) and
    deleted them. A red-flag answer being saved at that moment, from a tab still open on a link past a short period,
    was not there yet to read: the purge held the invitation and waited for the patient's intake to delete it, while
    the patient's commit waited for the invitation (its foreign key checked), and PostgreSQL failed one of them: the
    purge, or the red flag. (Saved a moment sooner, it went with the batch: tests/security/test_retention.py.) The
    purge now skips a visit whose intake is held, leaving it to the next purge, and removes the rest."""
    from intake.retention import purge_old_intakes
    from tests.dashboard.factories import make_intake

    invitation, _ = make_invitation()
    intake = services.record_consent(services.start_intake(invitation), now=timezone.now())
    long_ago = timezone.now() - datetime.timedelta(days=365 * 8)
    Intake.objects.filter(pk=intake.pk).update(appointment_at=long_ago)
    type(invitation).objects.filter(pk=invitation.pk).update(appointment_at=long_ago, expires_at=long_ago)
    gone = make_intake("routine_plain", appointment_at=long_ago)
    reached, release = paused_in(answering, "_reassess", thread="patient", monkeypatch=monkeypatch)
    page = Side(
        "patient",
        lambda: services.record_red_flags(
            Intake.objects.get(pk=intake.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now()
        ),
    )
    page.start()
    assert reached.wait(10)  # the latch and the urgent level written, the intake's row held, not yet committed
    purge = Side("purge", lambda: purge_old_intakes(months=1))
    purge.start()
    until(lambda: someone_waits_on_a_lock() or not purge.is_alive())
    release.set()
    for side in (purge, page):
        side.join(30)
        assert side.error is None, f"{side.name}: {type(side.error).__name__}: {side.error}"
    kept = Intake.objects.filter(pk=intake.pk).first()
    assert kept is not None, "the red-flag answer was deleted with its intake"
    assert kept.level == Level.URGENT
    assert RedFlagAnswer.objects.filter(intake=kept, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert not Intake.objects.filter(pk=gone.pk).exists()
    assert (purge.result.invitations, purge.result.intakes) == (1, 1)
    assert purge_old_intakes(months=1).kept_for_review == 1  # the next purge sees it waiting for a review


def _visit_whose_cancer_history_a_review_cleared(clinician: Any) -> Intake:
    """A sent visit whose cancer yes, taken back, a review cleared: no cancer history stands beneath its follow-ups
    until the review is undone."""
    from tests.intake.test_mscc_leg_review import _visit_with_a_latch

    visit = _visit_with_a_latch("cancer_history")
    services.mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    visit.refresh_from_db()
    assert not RedFlagAnswer.objects.filter(intake=visit, cleared_at__isnull=True).exists()
    return visit


def _undo_paused_after_its_relatch(visit: Intake, clinician: Any, monkeypatch: pytest.MonkeyPatch):
    """Undo `visit`'s review in a thread of its own, paused once it has relatched the follow-ups it found, its
    transaction (and the visit's row lock) still open: (the undo's side, the event that lets it commit)."""
    from intake.services import review_undo

    reached, release = paused_in(
        review_undo, "latch_follow_ups_beside_a_cancer_history", thread="undo", monkeypatch=monkeypatch
    )
    token = review_undo.review_token(visit)
    undo = Side("undo", lambda: review_undo.undo_review(visit, by=clinician, review=token))
    undo.start()
    assert reached.wait(10)
    return undo, release


def _new_leg_numbness_on(follow_up_id: int, *, first_page: str = "safety") -> None:
    """The patient answers a follow-up's pages from `first_page` up to its legs page, with new numbness in one leg
    there."""
    from intake.rules.catalogue import FOLLOW_UP
    from tests.intake.factories import follow_up_answers
    from tests.intake.test_mscc_leg_answers import NEW_LEG_NUMBNESS

    answers = follow_up_answers(**NEW_LEG_NUMBNESS, leg_weakness="no")
    slugs = FOLLOW_UP.page_slugs
    for slug in slugs[slugs.index(first_page) : slugs.index("legs") + 1]:
        services.save_page(Intake.objects.get(pk=follow_up_id), slug, answers, now=timezone.now())


def _has_mscc_latched(follow_up: Intake) -> bool:
    follow_up.refresh_from_db()
    codes = set(follow_up.flags.values_list("code", flat=True))
    latched = set(
        RedFlagAnswer.objects.filter(intake=follow_up, cleared_at__isnull=True).values_list("code", flat=True)
    )
    return follow_up.level == Level.URGENT and "MSCC" in codes and "leg_numbness_tingling" in latched


@pytest.mark.parametrize("row", [True, False], ids=["its FollowUp row", "no FollowUp row"])
def test_a_follow_up_opened_while_an_undo_relatches_its_visit_finds_the_cancer_history(clinician, monkeypatch, row):
    """The follow-up's link is opened (its intake row made) while undoing the visit's review has relatched the
    follow-ups it found and not yet committed: the relatch cannot see the new row, and the patient's pages read the
    visit as it was, so new leg numbness beside the cancer history coming back went without MSCC, latch or alert
    until a later page ("waits for its next page", stop 44). The intake row is now made under the visit's lock
    (`invitations.start_intake`, the relatch's lock order: visit, then follow-up), so it waits for the undo and its
    pages read the cancer history. The same for one without its `FollowUp` row, which reads the patient's latest sent
    pre-visit intake."""
    from intake.models import FollowUp
    from intake.services.follow_ups import follow_up_invitation

    visit = _visit_whose_cancer_history_a_review_cleared(clinician)
    invitation = follow_up_invitation(visit, token_hash="x" * 64, expires_at=timezone.now() + datetime.timedelta(30))
    if row:
        FollowUp.objects.create(
            patient=visit.patient, visit=visit, time_point="6w", due_at=timezone.now(), invitation=invitation
        )
    undo, release = _undo_paused_after_its_relatch(visit, clinician, monkeypatch)

    def opens_and_answers() -> int:
        follow_up = services.start_intake(invitation)
        _new_leg_numbness_on(follow_up.pk)
        return follow_up.pk

    page = Side("patient", opens_and_answers)
    page.start()
    until(lambda: someone_waits_on_a_lock() or not page.is_alive())
    release.set()
    for side in (undo, page):
        side.join(30)
        assert side.error is None, f"{side.name}: {type(side.error).__name__}: {side.error}"
    assert _has_mscc_latched(Intake.objects.get(pk=page.result))


def test_a_follow_up_page_saved_while_an_undo_relatches_its_visit_finds_the_cancer_history(clinician, monkeypatch):
    """The follow-up is answered up to its legs page, with nothing there to latch. Undoing the visit's review
    relatches it (nothing to do) and holds its row; the legs page, read while the undo is not committed, judges new
    numbness beside no cancer history and writes it without the row lock once the undo lets go: without MSCC, latch
    or alert. The relatch now marks every follow-up it reaches (`updated_at`), so that write finds the row changed
    and the locked path judges the page with the cancer history."""
    from intake.rules.catalogue import FOLLOW_UP
    from tests.intake.factories import follow_up_answers, follow_up_for

    visit = _visit_whose_cancer_history_a_review_cleared(clinician)
    _invitation, _token, follow_up = follow_up_for(visit)
    for slug in FOLLOW_UP.page_slugs[: FOLLOW_UP.page_slugs.index("legs")]:
        services.save_page(follow_up, slug, follow_up_answers(), now=timezone.now())
    undo, release = _undo_paused_after_its_relatch(visit, clinician, monkeypatch)

    page = Side("patient", lambda: _new_leg_numbness_on(follow_up.pk, first_page="legs"))
    page.start()
    until(lambda: someone_waits_on_a_lock() or not page.is_alive())
    release.set()
    for side in (undo, page):
        side.join(30)
        assert side.error is None, f"{side.name}: {type(side.error).__name__}: {side.error}"
    assert _has_mscc_latched(follow_up)
