"""Patient and front-desk e-mails as messages: one row each, sent once by the worker, retried through a mail outage,
swept when their task is lost, and shown to staff as they really stand (queued, retrying, sent, failed)."""

from __future__ import annotations

import ast
import datetime
import logging
import pathlib

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from intake import services, tokens
from intake import tasks as intake_tasks
from messaging import delivery
from messaging import services as messages
from messaging.models import OutboundMessage
from tests.intake.factories import make_invitation, routine_answers
from tests.messaging.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]
WRONG_BIRTH_DATE = datetime.date(2000, 1, 1)


def submitted(email: str = "receipt@example.org"):  # type: ignore[no-untyped-def]
    return services.create_submitted_intake_for_demo(answers=routine_answers(), email=email, patient_name="Pat Sent")


def lock(invitation) -> None:  # type: ignore[no-untyped-def]
    for _ in range(services.max_identity_attempts()):
        services.confirm_identity(invitation, WRONG_BIRTH_DATE, now=timezone.now())


def time_passes() -> None:
    """Every waiting retry becomes due."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_an_invitation_email_is_a_row_that_the_worker_sends_once(settings):
    invitation, token = make_invitation(send_email=True, email="jo@example.org")
    message = OutboundMessage.objects.get()
    assert (message.kind, message.about_id, message.recipients) == ("invitation", invitation.pk, ["jo@example.org"])
    assert (message.status, message.attempts, message.state) == ("pending", 0, "queued")
    assert token not in str(OutboundMessage.objects.values().get())
    assert DBTaskResult.objects.ready().count() == 1
    run_queued_tasks()
    run_queued_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jo@example.org"]
    assert f"https://portal.clinic.example/intake/start/{token}/" in mail.outbox[0].body
    message.refresh_from_db()
    assert (message.status, message.attempts, message.state) == ("sent", 1, "sent")
    assert message.sent_at is not None
    assert message.sealed_token == ""  # the link's sealed token is not kept once it went out
    messages.send(message.pk)  # a duplicated task
    assert len(mail.outbox) == 1


def test_a_mail_outage_delays_the_invitation_confirmation_and_lockout_emails_but_loses_none(settings):
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    make_invitation(send_email=True, email="invited@example.org")
    locked, _ = make_invitation(email="locked@example.org")
    lock(locked)
    submitted(email="receipt@example.org")
    assert sorted(OutboundMessage.objects.values_list("kind", flat=True)) == ["confirmation", "invitation", "lockout"]
    run_queued_tasks()
    for message in OutboundMessage.objects.all():
        assert (message.status, message.attempts, message.state) == ("pending", 1, "retrying"), message.kind
        assert message.last_error == "ConnectionRefusedError"
        assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)
    retries = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retries.count() == 3
    assert all(retry.run_after > timezone.now() + datetime.timedelta(seconds=20) for retry in retries)
    assert not DBTaskResult.objects.ready().exists()  # not due yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    time_passes()
    run_queued_tasks()
    run_queued_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "front-desk@clinic.example",
        "invited@example.org",
        "receipt@example.org",
    ]
    assert set(OutboundMessage.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_retries_wait_30_seconds_then_back_off_to_30_minutes_and_stop_after_12_tries(settings):
    delays = [delivery.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:6] == [30, 60, 120, 300, 600, 1800]
    assert set(delays[6:]) == {1800}
    assert delivery.max_attempts() == 12
    settings.MESSAGE_RETRY_DELAYS = (0.5, 1)
    settings.MESSAGE_MAX_ATTEMPTS = 3
    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [0.5, 1, 1]
    assert delivery.max_attempts() == 3


def test_sending_gives_up_after_the_maximum_attempts(settings):
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    make_invitation(send_email=True)
    message = OutboundMessage.objects.get()
    for _ in range(delivery.max_attempts()):
        messages.send(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.state) == ("failed", 12, "failed")
    assert message.sealed_token == ""
    assert messages.send(message.pk) == "failed"
    assert mail.outbox == []


def test_a_refused_address_is_recorded_as_the_exception_type_only(settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.RefusingBackend"
    make_invitation(send_email=True, email="zq.refused@example.org")
    run_queued_tasks()
    message = OutboundMessage.objects.get()
    assert message.last_error == "SMTPRecipientsRefused"
    assert "zq.refused" not in str(list(DBTaskResult.objects.values()))
    assert "zq.refused" not in caplog.text


def test_an_unexpected_error_leaves_no_text_in_the_task_table_and_the_sweeper_tries_again(monkeypatch):
    make_invitation(send_email=True, email="zq.unexpected@example.org")
    original = delivery.send

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("DETAIL: Key (email)=(zq.unexpected@example.org) already exists")

    monkeypatch.setattr(delivery, "send", broken)
    run_queued_tasks()
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "messaging.tasks.SendFailed"
    assert "zq.unexpected" not in str(list(DBTaskResult.objects.values()))
    monkeypatch.setattr(delivery, "send", original)
    assert messages.sweep(now=timezone.now() + datetime.timedelta(minutes=5))["requeued"] == 1
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["zq.unexpected@example.org"]]


def test_the_sweeper_requeues_a_message_whose_task_was_left_running_by_a_dead_worker():
    submitted()
    task = DBTaskResult.objects.get()
    task.claim("dead-worker")  # the worker died here
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert messages.sweep(now=later)["requeued"] == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    run_queued_tasks()
    assert len(mail.outbox) == 1
    assert OutboundMessage.objects.get().status == "sent"
    assert messages.sweep(now=later + datetime.timedelta(minutes=5))["requeued"] == 0


def test_the_sweeper_requeues_a_lost_task_and_leaves_waiting_or_running_ones():
    submitted()
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert messages.sweep(now=later)["requeued"] == 0  # READY: the worker is just slow
    DBTaskResult.objects.get().claim("busy-worker")
    assert messages.sweep(now=timezone.now() + datetime.timedelta(seconds=90))["requeued"] == 0  # running now
    DBTaskResult.objects.all().delete()  # lost (pruned, or never written by an older release)
    assert messages.sweep(now=later)["requeued"] == 1
    run_queued_tasks()
    assert len(mail.outbox) == 1


def test_the_alerts_sweep_command_sweeps_messages_too(capsys):
    from django.core.management import call_command

    submitted()
    DBTaskResult.objects.all().delete()
    OutboundMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=5))
    call_command("alerts_sweep")
    assert "messages re-queued 1" in capsys.readouterr().out
    run_queued_tasks()
    assert len(mail.outbox) == 1


def test_a_message_is_rolled_back_with_the_change_it_tells_about():
    def invite_then_fail() -> None:
        with transaction.atomic():
            make_invitation(send_email=True)
            raise RuntimeError("saving failed")

    with pytest.raises(RuntimeError):
        invite_then_fail()
    assert not OutboundMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


class WorkerKilled(BaseException):
    """The worker's process ended (killed, out of memory) between handing the e-mail over and recording it."""


