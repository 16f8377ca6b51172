"""No patient data in logs, URLs, e-mail subjects, error pages or caches.

A patient's intake goes through the real pages with a unique marker in every free-text answer, their name and their
e-mail; along the way we cause a 404, validation errors and a 500. Then the marker is looked for everywhere it must
not be: every log record (all loggers, DEBUG and up), every URL requested or redirected to, every e-mail subject,
every error page, and the caches.
"""

from __future__ import annotations

import datetime
import logging
import re
import traceback
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import load_command_class
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections
from django.test import Client
from django.utils import timezone

from intake import services
from intake.models import Intake
from intake.rules.questionnaire import PAGE_SLUGS, QUESTIONS, page_by_slug
from tests.intake.factories import BIRTH_DATE, days_ahead_at, post_data, routine_answers, submitted_intake

pytestmark = pytest.mark.django_db

MARKER = "Zqxmarker"
TEXT_ANSWERS = {
    "onset_cause": "other",
    "onset_cause_other": f"{MARKER} onset",
    "medications": f"{MARKER} medicines",
    "race_goal": f"{MARKER} race",
    "past_injuries": f"{MARKER} injuries",
    "visit_goals": f"{MARKER} goals",
    "worries": f"{MARKER} worries",
    "psfs_1_activity": f"{MARKER} activity one",
    "psfs_2_activity": f"{MARKER} activity two",
    "psfs_3_activity": f"{MARKER} activity three",
}
# The phone number staff call: a marker of its own, the digits as any log or page might write them.
PHONE_DIGITS = "2015550177"
PHONE_ANSWER = {"phone": f"+1{PHONE_DIGITS}"}


def test_every_free_text_question_of_the_form_is_marked():
    """A free-text question added later is marked here too (the test below fills every one)."""
    free_text = {code for code, question in QUESTIONS.items() if question.kind in {"text", "phone"}}
    assert free_text == set(TEXT_ANSWERS) - {"onset_cause"} | set(PHONE_ANSWER)


