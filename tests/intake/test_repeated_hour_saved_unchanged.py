"""An appointment at the hour that happens twice when the clocks go back (the second 1:30 AM of 1 November 2026 in
New York), saved back unchanged from a staff form: the box shows "01:30", which reads as the first 1:30 AM, an hour
earlier. Read as a change, it moved the visit an hour earlier unasked, refused a page opened before a colleague's
change as a conflict, or refused a new link as "passed" between the two 1:30s. A typed time that reads on the clinic's
clock as the page showed it is the time the page showed."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from tests.intake.factories import make_invitation
from tests.intake.test_changing_details_from_a_stale_page import _change_form_as_shown, _desk, _new_link_form_as_shown

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# In UTC: a New York time in the repeated hour never compares equal to a time in another zone (PEP 495).
SECOND_ONE_THIRTY = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC)  # 1:30 AM EST
FIRST_ONE_THIRTY = datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)  # 1:30 AM EDT, an hour earlier


def test_an_address_corrected_for_a_visit_at_the_second_one_thirty_keeps_the_visit_where_it_is(
    front_desk, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 10, 28, 10, 0, tzinfo=NEW_YORK), tick=False)
    invitation, _ = make_invitation(email="old@example.org", appointment_at=SECOND_ONE_THIRTY)
    desk = _desk(front_desk)
    shown = _change_form_as_shown(desk, invitation)
    assert shown["change-appointment_at"] == "2026-11-01T01:30"

    response = desk.post(
        f"/staff/invitations/{invitation.pk}/details/", {**shown, "change-email": "new@example.org"}, follow=True
    )

    invitation.refresh_from_db()
    assert invitation.email == "new@example.org"
    assert invitation.appointment_at == SECOND_ONE_THIRTY  # not moved an hour earlier
    assert "appointment" not in " ".join(str(m) for m in response.context["messages"]).lower()


def test_a_new_link_between_the_two_one_thirties_for_the_second_goes(front_desk, time_machine):
    """At 1:45 AM EDT the first 1:30 has passed; the visit, at the second, is 45 minutes away."""
    time_machine.move_to(datetime.datetime(2026, 10, 28, 10, 0, tzinfo=NEW_YORK), tick=False)
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=SECOND_ONE_THIRTY)
    shown = _new_link_form_as_shown(_desk(front_desk), invitation)
    time_machine.move_to(FIRST_ONE_THIRTY + datetime.timedelta(minutes=15), tick=False)

    response = _desk(front_desk).post(f"/staff/invitations/{invitation.pk}/new-link/", shown)

    assert response.status_code == 302, "refused as a passed appointment, though the visit is 45 minutes away"
    invitation.refresh_from_db()
    assert invitation.link_version == 2
    assert invitation.appointment_at == SECOND_ONE_THIRTY
    assert timezone.now() < invitation.appointment_at


def test_the_first_one_thirty_sent_with_its_own_offset_on_a_page_that_showed_the_second_moves_the_visit(
    front_desk, time_machine
):
    """Not the box's "01:30" (either of the two): a time sent with its own offset names one moment, the first 1:30
    (EDT, -04:00), and the page showed the second (EST). That is a change, saved as one; read as "unchanged", the
    visit stayed an hour later than the time sent (a booking system or a script posting ISO times)."""
    time_machine.move_to(datetime.datetime(2026, 10, 28, 10, 0, tzinfo=NEW_YORK), tick=False)
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=SECOND_ONE_THIRTY)
    desk = _desk(front_desk)
    shown = _change_form_as_shown(desk, invitation)

    desk.post(
        f"/staff/invitations/{invitation.pk}/details/", {**shown, "change-appointment_at": "2026-11-01T01:30-04:00"}
    )

    invitation.refresh_from_db()
    assert invitation.appointment_at == FIRST_ONE_THIRTY
