"""Repeated wrong passwords lock a username and an address for a cool-off; nothing is checked while locked."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from tests.security.conftest import sign_in_with_password

pytestmark = pytest.mark.django_db


def fail(client, username: str, times: int, *, address: str = "198.51.100.7"):
    for _ in range(times):
        response = client.post(
            "/staff/sign-in/", {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address
        )
    return response


def test_five_wrong_passwords_lock_the_account_with_a_page_that_says_what_to_do(client, front_desk):
    assert fail(client, "frontdesk", 4).status_code == 200
    response = fail(client, "frontdesk", 1)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is paused" in html
    assert "15 minutes" in html


def test_the_right_password_is_refused_while_locked(client, front_desk):
    fail(client, "frontdesk", 5)
    response = sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_password_is_not_even_checked_while_locked(client, front_desk):
    fail(client, "frontdesk", 5)
    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as password_check:
        sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.7")
    password_check.assert_not_called()


def test_a_username_is_locked_from_every_address(client, front_desk):
    for number in range(5):
        fail(client, "frontdesk", 1, address=f"203.0.113.{number + 1}")
    response = sign_in_with_password(client, "frontdesk", REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429


def test_an_address_is_locked_for_every_username(client, front_desk, editor):
    for name in ("a", "b", "c", "d", "e"):
        fail(client, f"nobody-{name}", 1, address="198.51.100.50")
    response = sign_in_with_password(client, "editor", REMOTE_ADDR="198.51.100.50")
    assert response.status_code == 429
    # Another address is not affected.
    response = sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.51")
    assert response.status_code == 302


def test_the_lock_lifts_after_the_fifteen_minute_cool_off(client, front_desk):
    fail(client, "frontdesk", 5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        response = sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/welcome/"


def test_a_successful_sign_in_clears_earlier_typos(client, front_desk):
    fail(client, "frontdesk", 4)
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.7").status_code == 302
    client.post("/staff/sign-out/")
    assert fail(client, "frontdesk", 4).status_code == 200
