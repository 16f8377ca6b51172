"""An appointment typed for a time the clinic is closed (2:30 AM for 2:30 PM, a Sunday) is saved, and the person who
typed it is told at once, next to the invitation they can correct it on (clinic hours: the default Mon-Fri
08:00-17:00, America/New_York)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from intake.models import Invitation
from tests.intake.factories import make_invitation

pytestmark = pytest.mark.django_db

CHECK_THE_TIME = "the clinic is closed then"


def _next(weekday: int, hour: int, minute: int = 0) -> datetime.datetime:
    """The next given weekday (Monday 0), at least two days ahead, at a time on the clinic's clock."""
    day = timezone.localdate() + datetime.timedelta(days=2)
    day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _invite(client, when: datetime.datetime):
    data = {
        "patient_name": "Jordan Quill",
        "email": "jordan@example.org",
        "date_of_birth": "1979-08-14",
        "appointment_at": when.strftime("%Y-%m-%dT%H:%M"),
        "send_email": "on",
    }
    return client.post("/staff/invitations/new/", data, follow=True)


@pytest.mark.parametrize(
    ("weekday", "hour", "shown"),
    [(2, 2, "2:30 AM on Wednesday"), (6, 14, "2:30 PM on Sunday"), (4, 17, "5:30 PM on Friday")],
)
def test_a_new_invitation_for_a_time_the_clinic_is_closed_is_saved_with_a_warning(
    client, front_desk, weekday, hour, shown
):
    client.force_login(front_desk)
    response = _invite(client, _next(weekday, hour, 30))
    page = response.content.decode()
    assert response.redirect_chain  # saved, on the invitation's page
    assert Invitation.objects.count() == 1
    assert CHECK_THE_TIME in page
    assert shown in page
    assert "Mon-Fri 08:00-17:00" in page


def test_a_new_invitation_in_clinic_hours_gets_no_warning(client, front_desk):
    client.force_login(front_desk)
    page = _invite(client, _next(2, 14, 30)).content.decode()
    assert CHECK_THE_TIME not in page


def test_a_visit_moved_to_a_time_the_clinic_is_closed_gets_the_warning(client, front_desk):
    client.force_login(front_desk)
    invitation, _ = make_invitation()
    when = _next(1, 3, 15)
    data = {"change-appointment_at": when.strftime("%Y-%m-%dT%H:%M"), "change-language": "en"}
    page = client.post(f"/staff/invitations/{invitation.pk}/details/", data, follow=True).content.decode()
    assert CHECK_THE_TIME in page
    assert "3:15 AM on Tuesday" in page
    invitation.refresh_from_db()
    assert invitation.appointment_at == when


def test_a_new_link_for_a_time_the_clinic_is_closed_gets_the_warning(client, front_desk):
    client.force_login(front_desk)
    invitation, _ = make_invitation()
    when = _next(5, 10)
    data = {"email": "pat@example.org", "appointment_at": when.strftime("%Y-%m-%dT%H:%M"), "language": "en"}
    page = client.post(f"/staff/invitations/{invitation.pk}/new-link/", data, follow=True).content.decode()
    assert CHECK_THE_TIME in page
    assert "10:00 AM on Saturday" in page


def test_a_new_invitation_sent_twice_by_a_double_click_still_warns(front_desk):
    """The second click's answer ("already has an invitation for this appointment") is the page the person sees; the
    first one's warning never showed, so a 2:30 AM typed for 2:30 PM went unnoticed."""
    from django.test import Client

    first_click, second_click = Client(), Client()
    first_click.force_login(front_desk)
    second_click.force_login(front_desk)
    when = _next(2, 2, 30)
    _invite(first_click, when)

    page = _invite(second_click, when).content.decode()

    assert Invitation.objects.count() == 1
    assert "already has an invitation for this appointment" in page
    assert CHECK_THE_TIME in page


def test_a_visit_on_a_date_the_clinic_is_closed_says_the_day_is_closed_not_the_weekday_hours(
    client, front_desk, settings
):
    """A Wednesday holiday at 2:30 PM: the warning gave "the clinic is closed then (opening hours: Mon-Fri
    08:00-17:00)", hours that cover the time, so the person took the warning for a mistake."""
    when = _next(2, 14, 30)
    settings.CLINIC_CLOSED_DATES = [when.date().isoformat()]
    client.force_login(front_desk)

    page = _invite(client, when).content.decode()

    assert "2:30 PM on Wednesday" in page
    assert "the clinic is closed that day" in page
    assert "Mon-Fri 08:00-17:00" not in page
