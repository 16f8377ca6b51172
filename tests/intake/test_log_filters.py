"""Invitation tokens never reach the logs, even for a bad link's "Not Found" line."""

from __future__ import annotations

import io
import logging

import pytest

from intake.log_filters import MaskInvitationTokens, mask
from tests.intake.factories import make_invitation


def test_a_token_in_a_logged_path_is_replaced():
    line = '"GET /intake/start/AbC-123_xyz/ HTTP/1.1" 302 0'
    assert mask(line) == '"GET /intake/start/[token]/ HTTP/1.1" 302 0'


def test_the_filter_rewrites_formatted_messages():
    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", ("/intake/start/s3cret/",), None
    )
    MaskInvitationTokens().filter(record)
    assert record.getMessage() == "Not Found: /intake/start/[token]/"


@pytest.mark.django_db
def test_the_console_handler_masks_the_not_found_line_of_a_bad_link(client):
    _, token = make_invitation()
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskInvitationTokens) for f in h.filters)
    )
    stream = handler.stream  # type: ignore[attr-defined]
    handler.stream = buffer = io.StringIO()  # type: ignore[attr-defined]
    try:
        client.get(f"/intake/start/{token}x/")
    finally:
        handler.stream = stream  # type: ignore[attr-defined]
    assert "Not Found: /intake/start/[token]/" in buffer.getvalue()
    assert token not in buffer.getvalue()


@pytest.mark.parametrize("gap", [" ", "%20", "  ", "%20%20"])
def test_a_token_copied_with_a_space_before_it_is_masked_too(gap):
    assert mask(f"Not Found: /intake/start/{gap}AbC-123_xyz/") == "Not Found: /intake/start/[token]/"
    assert (
        mask(f'"GET /intake/start/{gap}AbC-123_xyz/ HTTP/1.1" 404 0') == '"GET /intake/start/[token]/ HTTP/1.1" 404 0'
    )


@pytest.mark.django_db
def test_a_link_copied_with_a_space_before_its_token_still_opens(client):
    _, token = make_invitation()
    response = client.get(f"/intake/start/%20{token}%20/")
    assert response.status_code == 302
    assert response["Location"] == "/intake/confirm/"


# --- Every handler withholds patient data (docs/PITFALLS.md: the worker logs through `django_tasks`) -------------


def _our_handlers() -> list[tuple[str, logging.Handler]]:
    """Every handler on every logger, but the test runner's own capture handlers."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict))]
    return [
        (logger.name, handler)
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
    ]


def test_every_log_handler_carries_the_patient_data_filter():
    from clinic_portal.log_filters import WithholdPatientData

    handlers = _our_handlers()
    assert handlers
    unfiltered = [name for name, h in handlers if not any(isinstance(f, WithholdPatientData) for f in h.filters)]
    assert unfiltered == []


def test_gunicorn_logs_are_not_silenced_but_go_through_the_filtered_console():
    for name in ("gunicorn.access", "gunicorn.error"):
        assert logging.getLogger(name).handlers, f"{name} has no handler: its lines would be lost"


def _console_output(emit) -> str:  # type: ignore[no-untyped-def]
    from clinic_portal.log_filters import WithholdPatientData

    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, WithholdPatientData) for f in h.filters)
    )
    stream = handler.stream  # type: ignore[attr-defined]
    handler.stream = buffer = io.StringIO()  # type: ignore[attr-defined]
    try:
        emit()
    finally:
        handler.stream = stream  # type: ignore[attr-defined]
    return buffer.getvalue()


def test_a_failed_task_logged_by_the_worker_shows_no_address_but_keeps_the_exception_type():
    import smtplib

    def worker_logs_a_failed_task() -> None:
        # What django_tasks does when a task raises (django_tasks.signals.log_task_finished, logger.exception).
        try:
            raise smtplib.SMTPRecipientsRefused({"zq.patient@example.org": (550, b"<zq.patient@example.org> unknown")})
        except smtplib.SMTPRecipientsRefused:
            logging.getLogger("django_tasks").exception("Task id=%s path=%s state=%s", "abc", "x.send", "FAILED")

    output = _console_output(worker_logs_a_failed_task)
    assert "Task id=abc path=x.send state=FAILED" in output
    assert "smtplib.SMTPRecipientsRefused" in output
    assert "zq.patient" not in output


def test_addresses_in_any_log_line_are_masked():
    from clinic_portal.log_filters import redact

    line = "refused {'o'brien+zq@mail.example.org': (550, b'5.1.1 <o'brien+zq@mail.example.org>')}"
    assert "zq" not in redact(line)
    assert "brien" not in redact(line)
    output = _console_output(lambda: logging.getLogger("some.library").warning("sent to %s", "zq.lib@example.org"))
    assert "sent to [email]" in output


@pytest.mark.django_db
def test_an_error_on_the_language_switch_of_a_patient_page_is_logged_without_its_message():
    """The switcher posts to /i18n/setlang/, which saves a confirmed patient's language on their invitation and
    patient record: an error there (PostgreSQL's text for a refused row quotes the whole row) is logged with its type,
    file and line, as on the patient's own pages, not with the patient's name and e-mail."""
    from unittest import mock

    from django.db import IntegrityError
    from django.test import Client

    from tests.intake.factories import BIRTH_DATE

    _invitation, token = make_invitation(name="Zqrow Patient", email="zq.row@example.org")
    patient = Client(raise_request_exception=False)
    patient.get(f"/intake/start/{token}/")
    assert patient.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()}).status_code == 302
    refused = IntegrityError(
        'new row for relation "intake_patient" violates check constraint "patient_language"\n'
        "DETAIL:  Failing row contains (3, Zqrow Patient, 1980-02-03, zq.row@example.org, xx)."
    )
    responses = []
    with mock.patch("intake.patient_session.invitations.set_language", side_effect=refused):
        output = _console_output(
            lambda: responses.append(patient.post("/i18n/setlang/", {"language": "es", "next": "/intake/"}))
        )
    assert responses[0].status_code == 500
    assert "django.db.utils.IntegrityError" in output  # the type, for the engineer
    assert "Zqrow" not in output
    assert "1980-02-03" not in output