class Recorder:
    """Wraps a test client and keeps every URL it asked for or was sent to, and every answer's body."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.urls: list[str] = []
        self.pages: list[tuple[int, str]] = []

    def _keep(self, path: str, response):  # type: ignore[no-untyped-def]
        self.urls.append(path)
        if response.has_header("Location"):
            self.urls.append(response["Location"])
        body = b"".join(response.streaming_content) if response.streaming else response.content
        self.pages.append((response.status_code, body.decode("utf-8", "replace")))
        return response

    def get(self, path: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        return self._keep(path, self.client.get(path, *args, **kwargs))

    def post(self, path: str, data=None, **kwargs):  # type: ignore[no-untyped-def]
        return self._keep(path, self.client.post(path, data or {}, **kwargs))


@pytest.fixture
def tasks_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ALERT_EMAILS = ["on-call@clinic.example"]


def test_a_marked_intake_leaves_no_trace_in_logs_urls_email_subjects_error_pages_or_caches(
    caplog, tasks_at_once, front_desk, clinician
):
    caplog.set_level(logging.DEBUG)
    desk = Recorder(Client(raise_request_exception=False))
    desk.client.force_login(front_desk)
    appointment = days_ahead_at(2)
    form = {
        "patient_name": f"{MARKER} Patient",
        "email": f"{MARKER.lower()}@example.org",
        "date_of_birth": BIRTH_DATE.isoformat(),
        "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
        "send_email": "on",
    }
    # A validation error first (a date of birth in the future), then the real invitation.
    desk.post("/staff/invitations/new/", {**form, "date_of_birth": "2999-01-01"})
    response = desk.post("/staff/invitations/new/", form)
    assert response.status_code == 302
    desk.get(response["Location"])
    invitation_mail = mail.outbox[-1]
    found = re.search(r"/intake/start/([^/\s]+)/", str(invitation_mail.body))
    assert found is not None
    token = found.group(1)

    patient = Recorder(Client(raise_request_exception=False))
    patient.get("/intake/start/not-a-real-token/")  # a 404
    patient.get(f"/intake/start/{token}/")
    patient.post("/intake/confirm/", {"date_of_birth": "1999-09-09"})  # wrong date: a validation message
    patient.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})
    answers = routine_answers(
        ce_saddle_numbness="yes", ce_onset="within_14_days", psfs_2=5, psfs_3=6, **TEXT_ANSWERS, **PHONE_ANSWER
    )
    for slug in PAGE_SLUGS:
        data = post_data(page_by_slug(slug), answers)
        if any(code in TEXT_ANSWERS for code in data):
            # A validation error on the same page first: the marked text comes back in the form, not in a log.
            bad = {**data, **{k: "not a number" for k in data if k in {"height_cm", "pain_now", "runs_per_week"}}}
            patient.post(f"/intake/step/{slug}/", bad)
        response = patient.post(f"/intake/step/{slug}/", data)
        assert response.status_code == 302, (
            slug,
            re.findall(r"invalid-feedback[^>]*>([^<]*)", response.content.decode()),
        )
        if response.get("Location", "").endswith("/intake/important/"):
            patient.post("/intake/important/", {"acknowledged": "on"})
    # A 500 while sending, with the marker in the exception's message.
    with mock.patch.object(services, "submit_intake", side_effect=RuntimeError(f"boom {MARKER}")):
        crashed = patient.post("/intake/review/")
    assert crashed.status_code == 500
    patient.post("/intake/review/")
    intake = Intake.objects.get(invitation__patient_name=f"{MARKER} Patient")
    assert intake.status == Intake.Status.SUBMITTED
    assert MARKER in str(intake.answers)  # the marker really went in
    assert all(intake.answers[code] == value for code, value in {**TEXT_ANSWERS, **PHONE_ANSWER}.items())

    staff = Recorder(Client(raise_request_exception=False))
    staff.client.force_login(clinician)
    staff.get(f"/staff/intakes/{intake.pk}/")
    # The queue's name search, as the page sends it (a POST, then the page of results): it found the patient, and
    # neither address holds the name. (It read `?q=`, which the queue has never taken: the stop-32 privacy audit.)
    searched = staff.post("/staff/queue/search/", {"name": f"{MARKER} Patient"})
    results = staff.get(searched["Location"])
    assert f"{MARKER} Patient" in results.content.decode()
    export = staff.get("/staff/queue/export.csv")
    assert export.status_code == 200
    assert "no-store" in export["Cache-Control"]
    assert MARKER in staff.pages[-1][1]  # the export has the answers: it is a download for clinicians, never cached

    assert mail.outbox, "the invitation, confirmation and alert e-mails were sent"
    urls = desk.urls + patient.urls + staff.urls
    error_pages = [body for status, body in desk.pages + patient.pages + staff.pages if status >= 400]
    assert error_pages, "the 404 and 500 pages were seen"
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM portal_ratelimit_cache")
        counters = str(cursor.fetchall())
    for marker in (MARKER, PHONE_DIGITS):
        assert not [m.subject for m in mail.outbox if marker.lower() in m.subject.lower()]
        assert marker.lower() not in caplog.text.lower()
        for record in caplog.records:
            assert marker.lower() not in str(record.__dict__).lower(), record.name
        assert not [url for url in urls if marker.lower() in url.lower()]
        assert not [body for body in error_pages if marker in body]
        assert marker not in counters
        assert marker not in str(getattr(caches["default"], "_cache", {}))


def test_a_refused_patient_address_stays_out_of_the_logs_and_the_task_result_table(caplog, settings, front_desk):
    """The mail server turns the patient's address away, and its error quotes it: through the worker's own code, the
    logs and the task result table keep the exception's type, never its text (the e-mail is retried later)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    caplog.set_level(logging.DEBUG)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.alerts.mail_backends.RefusingBackend"
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    address = f"{MARKER.lower()}@example.org"
    services.create_invitation(
        patient_name=f"{MARKER} Patient",
        email=address,
        date_of_birth=BIRTH_DATE,
        appointment_at=timezone.now() + datetime.timedelta(days=2),
        created_by=front_desk,
        send_email=True,
    )
    services.create_submitted_intake_for_demo(answers=routine_answers(), email=address, patient_name=f"{MARKER} Two")
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        worker.run_task(result)
        ran += 1
    assert ran == 2, "the invitation and the confirmation were tried"
    assert MARKER.lower() not in str(list(DBTaskResult.objects.values())).lower()
    assert MARKER.lower() not in caplog.text.lower()
    for record in caplog.records:
        assert MARKER.lower() not in str(record.__dict__).lower(), record.name


