"""Every sign-in, failed sign-in and sign-out is in the audit trail, in UTC; nobody can change or delete an entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent, EventIntake
from audit.services import record
from tests.security.conftest import sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db


def test_a_sign_in_is_recorded_with_who_when_in_utc_and_from_where(client, front_desk):
    sign_in_with_password(client, "frontdesk", REMOTE_ADDR="198.51.100.4")
    event = AuditEvent.objects.get(action="signed_in")
    assert event.actor == front_desk
    assert event.ip_address == "198.51.100.4"
    assert event.at.utcoffset() == dt.timedelta(0)
    assert event.detail == "with password"


def test_a_two_factor_sign_in_records_which_second_factor_was_used(client, clinician, authenticator):
    sign_in_with_password(client, "clinician")
    client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)})
    assert AuditEvent.objects.get(action="signed_in").detail == "with authenticator app"


def test_a_failed_sign_in_records_the_username_tried_but_never_the_password(client, front_desk):
    client.post("/staff/sign-in/", {"username": "frontdesk", "password": "Sup3r-Secret-Guess"})
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert "frontdesk" in event.detail
    assert "Sup3r-Secret-Guess" not in str(AuditEvent.objects.values_list())


def test_a_wrong_two_factor_code_is_recorded_as_a_failed_sign_in(client, clinician, authenticator):
    sign_in_with_password(client, "clinician")
    client.post("/staff/sign-in/code/", {"code": "000000"})
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert event.detail.startswith("wrong two-factor code")


def test_sign_out_is_recorded(client, front_desk):
    sign_in_with_password(client, "frontdesk")
    client.post("/staff/sign-out/")
    assert AuditEvent.objects.filter(action="signed_out", actor=front_desk).count() == 1


def test_tests_that_force_login_leave_no_sign_in_entry(client, front_desk):
    client.force_login(front_desk)
    assert not AuditEvent.objects.exists()


def test_the_application_cannot_change_or_delete_an_entry():
    event = record("viewed_intake", intake_id=1)
    event.detail = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_the_admin_lists_the_trail_but_offers_no_add_change_or_delete(client, administrator):
    event = record("viewed_intake", actor=administrator, intake_id=42, detail="opened")
    client.force_login(administrator)
    listing = client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200
    assert "viewed_intake" in listing.content.decode() or "Viewed an intake" in listing.content.decode()
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    # The detail page is read-only: a POST changes nothing.
    client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"detail": "tampered"})
    event.refresh_from_db()
    assert event.detail == "opened"
    # The bulk "delete selected" action is not offered either.
    response = client.post(
        "/admin/audit/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert response.status_code in {200, 302}


def test_staff_without_admin_access_cannot_read_the_trail(client, clinician, editor):
    client.force_login(clinician)
    assert client.get("/admin/audit/auditevent/").status_code == 403
    client.force_login(editor)
    assert client.get("/admin/audit/auditevent/").status_code == 403


def test_viewing_reviewing_and_exporting_an_intake_are_each_recorded_with_who_and_which(client, clinician):
    from tests.intake.factories import submitted_intake

    intake = submitted_intake(cancer_history="yes")
    client.force_login(clinician)
    client.get(f"/staff/intakes/{intake.pk}/")
    client.post(
        f"/staff/intakes/{intake.pk}/review/", {"outcome": "same_day_call_advice", "note": "Called the patient."}
    )
    b"".join(client.get("/staff/queue/export.csv").streaming_content)
    events = {e.action: e for e in AuditEvent.objects.filter(actor=clinician)}
    assert events["viewed_intake"].intake_id == intake.pk
    assert events["reviewed_intake"].intake_id == intake.pk
    assert "exported_intakes" in events
    # The note itself (clinical text) is not copied into the trail.
    assert not AuditEvent.objects.filter(detail__contains="Called the patient").exists()


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database's own guard is on PostgreSQL (audit/migrations/0008)"
)


@postgresql_only
def test_the_database_refuses_to_change_or_delete_an_entry_whatever_sends_the_query():
    """A query set's update() and delete() never call the model's guard; the database refuses them anyway."""
    event = record("exported_intakes", intakes=[5, 6], detail="2 rows")
    for statement in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(detail="tampered"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: EventIntake.objects.filter(event=event).update(intake_id=7),
        lambda: EventIntake.objects.filter(event=event).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement()
    event.refresh_from_db()
    assert event.detail == "2 rows"
    assert sorted(event.intakes.values_list("intake_id", flat=True)) == [5, 6]


@postgresql_only
def test_removing_a_staff_account_keeps_its_entries_under_its_username(front_desk):
    event = record("viewed_intake", actor=front_desk, intake_id=3)
    front_desk.delete()
    event.refresh_from_db()
    assert (event.actor_id, event.actor_username, event.action, event.intake_id) == (
        None,
        "frontdesk",
        "viewed_intake",
        3,
    )
