"""A staff change and its audit row are saved together or not at all. The audit row was written after the change's
own transaction had committed: a busy database (a statement timeout, a deadlock) at that INSERT left an invitation
made, a link sent or a visit cancelled with nothing in the trail, and the busy page asked staff to check whether their
change was there."""

from __future__ import annotations

import datetime
import html
import re
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from intake.models import Invitation
from messaging.models import OutboundMessage
from tests.intake.factories import follow_up_for, make_invitation, submitted_intake

pytestmark = pytest.mark.django_db


def _busy() -> OperationalError:
    """A statement cut by statement_timeout, as Django raises it from its cursor."""
    cause = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    error = OperationalError(*cause.args)
    error.__cause__ = cause
    return error


def _desk(front_desk) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    return client


def _inputs(page: str, action: str, prefix: str = "") -> dict[str, str]:
    """The inputs of the page's form posted to `action`, with their values as drawn."""
    start = page.index(f'action="{action}"')
    form = page[start : page.index("</form>", start)]
    data = {}
    for match in re.finditer(rf'<input[^>]*name="({prefix}[a-z_]+)"[^>]*>', form):
        value = re.search(r'value="([^"]*)"', match.group(0))
        data[match.group(1)] = html.unescape(value.group(1)) if value else ""
    data.pop("csrfmiddlewaretoken", None)
    return data


def _nothing_queued() -> bool:
    return not OutboundMessage.objects.exists() and not DBTaskResult.objects.exists()


def test_a_new_invitation_whose_audit_row_meets_a_busy_database_is_not_made_and_no_link_goes(front_desk):
    appointment = timezone.localtime() + datetime.timedelta(days=2)
    form = {
        "patient_name": "Jordan Quill",
        "email": "jordan@example.org",
        "date_of_birth": "1979-08-14",
        "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
        "send_email": "on",
    }
    with mock.patch("intake.staff_views.audit.record", side_effect=_busy()):
        response = _desk(front_desk).post("/staff/invitations/new/", form)
    assert response.status_code == 503
    assert not Invitation.objects.exists()
    assert _nothing_queued()


def test_a_cancelled_visit_whose_audit_row_meets_a_busy_database_stays_booked(front_desk):
    invitation, _ = make_invitation()
    with mock.patch("intake.staff_views.audit.record", side_effect=_busy()):
        response = _desk(front_desk).post(
            f"/staff/invitations/{invitation.pk}/cancel/", {"link_version": str(invitation.link_version)}
        )
    assert response.status_code == 503
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert invitation.link_version == 1


def test_a_new_link_whose_audit_row_meets_a_busy_database_is_not_made_and_not_sent(front_desk):
    invitation, _ = make_invitation()
    client = _desk(front_desk)
    action = f"/staff/invitations/{invitation.pk}/new-link/"
    shown = _inputs(client.get(f"/staff/invitations/{invitation.pk}/").content.decode(), action)
    shown["language"] = invitation.language
    with mock.patch("intake.staff_views.audit.record", side_effect=_busy()):
        response = client.post(action, shown)
    assert response.status_code == 503
    invitation.refresh_from_db()
    assert invitation.link_version == 1
    assert _nothing_queued()


def test_changed_details_whose_audit_row_meets_a_busy_database_are_not_saved(front_desk):
    invitation, _ = make_invitation(email="old@example.org")
    client = _desk(front_desk)
    action = f"/staff/invitations/{invitation.pk}/details/"
    shown = _inputs(client.get(f"/staff/invitations/{invitation.pk}/").content.decode(), action, prefix="change-")
    shown["change-language"] = invitation.language
    with mock.patch("intake.staff_views.audit.record", side_effect=_busy()):
        response = client.post(action, {**shown, "change-email": "new@example.org"})
    assert response.status_code == 503
    invitation.refresh_from_db()
    assert invitation.email == "old@example.org"


def test_a_new_password_whose_audit_row_meets_a_busy_database_is_not_saved(front_desk):
    front_desk.set_password("correct-horse-battery")
    front_desk.save()
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    new = "a-new-and-long-passphrase-42"
    with mock.patch("accounts.views.record", side_effect=_busy()):
        response = client.post(
            "/staff/password/",
            {"old_password": "correct-horse-battery", "new_password1": new, "new_password2": new},
        )
    assert response.status_code == 503
    front_desk.refresh_from_db()
    assert front_desk.check_password("correct-horse-battery")
    assert not AuditEvent.objects.filter(action="changed_password").exists()


def test_a_new_follow_up_link_whose_audit_row_meets_a_busy_database_is_not_made_and_not_sent(front_desk):
    visit = submitted_intake()
    invitation, _, _ = follow_up_for(visit)
    before = OutboundMessage.objects.count()
    with mock.patch("intake.staff_views.audit.record", side_effect=_busy()):
        response = _desk(front_desk).post(
            f"/staff/invitations/{invitation.pk}/new-follow-up-link/", {"link_version": str(invitation.link_version)}
        )
    assert response.status_code == 503
    assert Invitation.objects.get(pk=invitation.pk).link_version == invitation.link_version
    assert OutboundMessage.objects.count() == before
