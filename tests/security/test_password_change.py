"""Staff change their own password: front desk and clinicians have no admin account page, and had no way to."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.security.conftest import PASSWORD, sign_in_with_password

pytestmark = pytest.mark.django_db

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
