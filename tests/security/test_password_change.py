"""Staff change their own password: front desk and clinicians have no admin account page, and had no way to."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.test import Client

from audit.models import AuditEvent
from tests.security.conftest import PASSWORD, sign_in_with_password

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-longer-walk-by-the-river"


def _grant(user, perm_name: str) -> None:
    app_label, codename = perm_name.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


PAGE = "/staff/password/"
NEW = "a-longer-walk-by-the-river"


def _change(client: Client, old: str = PASSWORD, new: str = NEW, again: str | None = None):
    return client.post(
        PAGE, {"old_password": old, "new_password1": new, "new_password2": new if again is None else again}
    )


def test_the_menu_offers_it_to_anyone_signed_in(client, front_desk):
    client.force_login(front_desk)
    assert f'href="{PAGE}">Change password</a>' in client.get("/staff/queue/").content.decode()


def test_the_front_desk_changes_their_password_and_signs_in_with_the_new_one(client, front_desk):
    sign_in_with_password(client, "frontdesk")
    response = _change(client)
    assert response.status_code == 302
    assert "Your password is changed" in client.get(response["Location"], follow=True).content.decode()
    assert client.get("/staff/queue/").status_code == 200  # this session goes on

    client.post("/staff/sign-out/")
    assert sign_in_with_password(Client(), "frontdesk").status_code == 200  # the old password: the form again
    assert sign_in_with_password(Client(), "frontdesk", NEW).status_code == 302
    event = AuditEvent.objects.get(action="changed_password")
    assert event.actor == front_desk
    assert NEW not in event.detail


def test_other_sessions_of_the_person_end_when_the_password_changes(front_desk):
    elsewhere, here = Client(), Client()
    sign_in_with_password(elsewhere, "frontdesk")
    sign_in_with_password(here, "frontdesk")
    _change(here)
    assert elsewhere.get("/staff/queue/")["Location"].startswith("/staff/sign-in/")
    assert here.get("/staff/queue/").status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("not-my-password", NEW, None, "old_password", "Your old password was entered incorrectly"),
        (PASSWORD, NEW, "a-longer-walk-by-the-lake", "new_password2", "The two password fields didn"),
        (PASSWORD, "short", None, "new_password2", "This password is too short"),
        (PASSWORD, "password123", None, "new_password2", "This password is too common"),
    ],
)
def test_a_mistake_gets_a_message_next_to_its_field_and_changes_nothing(
    client, front_desk, old, new, again, field, message
):
    client.force_login(front_desk)
    response = _change(client, old, new, again)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert f'id="error_1_id_{field}"' in response.content.decode()  # crispy's message under the field
    front_desk.refresh_from_db()
    assert front_desk.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="changed_password").exists()


def test_the_password_typed_is_never_shown_back(client, front_desk):
    client.force_login(front_desk)
    page = _change(client, "not-my-password").content.decode()
    assert "not-my-password" not in page
    assert NEW not in page


def test_a_password_only_session_whose_account_now_needs_a_second_factor_cannot_change_the_password(client, front_desk):
    """Every staff page ends a session signed in with a password alone once the account needs a second factor
    (accounts.two_factor.needs_second_step): the password page too."""
    sign_in_with_password(client, "frontdesk")
    _grant(front_desk, "intake.view_intake")  # now needs an authenticator: the queue would end this session

    response = client.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")  # sent to sign in with both steps, as elsewhere
    front_desk.refresh_from_db()
    assert front_desk.check_password(PASSWORD)  # not changed by a session without the second step
    assert not AuditEvent.objects.filter(action="changed_password").exists()


def test_the_current_password_cannot_be_guessed_without_limit_from_a_signed_in_session(
    client,
    front_desk,
):
    """Wrong current passwords count towards the sign-in's lockout (django-axes): someone at a computer left signed in
    cannot try passwords until one works, then change it."""
    client.force_login(front_desk)
    for attempt in range(40):
        client.post(
            "/staff/password/",
            {"old_password": f"guess-{attempt}", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    response = client.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    front_desk.refresh_from_db()
    assert front_desk.check_password(PASSWORD), "the 41st guess at the current password was still checked"
    assert response.status_code == 429
    assert "Sign-in is paused for this account" in response.content.decode()


def test_passwords_typed_on_the_password_page_are_not_kept_in_clear_in_the_lockout_records(client, front_desk):
    """A wrong current password is now a django-axes failure, and axes keeps the request's POST with each failure.
    AXES_SENSITIVE_PARAMETERS masks "password", "code", "token" - not "old_password", "new_password1/2": the near-miss
    guess at the current password and the new password the person is choosing sit in clear in axes_accessattempt
    (shown in the admin's Access attempts)."""
    client.force_login(front_desk)
    client.post(PAGE, {"old_password": "correct-horse-batterz", "new_password1": NEW_PASSWORD, "new_password2": NEW})
    stored = "\n".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert stored, "the wrong current password was counted (precondition)"
    assert "correct-horse-batterz" not in stored, "the guess at the current password is stored in clear"
    assert NEW not in stored, "the new password is stored in clear"


def test_changing_the_password_clears_the_wrong_current_passwords_count(client, front_desk):
    """At the sign-in a correct password clears the count (AXES_RESET_ON_SUCCESS); on the password page a correct
    current password does not. Four slips on the password page, then a successful change, then one typo at the next
    sign-in: the person is locked out of their own account for 15 minutes with the right new password."""
    assert sign_in_with_password(client, "frontdesk").status_code == 302
    for slip in range(4):
        client.post(PAGE, {"old_password": f"slip-{slip}", "new_password1": NEW, "new_password2": NEW})
    changed = client.post(PAGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert changed.status_code == 302
    client.post("/staff/sign-out/")

    browser = Client()
    sign_in_with_password(browser, "frontdesk", "a-longer-walk-by-the-rivr")  # one typo
    answer = sign_in_with_password(browser, "frontdesk", NEW)
    assert answer.status_code == 302, "locked out by slips made before the password was changed successfully"