def test_a_message_whose_worker_died_after_handing_it_over_goes_again_once_its_claim_lapses(monkeypatch):
    """At least once: the worker no longer holds the row while the mail server takes the message, so one killed before
    recording it leaves only its claim. Another attempt leaves the message alone while the first could still be
    sending it; after `CLAIM_LEASE` it sends it again (a second copy of the link, never none)."""
    from messaging import channels

    _, token = make_invitation(send_email=True, email="jo@example.org")
    message = OutboundMessage.objects.get()
    real_send = channels.send

    def send_then_die(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_send(*args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(channels, "send", send_then_die)
    with pytest.raises(WorkerKilled):
        messages.send(message.pk)
    monkeypatch.setattr(channels, "send", real_send)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_at is not None) == ("pending", 1, True)

    assert messages.send(message.pk) == "sending"  # the first worker may still be at it
    assert len(mail.outbox) == 1
    later = timezone.now() + delivery.CLAIM_LEASE + datetime.timedelta(seconds=1)
    assert messages.send(message.pk, now=later) == "sent"
    assert len(mail.outbox) == 2
    assert f"/intake/start/{token}/" in mail.outbox[1].body
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claim, message.sealed_token) == ("sent", 2, "", "")


def test_a_new_link_cancels_the_unsent_email_with_the_old_link():
    invitation, _ = make_invitation(send_email=True, email="jo@example.org")
    new_token = services.renew_link(invitation, send_email=True)
    old, new = OutboundMessage.objects.order_by("id")
    assert (old.status, old.sealed_token) == ("cancelled", "")
    assert new.status == "pending"
    run_queued_tasks()
    assert len(mail.outbox) == 1
    assert f"/intake/start/{new_token}/" in mail.outbox[0].body


