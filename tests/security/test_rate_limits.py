"""Too many requests from one address to the patient pages or the sign-in page get a 429 that says what to do."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import caches
from django.db import DatabaseError

pytestmark = pytest.mark.django_db

INTAKE_PATH = "/intake/start/not-a-real-token/"


def test_an_address_that_opens_patient_pages_too_often_gets_a_429_with_the_clinic_phone(client, rate_limits_on):
    rate_limits_on.RATE_LIMITS = [{**rate_limits_on.RATE_LIMITS[0], "rate": "5/10m"}]
    for _ in range(5):
        assert client.get(INTAKE_PATH).status_code != 429
    response = client.get(INTAKE_PATH)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many tries" in html
    assert 'href="tel:5550100100"' in html
    assert 0 < int(response.headers["Retry-After"]) <= 600
    assert "no-store" in response.headers["Cache-Control"]


def test_another_address_is_not_affected(client, rate_limits_on):
    rate_limits_on.RATE_LIMITS = [{**rate_limits_on.RATE_LIMITS[0], "rate": "3/10m"}]
    for _ in range(4):
        client.get(INTAKE_PATH, REMOTE_ADDR="203.0.113.1")
    assert client.get(INTAKE_PATH, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.get(INTAKE_PATH, REMOTE_ADDR="203.0.113.2").status_code != 429


def test_the_sign_in_page_allows_twenty_tries_per_address_then_answers_429(client, rate_limits_on, settings):
    settings.AXES_ENABLED = False  # count the rate limit alone, not the lockout
    for number in range(20):
        response = client.post("/staff/sign-in/", {"username": f"user{number}", "password": "x"})
        assert response.status_code == 200
    response = client.post("/staff/sign-in/", {"username": "user99", "password": "x"})
    assert response.status_code == 429
    # Reading the page is not a try.
    assert client.get("/staff/sign-in/").status_code == 200


def test_articles_are_never_rate_limited(client, rate_limits_on):
    rate_limits_on.RATE_LIMITS = [{**rule, "rate": "1/10m"} for rule in rate_limits_on.RATE_LIMITS]
    for _ in range(5):
        assert client.get("/articles/").status_code == 200


def test_limits_are_off_when_turned_off(client, rate_limits_on):
    rate_limits_on.RATE_LIMITS = [{**rate_limits_on.RATE_LIMITS[0], "rate": "1/10m"}]
    rate_limits_on.RATELIMIT_ENABLE = False
    for _ in range(3):
        assert client.get(INTAKE_PATH).status_code != 429


def broken_counter():
    return mock.patch.object(type(caches["ratelimit"]), "hit", side_effect=DatabaseError("cache table missing"))


def test_patient_pages_stay_open_when_the_counter_is_broken(client, rate_limits_on):
    with broken_counter():
        assert client.get(INTAKE_PATH).status_code != 429


def test_sign_in_closes_when_the_counter_is_broken(client, rate_limits_on, front_desk):
    with broken_counter():
        response = client.post("/staff/sign-in/", {"username": "frontdesk", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_behind_proxy_setting_counts_the_patients_address_not_the_proxys(client, rate_limits_on):
    rate_limits_on.TRUSTED_PROXY_COUNT = 1
    rate_limits_on.RATE_LIMITS = [{**rate_limits_on.RATE_LIMITS[0], "rate": "2/10m"}]
    for _ in range(3):
        client.get(INTAKE_PATH, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client.get(INTAKE_PATH, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Same proxy (REMOTE_ADDR 127.0.0.1), another patient: not limited. A forged left-most entry does not help.
    assert client.get(INTAKE_PATH, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code != 429
    assert client.get(INTAKE_PATH, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9").status_code == 429


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("300/10m", (300, 600)), ("20/15m", (20, 900)), ("10/h", (10, 3600)), ("3/s", (3, 1)), ("100/2d", (100, 172800))],
)
def test_rates_are_read_in_django_ratelimits_notation(rate, expected):
    from clinic_portal.middleware import parse_rate

    assert parse_rate(rate) == expected


def test_every_configured_rate_can_be_read(settings):
    from clinic_portal.middleware import parse_rate

    for rule in settings.RATE_LIMITS:
        for name in ("rate", "patient_rate"):
            if name in rule:
                limit, seconds = parse_rate(rule[name])
                assert limit > 0, rule["prefix"]
                assert seconds > 0, rule["prefix"]
