"""Administrators can list the audit trail; nobody can change it through the screens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db
TRAIL = reverse("dashboard:audit")


def test_administrator_lists_the_trail_filtered_by_intake(client, administrator, clinician):
    record("viewed_intake", actor=clinician, intake_id=7)
    record("viewed_intake", actor=clinician, intake_id=8)
    client.force_login(administrator)
    html = client.get(TRAIL, {"intake": "7"}).content.decode()
    assert "#7" in html
    assert "#8" not in html
    assert "Viewed an intake" in html


def test_clinicians_and_front_desk_cannot_see_the_trail(client, clinician, front_desk):
    for user in (clinician, front_desk):
        client.force_login(user)
        assert client.get(TRAIL).status_code == 403
    client.logout()
    assert client.get(TRAIL).status_code == 302


def test_the_admin_shows_audit_events_read_only(client, administrator, clinician):
    event = record("viewed_intake", actor=clinician, intake_id=7)
    client.force_login(administrator)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"detail": "edited"})
    assert change.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_the_queue_links_to_the_trail_for_administrators_only(client, administrator, clinician):
    client.force_login(clinician)
    assert TRAIL not in client.get(reverse("dashboard:queue")).content.decode()
    client.force_login(administrator)
    assert TRAIL in client.get(reverse("dashboard:queue")).content.decode()


def test_an_intake_filter_that_is_not_a_number_gets_a_message_not_a_server_error(client, administrator):
    client.force_login(administrator)
    response = client.get("/staff/audit/?intake=²")
    assert response.status_code == 200
    assert "An intake number is made of digits only" in response.content.decode()