def test_an_invitation_email_whose_link_stopped_working_is_not_sent():
    invitation, _ = make_invitation()
    intake_tasks.queue_invitation_email(invitation, tokens.seal(tokens.new_token()))  # not this invitation's link
    run_queued_tasks()
    assert mail.outbox == []
    assert OutboundMessage.objects.get().status == "cancelled"


def test_removing_an_invitation_removes_its_messages_and_their_addresses():
    intake = submitted()
    invitation = intake.invitation
    intake_tasks.queue_invitation_email(invitation, tokens.seal(tokens.new_token()))
    lock(invitation)
    assert OutboundMessage.objects.count() == 3
    services.discard_invitation(invitation)
    assert not OutboundMessage.objects.exists()


def test_a_task_queued_by_the_previous_release_still_sends_its_email():
    invitation, token = make_invitation(email="old@example.org")
    intake_tasks.send_invitation_email.call(invitation.pk, tokens.seal(token))
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["old@example.org"]]


def test_the_messaging_app_imports_no_app_of_the_portal():
    portal_apps = {"accounts", "alerts", "audit", "clinic_portal", "dashboard", "education", "intake"}
    imported: set[str] = set()
    for path in (ROOT / "messaging").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert imported & portal_apps == set()


# --- What staff see ---------------------------------------------------------------------------------------------


def test_the_invitation_page_shows_the_real_delivery_state_of_each_email(client, front_desk, settings):
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    client.force_login(front_desk)
    invitation, _ = make_invitation(send_email=True)
    page = f"/staff/invitations/{invitation.pk}/"
    assert "Queued</span>" in client.get(page).content.decode()
    run_queued_tasks()
    retrying = client.get(page).content.decode()
    assert "Retrying</span>" in retrying
    assert "1 try" in retrying
    assert "on its way" not in retrying
    message = OutboundMessage.objects.get()
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=11)
    time_passes()
    run_queued_tasks()
    failed = client.get(page).content.decode()
    assert "Failed</span>" in failed
    assert "not delivered after 12 tries" in failed
    assert "email a new link, or call the patient" in failed
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lock(invitation)
    run_queued_tasks()
    locked_page = client.get(page).content.decode()
    assert "Lock email to the front desk" in locked_page
    assert "Sent</span>" in locked_page


def test_the_invitation_list_shows_each_email_state_without_a_query_per_row(
    client, front_desk, settings, django_assert_max_num_queries
):
    receipt = submitted()
    run_queued_tasks()  # the receipt: sent
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    make_invitation(name="Retrying Person", send_email=True)
    run_queued_tasks()  # the mail server refused it once
    make_invitation(name="Waiting Person", send_email=True)
    make_invitation(name="Unmailed Person")
    client.force_login(front_desk)
    with django_assert_max_num_queries(6):
        page = client.get("/staff/invitations/").content.decode()
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in page.split('<tr role="row">')[2:]}
    assert "Retrying</span>" in rows["Retrying Person"]
    assert "Queued</span>" in rows["Waiting Person"]
    assert "Not emailed" in rows["Unmailed Person"]
    assert 'Receipt</span> <span class="badge text-bg-success">Sent</span>' in rows[receipt.invitation.patient_name]


@pytest.mark.parametrize(
    ("task", "inner", "needs"),
    [
        ("intake.tasks.send_due_messages", "intake.services.follow_ups.send_due_messages", None),
        ("intake.tasks.send_confirmation_email", "intake.tasks.queue_confirmation_email", "intake"),
        ("intake.tasks.send_invitation_email", "intake.tasks.queue_invitation_email", "invitation"),
        ("accounts.tasks.send_unlock_email", "accounts.unlock.account_to_mail", "username"),
    ],
    ids=["due messages", "confirmation", "invitation", "unlock"],
)
def test_every_task_that_sends_keeps_no_error_text_in_the_task_table(monkeypatch, task, inner, needs):
    """The task table keeps a failed task's error message and traceback, which administrators read in the admin and
    the log filters never see, and an error's message can quote a patient's or a colleague's details: send_message
    and send_alert kept only the error's class name, the other tasks that send kept the whole text."""
    import importlib

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("DETAIL: Key (email)=(zq.leaked@example.org) already exists")

    module, name = inner.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, broken)
    invitation, _token = make_invitation(email="zq.leaked@example.org")
    intake = services.start_intake(invitation)
    args = {
        None: (),
        "intake": (intake.pk,),
        "invitation": (invitation.pk, "sealed"),
        "username": ("someone",),
    }[needs]
    module, name = task.rsplit(".", 1)
    DBTaskResult.objects.all().delete()
    getattr(importlib.import_module(module), name).enqueue(*args)
    run_queued_tasks()
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.FAILED
    assert "zq.leaked" not in str(list(DBTaskResult.objects.values()))
    assert result.exception_class_path == "messaging.tasks.SendFailed"