# PostgreSQL's text for a row it refused quotes the whole row (psycopg's str() includes the DETAIL line).
ROW_QUOTED = IntegrityError(
    'null value in column "expires_at" of relation "intake_invitation" violates not-null constraint\n'
    f"DETAIL:  Failing row contains (7, {MARKER} Patient, {MARKER.lower()}@example.org, 1980-02-03, null)."
)


@pytest.mark.parametrize(
    ("command", "failing"),
    [
        ("send_due_messages", "intake.management.commands.send_due_messages.send_due_messages"),
        ("retriage", "intake.services.retriage"),
        ("purge_old_intakes", "intake.management.commands.purge_old_intakes.purge_old_intakes"),
    ],
)
def test_a_command_run_by_cron_fails_without_printing_the_row_its_database_error_quotes(command, failing, capsys):
    """What cron or a systemd timer runs prints its failure to standard error, which cron mails and the journal
    keeps: the command exits non-zero naming the error's class, not its text (and --traceback shows where, without
    the original error chained in)."""
    submitted_intake()  # something for retriage to go over
    runner = load_command_class("intake", command)
    with mock.patch(failing, side_effect=ROW_QUOTED), mock.patch.object(connections, "close_all"):
        with pytest.raises(SystemExit) as ended:
            runner.run_from_argv(["manage.py", command, "--skip-checks"])
        with pytest.raises(CommandError) as raised:
            runner.run_from_argv(["manage.py", command, "--skip-checks", "--traceback"])
    assert ended.value.code == 1
    printed = capsys.readouterr().err
    assert "IntegrityError" in printed
    assert MARKER.lower() not in printed.lower()
    assert MARKER.lower() not in "".join(traceback.format_exception(raised.value)).lower()


@pytest.mark.parametrize(
    ("command", "failing", "where"),
    [
        ("send_due_messages", "intake.management.commands.send_due_messages.send_due_messages", "in run_once"),
        ("retriage", "intake.services.retriage", "in retriage"),
        ("purge_old_intakes", "intake.management.commands.purge_old_intakes.purge_old_intakes", "in purge"),
    ],
)
def test_a_command_run_again_with_traceback_shows_where_it_failed_without_the_row(command, failing, where):
    """An engineer runs the failed command again with --traceback to see where it failed: it showed only the
    command's `handle`, the frames of the failure itself gone with its message. They are shown (file, line, code), as
    the logs keep them for a page's error, the message still withheld."""
    submitted_intake()
    runner = load_command_class("intake", command)
    with (
        mock.patch(failing, side_effect=ROW_QUOTED),
        mock.patch.object(connections, "close_all"),
        pytest.raises(CommandError) as raised,
    ):
        runner.run_from_argv(["manage.py", command, "--skip-checks", "--traceback"])
    shown = "".join(traceback.format_exception(raised.value))
    assert f"{command}.py" in shown
    assert where in shown
    assert "django.db.utils.IntegrityError" in shown
    assert MARKER.lower() not in shown.lower()
    assert "1980-02-03" not in shown
