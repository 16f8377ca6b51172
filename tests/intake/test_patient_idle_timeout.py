"""The patient's session ends after an hour without a page, and each page opened keeps it going; moving the timeout
writes the session at most once a minute, so most pages send no write at all (issue 16)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.patient_session import RENEW_EVERY_SECONDS
from intake.rules.questionnaire import PAGE_SLUGS

pytestmark = pytest.mark.django_db

FIRST_PAGE = f"/intake/step/{PAGE_SLUGS[1]}/"  # the first after the consent page


def _opens_the_form(response) -> bool:
    return response.status_code == 200 and b"data-intake-step" in response.content


def test_the_session_ends_after_an_hour_without_a_page(client, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        from tests.intake.conftest import Patient
        from tests.intake.factories import make_invitation

        _invitation, token = make_invitation()
        patient = Patient(client, token).sign_in()
        patient.agree()
        assert _opens_the_form(client.get(FIRST_PAGE))

        clock.shift(datetime.timedelta(minutes=61))
        response = client.get(FIRST_PAGE)

    assert not _opens_the_form(response)
    assert b"data-intake-step" not in response.content


def test_pages_opened_now_and_then_keep_the_session_going_for_hours(patient, settings):
    settings.INTAKE_SESSION_IDLE_SECONDS = 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):  # four hours in all, a page every 50 minutes
            clock.shift(datetime.timedelta(minutes=50))
            assert _opens_the_form(patient.client.get(FIRST_PAGE))
        # Seconds after a page, another page: the timeout is not moved, yet it is still an hour from the last move.
        clock.shift(datetime.timedelta(seconds=RENEW_EVERY_SECONDS - 5))
        assert _opens_the_form(patient.client.get(FIRST_PAGE))
        clock.shift(datetime.timedelta(minutes=59))
        assert _opens_the_form(patient.client.get(FIRST_PAGE))


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _opens_the_form(client.get(path))
    return sum(
        1
        for query in queries.captured_queries
        if "django_session" in query["sql"] and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_the_session_is_written_at_most_once_a_minute(patient):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(datetime.timedelta(seconds=RENEW_EVERY_SECONDS))
        assert _session_writes(patient.client, FIRST_PAGE) == 1  # a minute since the last move: moved now
        assert _session_writes(patient.client, FIRST_PAGE) == 0
        clock.shift(datetime.timedelta(seconds=RENEW_EVERY_SECONDS - 1))
        assert _session_writes(patient.client, FIRST_PAGE) == 0
        clock.shift(datetime.timedelta(seconds=1))
        assert _session_writes(patient.client, FIRST_PAGE) == 1
