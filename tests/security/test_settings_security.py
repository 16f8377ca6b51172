"""Production settings keep cookies and transport locked down (read in a fresh process with DEBUG off)."""

from __future__ import annotations

import functools
import json

from tests.foundation.test_settings import PRODUCTION_ENV, run_manage

SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k) for k in ["
    "'SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE','CSRF_COOKIE_SECURE',"
    "'CSRF_COOKIE_HTTPONLY',"
    "'CSRF_COOKIE_SAMESITE','SECURE_HSTS_SECONDS','SECURE_CONTENT_TYPE_NOSNIFF','SECURE_REFERRER_POLICY',"
    "'SECURE_SSL_REDIRECT','SESSION_COOKIE_AGE','RATELIMIT_ENABLE','AXES_FAILURE_LIMIT','INTAKE_RETENTION_MONTHS']}))"
)


def production_settings(**extra):
    return dict(_read_in_a_fresh_process(tuple(sorted(extra.items()))))


# A fresh process costs about a second; the same environment always gives the same settings, so the tests below share
# one read of the production environment instead of starting a process each. A failed read is not kept (functools
# keeps only returned values): each test that needs it tries again and fails with its stderr.
@functools.cache
def _read_in_a_fresh_process(extra: tuple[tuple[str, str], ...]) -> dict[str, object]:
    result = run_manage("shell", "-c", SHOW, env={**PRODUCTION_ENV, **dict(extra)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


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
