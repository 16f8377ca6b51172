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


def _shown(html: str) -> list[str]:
    """The Who and What columns of each row shown, in order."""
    import re

    rows = re.findall(
        r'<tr role="row">\s*<td role="cell" class="text-nowrap">.*?</td>\s*<td [^>]*data-label="Who">(.*?)</td>'
        r'\s*<td [^>]*data-label="What">(.*?)</td>',
        html,
        re.S,
    )
    return [f"{who} {what}" for who, what in rows]


def test_the_trail_answers_what_one_person_did_on_given_days(client, administrator, clinician, front_desk):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    monday = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 0))
    for day, actor, action in (
        (0, clinician, "viewed_intake"),
        (0, front_desk, "viewed_invitation"),
        (1, clinician, "exported_intakes"),
        (3, clinician, "searched_patients"),
    ):
        with time_machine.travel(monday + dt.timedelta(days=day), tick=False):
            record(action, actor=actor)
    client.force_login(administrator)

    html = client.get(TRAIL, {"who": clinician.username.upper(), "date_from": "2026-11-30", "date_to": "2026-12-01"})
    assert _shown(html.content.decode()) == [
        f"{clinician.username} Exported intakes",
        f"{clinician.username} Viewed an intake",
    ]


def test_a_bad_date_gets_a_message_next_to_it_and_the_other_filters_still_apply(client, administrator, clinician):
    record("viewed_intake", actor=clinician, intake_id=7)
    record("viewed_intake", actor=administrator, intake_id=7)
    client.force_login(administrator)
    html = client.get(TRAIL, {"who": clinician.username, "date_from": "2026-12-01", "date_to": "2026-11-01"})
    page = html.content.decode()
    assert 'id="id_date_to-error"' in page
    assert "The “to” date is before the “from” date. The filter was not applied." in page
    assert _shown(page) == [f"{clinician.username} Viewed an intake"]  # by the person, from the 1st; no "to"


def test_opening_an_invitation_and_searching_by_name_are_in_the_trail_without_the_name(client, front_desk):
    from tests.intake.factories import make_invitation

    invitation, _token = make_invitation(name="Pat Example")
    client.force_login(front_desk)
    assert client.get(f"/staff/invitations/{invitation.pk}/").status_code == 200
    client.post("/staff/queue/search/", {"name": "Pat Example"})
    client.post("/staff/invitations/new/", {"find": "Example"})

    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username", "detail"))
    assert events[-3:] == [
        ("viewed_invitation", front_desk.username, f"invitation {invitation.pk}"),
        ("searched_patients", front_desk.username, "queue"),
        ("searched_patients", front_desk.username, "new invitation: 1 records shown"),
    ]
    assert not AuditEvent.objects.filter(detail__icontains="Pat").exists()


def test_a_patient_record_opened_to_invite_again_is_in_the_trail(client, front_desk):
    from tests.intake.factories import make_invitation

    invitation, _token = make_invitation(name="Pat Example")
    record_id = invitation.patient_id
    assert record_id is not None
    client.force_login(front_desk)
    assert client.get(f"/staff/invitations/new/?patient={record_id}").status_code == 200
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.detail) == ("viewed_invitation", f"patient record {record_id} (new invitation)")


def test_an_intake_number_finds_the_exports_that_held_it_in_the_trail_and_the_admin(client, administrator, clinician):
    record("exported_intakes", actor=clinician, intakes=[7, 8], detail="2 rows")
    record("viewed_intake", actor=clinician, intake_id=9)
    client.force_login(administrator)
    assert _shown(client.get(TRAIL, {"intake": "8"}).content.decode()) == [f"{clinician.username} Exported intakes"]
    assert _shown(client.get(TRAIL, {"intake": "9"}).content.decode()) == [f"{clinician.username} Viewed an intake"]
    admin_list = client.get(reverse("admin:audit_auditevent_changelist"), {"q": "7"}).content.decode()
    assert "2 rows" in admin_list
    assert "1 audit event" in admin_list
