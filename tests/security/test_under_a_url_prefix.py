"""The portal served under a URL prefix (a proxy passing SCRIPT_NAME, e.g. https://clinic.example/portal/): the
protections that go by a page's address (no caching, rate limits, no patient data in logs) go by its address inside
the portal (`request.path_info`), not by the whole path the browser asked for (`request.path`, prefix included).
Before, they matched "/intake/", "/staff/" and "/admin/" against the whole path, so under a prefix none applied."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import RequestFactory

from clinic_portal.log_filters import WithholdPatientData

pytestmark = pytest.mark.django_db

PREFIX = {"SCRIPT_NAME": "/portal"}


def test_a_patient_page_under_a_prefix_is_never_kept_by_a_cache(client):
    response = client.get("/intake/no-such-page/", **PREFIX)
    assert response.status_code == 404
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_the_language_switch_on_a_patient_link_under_a_prefix_comes_back_inside_the_portal(client):
    html = client.get("/intake/start/not-a-real-token/", **PREFIX).content.decode()
    assert 'name="next" value="/portal/intake/"' in html


def test_the_sign_in_page_under_a_prefix_keeps_its_rate_limit(client, rate_limits_on, settings):
    settings.AXES_ENABLED = False  # count the rate limit alone, not the lockout
    for number in range(20):
        response = client.post("/staff/sign-in/", {"username": f"user{number}", "password": "x"}, **PREFIX)
        assert response.status_code == 200
    response = client.post("/staff/sign-in/", {"username": "user99", "password": "x"}, **PREFIX)
    assert response.status_code == 429


def test_an_error_on_a_patient_page_under_a_prefix_keeps_its_message_out_of_the_log():
    request = RequestFactory().get("/intake/step/safety/", SCRIPT_NAME="/portal")
    assert request.path == "/portal/intake/step/safety/"  # the whole path, as the log record's request holds it
    name = " ".join(("Jane", "Doe"))  # not in the traceback's source lines, only in the error's message
    try:
        raise ValueError(f"{name}, born 1 May 1980")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), exc_info)
    record.request = request
    WithholdPatientData().filter(record)
    logged = logging.Formatter().format(record)
    assert "ValueError" in logged
    assert "Jane Doe" not in logged
