"""A locked-out person lifts their own lock with a one-time link e-mailed to their account's address.

The page that offers it answers alike for every username; the link works once, for 30 minutes, from any address;
opening it changes nothing until its button is pressed; an account gets at most three such e-mails an hour.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from tests.security.conftest import sign_in_with_password

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.7"
HOME = "192.0.2.44"


@pytest.fixture(autouse=True)
def _emails_sent_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://portal.example"


def lock(client, username: str = "frontdesk", *, address: str = OFFICE):
    for _ in range(5):
        response = client.post(
            "/staff/sign-in/", {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address
        )
    assert response.status_code == 429
    return response


def ask_for_link(client, username: str = "frontdesk", *, address: str = OFFICE):
    return client.post("/staff/sign-in/unlock/", {"username": username}, REMOTE_ADDR=address)


def link_path() -> str:
    (message,) = mail.outbox
    (link,) = re.findall(r"https://portal\.example(/staff/sign-in/unlock/[^/\s]+/[^/\s]+/)", str(message.body))
    return link


def test_the_lockout_page_offers_the_link_with_the_username_filled_in(client, front_desk):
    html = lock(client).content.decode()
    assert "E-mail me a link to unlock" in html
    assert 'action="/staff/sign-in/unlock/"' in html
    assert 'value="frontdesk"' in html
    # Nothing inline for the strict CSP to refuse: scripts only by address, no style attributes.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html


def test_the_link_goes_to_the_accounts_address_and_unlocks_from_any_address(client, front_desk):
    lock(client)
    response = ask_for_link(client)
    assert response.headers["Location"] == "/staff/sign-in/unlock/sent/"
    assert "Check your e-mail" in client.get("/staff/sign-in/unlock/sent/").content.decode()
    (message,) = mail.outbox
    assert message.to == ["frontdesk@example.org"]
    assert "30 minutes" in message.body

    # Opened on a phone at home: the page only offers a button; opening it changes nothing.
    page = client.get(link_path(), REMOTE_ADDR=HOME)
    assert page.status_code == 200
    assert "Unlock sign-in for frontdesk" in page.content.decode()
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).status_code == 429

    response = client.post(link_path(), REMOTE_ADDR=HOME)
    assert response.headers["Location"] == "/staff/sign-in/"
    assert "Sign-in is unlocked for frontdesk" in client.get("/staff/sign-in/").content.decode()
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).headers["Location"] == "/staff/welcome/"


def test_the_link_works_once(client, front_desk):
    lock(client)
    ask_for_link(client)
    path = link_path()
    assert client.post(path).status_code == 302
    lock(client)
    response = client.post(path)
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).status_code == 429


@pytest.mark.parametrize("failing_step", ["accounts.unlock.reset_failures", "accounts.two_factor.forget_wrong_codes"])
def test_a_database_error_while_unlocking_leaves_the_link_working(client, front_desk, failing_step):
    """The button was pressed, but the database failed before the lock was lifted: the person is still locked out,
    and the same link, pressed again, still unlocks. Spent first, apart from the clearing, it left a dead link."""
    lock(client)
    ask_for_link(client)
    path = link_path()
    timeout = OperationalError("canceling statement due to statement timeout")
    with mock.patch(failing_step, side_effect=timeout), pytest.raises(OperationalError):
        client.post(path, REMOTE_ADDR=HOME)
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).status_code == 429

    assert "Unlock sign-in for frontdesk" in client.get(path, REMOTE_ADDR=HOME).content.decode()
    assert client.post(path, REMOTE_ADDR=HOME).headers["Location"] == "/staff/sign-in/"
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).headers["Location"] == "/staff/welcome/"


def test_the_link_expires_after_thirty_minutes(client, front_desk):
    lock(client)
    ask_for_link(client)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        lock(client)
        response = client.post(link_path())
        assert "This link no longer works" in response.content.decode()
        assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).status_code == 429


def test_a_tampered_link_or_another_persons_id_does_not_work(client, front_desk, editor):
    lock(client)
    ask_for_link(client)
    path = link_path()
    _, _, _, _, uidb64, token, _ = path.split("/")
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    others = urlsafe_base64_encode(force_bytes(editor.pk))
    for wrong in (f"/staff/sign-in/unlock/{uidb64}/{token[:-1]}x/", f"/staff/sign-in/unlock/{others}/{token}/"):
        assert "This link no longer works" in client.post(wrong).content.decode()
    assert sign_in_with_password(client, "frontdesk", REMOTE_ADDR=OFFICE).status_code == 429


@pytest.mark.parametrize("case", ["no such account", "no e-mail address", "not locked", "inactive"])
def test_the_answer_is_the_same_whoever_is_asked_for_and_only_a_locked_account_gets_mail(
    client, front_desk, django_user_model, case
):
    username = {"no such account": "nobody", "not locked": "frontdesk"}.get(case, "other")
    if case in {"no e-mail address", "inactive"}:
        other = django_user_model.objects.create_user(username="other", password="x", email="")
        if case == "inactive":
            other.email, other.is_active = "other@example.org", False
            other.save()
        lock(client, "other")
    reference = ask_for_link(client, "frontdesk" if case != "not locked" else "nobody-at-all")
    response = ask_for_link(client, username)
    assert response.status_code == reference.status_code == 302
    assert response.headers["Location"] == reference.headers["Location"]
    assert mail.outbox == []


def test_an_account_gets_at_most_three_unlock_emails_an_hour(client, front_desk, rate_limits_on):
    lock(client)
    for number in range(4):
        assert ask_for_link(client, address=f"203.0.113.{number + 1}").status_code == 302
    assert len(mail.outbox) == 3


def test_asking_for_links_is_rate_limited_per_address(client, rate_limits_on):
    for number in range(10):
        assert ask_for_link(client, f"someone-{number}").status_code == 302
    response = ask_for_link(client, "someone-else")
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def test_an_unlock_link_in_a_log_line_is_masked(front_desk, client):
    """The link is a secret that appears in a path: the development server's access log and a "Not Found" line
    print paths, and every handler's filter masks it as it masks a patient's link."""
    from clinic_portal.log_filters import WithholdPatientData

    lock(client)
    ask_for_link(client)
    path = link_path()
    for message, args in (('"GET %s HTTP/1.1" 200 1234', (path,)), ("Not Found: %s", (path + "x/",))):
        record = logging.LogRecord("django.server", logging.INFO, "", 0, message, args, None)
        WithholdPatientData().filter(record)
        assert "/staff/sign-in/unlock/[link]/" in record.getMessage()
        assert path.split("/")[-2] not in record.getMessage()
