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
