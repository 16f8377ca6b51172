"""The staff invitation pages: who may use them, the link shown once, the audit trail, a new link."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from intake import tokens
from intake.models import Invitation
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

NEW = "/staff/invitations/new/"


def _form(**changes: str | None) -> dict[str, str]:
    appointment = timezone.localtime() + datetime.timedelta(days=2)
    data: dict[str, str | None] = {
        "patient_name": "Jordan Quill",
        "email": "jordan@example.org",
        "date_of_birth": "1979-08-14",
        "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
        "send_email": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in (NEW, "/staff/invitations/", "/staff/invitations/1/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/")


def test_a_content_editor_may_not_open_the_invitation_pages(client, editor):
    client.force_login(editor)
    invitation, _ = make_invitation()
    for path in (NEW, "/staff/invitations/", f"/staff/invitations/{invitation.pk}/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/staff/invitations/{invitation.pk}/new-link/").status_code == 403


@pytest.mark.parametrize("persona", ["front_desk", "clinician"])
def test_front_desk_and_clinicians_can_open_the_new_invitation_page(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Invite a patient" in page.content.decode()


def test_making_an_invitation_shows_the_link_once_emails_it_and_audits_without_patient_data(client, front_desk):
    client.force_login(front_desk)
    response = client.post(NEW, _form())
    invitation = Invitation.objects.get()
    assert response["Location"] == f"/staff/invitations/{invitation.pk}/"
    page = client.get(response["Location"]).content.decode()
    link = page.split('id="invitation-link" type="text" readonly value="')[1].split('"')[0]
    token = link.rsplit("/", 2)[-2]
    assert invitation.token_hash == tokens.hash_token(token)
    assert invitation.created_by == front_desk
    assert link in mail.outbox[0].body
    again = client.get(response["Location"]).content.decode()
    assert token not in again  # shown once only
    event = AuditEvent.objects.get(action="created_invitation")
    assert event.actor == front_desk
    assert event.detail == f"invitation {invitation.pk}"


def test_the_link_can_be_made_without_emailing_it(client, clinician):
    client.force_login(clinician)
    client.post(NEW, _form(email="", send_email=None))
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"patient_name": ""}, "patient_name", "This field is required."),
        ({"email": "", "send_email": "on"}, "email", "Enter the patient"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"appointment_at": "2001-01-01T09:00"}, "appointment_at", "in the past"),
    ],
)
def test_bad_invitation_details_get_a_message_and_make_nothing(client, front_desk, changes, field, message):
    client.force_login(front_desk)
    response = client.post(NEW, _form(**changes))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert Invitation.objects.count() == 0


def test_the_invitation_list_shows_where_each_link_stands(client, front_desk):
    locked, _ = make_invitation(name="Locked Person")
    locked.locked_at = timezone.now()
    locked.failed_attempts = 5
    locked.save()
    make_invitation(name="Waiting Person")
    client.force_login(front_desk)
    page = client.get("/staff/invitations/").content.decode()
    assert "Locked Person" in page
    assert "Locked</span> after 5 wrong dates of birth" in page
    assert "Not opened yet" in page


def test_a_new_link_lifts_a_lock_and_is_shown_once(client, front_desk):
    invitation, old = make_invitation()
    invitation.locked_at = timezone.now()
    invitation.save()
    client.force_login(front_desk)
    response = client.post(f"/staff/invitations/{invitation.pk}/new-link/", {"send_email": "on"})
    page = client.get(response["Location"]).content.decode()
    assert "The link is ready" in page
    invitation.refresh_from_db()
    assert invitation.locked_at is None
    assert client.get(f"/intake/start/{old}/").status_code == 404
    assert len(mail.outbox) == 1


def test_the_page_and_the_email_give_the_last_day_the_link_works(client, front_desk):
    client.force_login(front_desk)
    appointment = timezone.make_aware(datetime.datetime(2030, 5, 6, 9, 30))
    invitation, _ = make_invitation(appointment_at=appointment, send_email=True)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "The end of Tuesday, May 7, 2030" in page
    assert "until the end of May 7" in mail.outbox[0].body


def test_the_invitation_list_costs_the_same_queries_for_many_invitations(
    client, front_desk, django_assert_max_num_queries
):
    from intake import services

    for number in range(12):
        invitation, _ = make_invitation(name=f"Person {number}")
        if number % 2:
            services.start_intake(invitation)
    client.force_login(front_desk)
    # session, user, permissions (user and group), the invitations joined with their intakes
    with django_assert_max_num_queries(6):
        page = client.get("/staff/invitations/")
    assert page.content.decode().count("Answering") == 6
