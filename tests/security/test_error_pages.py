"""Error pages in the portal's style that give nothing away; a lost database answers 503 with Retry-After."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.security.failing_urls import MARKER_IN_ERROR

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(settings):
    settings.ROOT_URLCONF = "tests.security.failing_urls"
    return Client(raise_request_exception=False)


def test_a_crash_shows_a_plain_500_page_without_details(failing):
    response = failing.post("/staff/test-crash/", {"answer": "private words"})
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "private words" not in html
    assert "Traceback" not in html
    assert "ValueError" not in html
    assert "tel:911" in html


def test_a_crash_on_a_patient_page_logs_the_error_type_and_place_but_not_the_message(failing, caplog):
    caplog.set_level(logging.DEBUG)
    failing.post("/intake/test-crash/", {"answer": MARKER_IN_ERROR})
    assert "ValueError" in caplog.text
    assert "failing_urls.py" in caplog.text
    assert MARKER_IN_ERROR not in caplog.text


def test_the_database_being_down_gives_503_with_retry_after_and_a_clear_message(failing, settings):
    response = failing.get("/test-database-gone/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(settings.DATABASE_DOWN_RETRY_AFTER)
    html = response.content.decode()
    assert "busy for a moment" in html
    assert "steps you already finished are saved" in html
    assert "Connection refused" not in html


def test_a_patient_step_posted_while_the_database_is_down_keeps_the_answers_for_a_retry(failing):
    response = failing.post(
        "/intake/test-database-gone/", {"csrfmiddlewaretoken": "tok", "pain_now": "7", "notes": "left leg <b>"}
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "Your answers on this page were not lost" in html
    assert '<form method="post" action="/intake/test-database-gone/">' in html
    assert '<input type="hidden" name="pain_now" value="7">' in html
    # Escaped, never injected.
    assert '<input type="hidden" name="notes" value="left leg &lt;b&gt;">' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok">' in html


def test_an_unknown_page_gets_a_friendly_404_that_does_not_repeat_the_address(client):
    response = client.get("/no-such-page-ZZTOKEN/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert "ZZTOKEN" not in html


def test_intake_link_tokens_are_kept_out_of_the_not_found_log(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/intake/start/SECRET-TOKEN-abc123/")
    assert "SECRET-TOKEN-abc123" not in caplog.text


def test_a_forbidden_page_explains_itself(client, editor):
    client.force_login(editor)
    response = client.get("/staff/queue/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


@pytest.mark.parametrize("template", ["400.html", "403.html", "404.html", "429.html", "500.html", "503.html"])
def test_error_pages_have_no_inline_script_or_style(template):
    from django.template.loader import render_to_string

    html = render_to_string(template, {"clinic_phone": "1", "emergency_number": "911", "minutes": 5})
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html
    assert "{{" not in html
