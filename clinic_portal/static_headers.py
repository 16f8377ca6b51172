"""The security headers of the static files whitenoise serves.

WhiteNoiseMiddleware answers /static/ before the middleware that adds the Content-Security-Policy, X-Frame-Options and
Permissions-Policy to every other response, so the portal's own files (the admin's too) went without them (the stop-32
security audit). No static file needs to run or load anything when opened on its own: a policy that allows nothing,
framed by nobody; an SVG opened directly cannot run a script.
"""

from __future__ import annotations

from collections.abc import MutableMapping

STATIC_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; frame-ancestors 'none'"


def add_headers(headers: MutableMapping[str, str], path: str, url: str) -> None:
    from django.conf import settings

    headers["Content-Security-Policy"] = STATIC_CSP
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = settings.PERMISSIONS_POLICY
