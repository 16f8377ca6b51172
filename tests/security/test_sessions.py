"""Staff sessions: 30 idle minutes, 12 hours in all, a new key at sign-in, nothing left after sign-out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session

from tests.security.conftest import sign_in_with_password

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_a_staff_session_ends_after_thirty_idle_minutes(client, front_desk):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        assert client.get("/staff/queue/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/staff/queue/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/staff/queue/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in/")
    follow = client.get(response.headers["Location"])
    assert "30 minutes without activity" in follow.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_form_sent_after_the_idle_limit_leads_back_to_its_page_after_signing_in(client, clinician):
    """A note typed through a long call: after signing in again, the intake page (not a bare 405 from the review
    address), with a word that the note was not saved."""
    from tests.dashboard.factories import make_intake

    intake = make_intake("urgent_bowel")
    page = f"/staff/intakes/{intake.pk}/"
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clinician)
        clock.shift(dt.timedelta(minutes=45))
        response = client.post(
            f"{page}review/",
            {"outcome": "emergency_care", "note": "Sent to A&E."},
            HTTP_REFERER=f"http://testserver{page}",
        )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/sign-in/?next={page}"
    shown = client.get(response.headers["Location"]).content.decode()
    assert "What you sent was not saved: please enter it again." in shown
    intake.refresh_from_db()
    assert not intake.is_reviewed


def test_a_form_sent_from_another_site_after_the_limit_does_not_send_the_sign_in_there(client, front_desk):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        clock.shift(dt.timedelta(minutes=45))
        response = client.post("/staff/queue/search/", {"name": "x"}, HTTP_REFERER="https://evil.example/staff/")
    assert "evil" not in response.headers["Location"]
    assert response.headers["Location"].startswith("/staff/sign-in/?next=")


def test_activity_keeps_a_session_alive_but_not_beyond_twelve_hours(client, front_desk):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        for _ in range(11 * 4 + 3):  # a request every 15 minutes for 11 h 45 min
            clock.shift(dt.timedelta(minutes=15))
            assert client.get("/staff/queue/").status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        response = client.get("/staff/queue/")
    assert response.status_code == 302
    assert "12 hours" in client.get(response.headers["Location"]).content.decode()


def test_a_timed_out_session_is_recorded_in_the_audit_trail(client, front_desk):
    from audit.models import AuditEvent

    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        client.get("/staff/queue/")
        clock.shift(dt.timedelta(minutes=45))
        client.get("/staff/queue/")
    event = AuditEvent.objects.get(action="signed_out")
    assert event.actor_username == "frontdesk"
    assert event.detail == "session timed out"


def test_signing_in_gives_a_new_session_key(client, front_desk):
    client.get("/staff/sign-in/")
    client.session.save()
    before = client.session.session_key
    sign_in_with_password(client, "frontdesk")
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_sign_out_deletes_the_session_on_the_server(client, front_desk):
    sign_in_with_password(client, "frontdesk")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/staff/sign-out/")
    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie gets nothing.
    client.cookies["sessionid"] = key
    assert client.get("/staff/queue/").status_code == 302


def test_sign_out_needs_a_post_so_a_link_cannot_sign_anyone_out(client, front_desk):
    client.force_login(front_desk)
    assert client.get("/staff/sign-out/").status_code == 405
    assert client.get("/staff/queue/").status_code == 200


def test_a_public_page_opened_after_the_idle_limit_is_shown_signed_out_not_replaced_by_the_sign_in(client, front_desk):
    """A front-desk member reading a patient article after a long break got the staff sign-in page instead of the
    article: the library needs no sign-in. The session still ends (the staff pages ask for it again)."""
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(front_desk)
        clock.shift(dt.timedelta(minutes=45))
        response = client.get("/articles/")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert client.get("/staff/queue/").status_code == 302