def test_the_owner_of_a_kind_hears_once_how_each_message_settled_with_its_sealed_token_still_on_it(
    settings, monkeypatch
):
    """A reminder's new link replaces the patient's only once it was sent (intake.services.reminders.settle_link):
    its app must hear of every outcome, replaced before it went too, while the message still carries its token."""
    from messaging import registry

    heard: list[tuple[str, bool]] = []
    monkeypatch.setitem(registry._renderers, "invitation", lambda message: registry.Rendered("Hi", "Hello"))
    monkeypatch.setitem(
        registry._settled, "invitation", lambda message, sent: heard.append((message.sealed_token, sent))
    )
    sent = messages.queue("invitation", 1, ["a@example.org"], sealed_token="sent")
    replaced = messages.queue("invitation", 2, ["b@example.org"], sealed_token="replaced")
    messages.queue("invitation", 2, ["b@example.org"], sealed_token="replacing", replace_pending=True)
    assert messages.send(sent.pk) == "sent"
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.AlwaysFailingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 1
    failed = messages.queue("invitation", 3, ["c@example.org"], sealed_token="failed")
    assert messages.send(failed.pk) == "failed"
    monkeypatch.setitem(registry._renderers, "invitation", lambda message: None)
    cancelled = messages.queue("invitation", 4, ["d@example.org"], sealed_token="cancelled")
    assert messages.send(cancelled.pk) == "cancelled"
    assert messages.send(replaced.pk) == "cancelled"  # replaced already: nothing more
    assert heard == [("replaced", False), ("sent", True), ("failed", False), ("cancelled", False)]


@pytest.mark.parametrize(
    "added",
    [
        pytest.param({"may_have_arrived"}, id="code-before-may-have-arrived"),
        pytest.param({"claim", "claimed_at", "may_have_arrived"}, id="code-before-the-claim"),
    ],
)
def test_a_message_queued_by_the_code_before_a_new_column_is_stored_while_the_new_code_migrates(added):
    """Deploying: `migrate` runs while the web and worker processes still on the code before it queue e-mails (a
    patient's receipt, in the transaction that sends their form). Their INSERT names no `may_have_arrived` (nor
    `claim`, from a portal older than messaging 0006); with no database default it broke the column's NOT NULL, and
    the patient's form was not sent."""
    from django.db import connection

    message = OutboundMessage(
        kind=OutboundMessage.Kind.CONFIRMATION,
        about_id=1,
        recipients=["pat@example.org"],
        next_attempt_at=timezone.now(),
    )
    fields = [f for f in OutboundMessage._meta.concrete_fields if not f.primary_key and f.name not in added]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(message, add=True), connection) for f in fields]
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",  # noqa: S608 - model names
            values,
        )
    stored = OutboundMessage.objects.get(kind=OutboundMessage.Kind.CONFIRMATION, about_id=1)
    assert (stored.may_have_arrived, stored.claim) == (False, "")


@pytest.fixture
def silent_mail_server(settings):
    """A mail server that takes the connection and never says a word: the portal's SMTP connection times out before
    the server's greeting, so nothing was handed over."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 0.2
    yield
    listener.close()


def test_a_message_the_mail_server_never_began_to_take_is_not_counted_as_one_that_may_have_arrived(
    silent_mail_server, settings, monkeypatch
):
    """A mail server that times out before it greets (or a connection that cannot be opened at all) took nothing: the
    staff pages said "Not confirmed: may have been delivered" for every message of a night the server was
    unreachable, and a reminder's link stayed waiting for no one. Only a failure after the message was handed over
    may have arrived (`test_a_reminder_that_may_have_arrived_...`, TakenThenNoAnswerBackend)."""
    from messaging import registry

    monkeypatch.setitem(registry._renderers, "invitation", lambda message: registry.Rendered("Hi", "Hello"))
    settings.MESSAGE_MAX_ATTEMPTS = 1
    message = messages.queue("invitation", 1, ["pat@example.org"])
    assert messages.send(message.pk) == "failed"
    stored = OutboundMessage.objects.get(pk=message.pk)
    assert not stored.may_have_arrived
    assert stored.state == "failed"
