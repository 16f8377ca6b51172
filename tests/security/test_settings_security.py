"""Production settings keep cookies and transport locked down (read in a fresh process with DEBUG off)."""

from __future__ import annotations

from typing import Any

from tests.foundation.test_settings import settings_in_a_fresh_process


def production_settings(**extra: str) -> dict[str, Any]:
    """The settings a fresh process reads with DEBUG off; the production environment's read is shared with
    tests/foundation/test_settings.py (one process for the lot)."""
    return settings_in_a_fresh_process(**extra)


def test_production_cookies_are_secure_http_only_and_same_site():
    values = production_settings()
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_production_sends_hsts_for_a_year_and_redirects_to_https():
    values = production_settings()
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_session_cookie_lives_no_longer_than_the_twelve_hour_limit_and_rate_limits_are_on():
    values = production_settings()
    assert values["SESSION_COOKIE_AGE"] == 12 * 3600
    assert values["RATELIMIT_ENABLE"] is True
    assert values["AXES_FAILURE_LIMIT"] == 5


def test_retention_is_read_from_the_environment():
    assert production_settings()["INTAKE_RETENTION_MONTHS"] == 84
    assert production_settings(INTAKE_RETENTION_MONTHS="36")["INTAKE_RETENTION_MONTHS"] == 36
