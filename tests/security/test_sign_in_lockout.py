"""Repeated wrong passwords lock a username at the address they came from for a cool-off; nothing is checked while
locked, and nobody can keep a colleague out by failing on purpose from elsewhere."""

from __future__ import annotations

import datetime as dt
import io
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


def test_someone_failing_on_purpose_elsewhere_cannot_keep_the_owner_out(client, front_desk):
    """Five wrong passwords, then one more just before each pause ends, from the attacker's address: the owner, at
    another address, signs in all the while."""
    attacker = "203.0.113.66"
    assert fail(client, "frontdesk", 5, address=attacker).status_code == 429
    for quarter in range(1, 5):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=14 * quarter)):
            assert fail(client, "frontdesk", 1, address=attacker).status_code == 429
            response = sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.7")
            assert response.status_code == 302, quarter
            assert response.headers["Location"] == "/staff/welcome/"
            client.post("/staff/sign-out/")
    # The attacker's address stays locked for that username all along.
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=attacker).status_code == 429


def test_failures_from_different_addresses_do_not_add_up(client, front_desk):
    for number in range(5):
        fail(client, "frontdesk", 1, address=f"203.0.113.{number + 1}")
    response = sign_in_with_password(client, "frontdesk", REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 302


def test_a_lock_is_for_that_username_at_that_address_not_for_colleagues_behind_it(client, front_desk, editor):
    shared = "198.51.100.50"
    assert fail(client, "frontdesk", 5, address=shared).status_code == 429
    assert sign_in_with_password(client, "editor", REMOTE_ADDR=shared).status_code == 302


def test_guessing_across_many_usernames_from_one_address_is_stopped_by_the_sign_in_rate_limit(
    client, rate_limits_on, editor
):
    """django-axes has one failure limit for every lockout parameter, so an address-wide lock would lock a whole
    clinic after 5 typos; the per-address limit on guessing is the sign-in page's rate limit (20 tries per 15 min)."""
    sprayer = "203.0.113.99"
    for number in range(20):
        assert fail(client, f"guess-{number}", 1, address=sprayer).status_code == 200
    assert fail(client, "guess-20", 1, address=sprayer).status_code == 429
    assert sign_in_with_password(client, "editor", REMOTE_ADDR=sprayer).status_code == 429
    # Not a lock on the usernames: from another address they are untouched.
    assert sign_in_with_password(client, "editor", REMOTE_ADDR="198.51.100.8").status_code == 302


def test_an_administrator_can_lift_a_lock_at_once(client, front_desk):
    from django.core.management import call_command

    fail(client, "frontdesk", 5)
    call_command("axes_reset_username", "frontdesk", stdout=io.StringIO())
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.7").status_code == 302


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
