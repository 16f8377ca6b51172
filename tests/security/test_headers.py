"""Security headers on every page: strict CSP, nosniff, Referrer-Policy, no framing; no-store on private pages;
HSTS over HTTPS.

The sweep of every URL of url_table.py checks `header_problems` on each page that tests/security/test_csrf.py opens
to see that no GET changes data: one sweep of every URL instead of two (each takes seconds)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PRIVATE_PREFIXES = ("/intake/", "/staff/", "/admin/")


def header_problems(url: str, response) -> list[str]:
    headers = response.headers
    problems = []
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("Referrer-Policy") != "same-origin":
        problems.append("no Referrer-Policy")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy")
    if headers.get("Content-Type", "").startswith("text/html"):
        policy = headers.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", policy)
        if "frame-ancestors 'none'" not in policy or script_src is None or "unsafe-inline" in script_src.group(1):
            problems.append(f"weak CSP {policy!r}")
    if url.startswith(PRIVATE_PREFIXES):
        cache_control = headers.get("Cache-Control", "")
        if "no-store" not in cache_control or "private" not in cache_control:
            problems.append(f"Cache-Control {cache_control!r}")
    return problems


def test_error_answers_on_private_pages_are_not_stored_either(client):
    response = client.get("/staff/no-such-page/")
    assert response.status_code == 404
    assert "no-store" in response.headers["Cache-Control"]


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_public_article_pages_may_be_cached(client):
    assert "no-store" not in client.get("/articles/").headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/static/css/accounts.css", "/static/admin/css/base.css"])
def test_static_files_carry_the_security_headers_every_other_response_has(client, path):
    """whitenoise answers /static/ before the middleware that adds them (the stop-32 security audit)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    response = client.get(staticfiles_storage.url(path.removeprefix("/static/")))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Permissions-Policy"] == settings.PERMISSIONS_POLICY
