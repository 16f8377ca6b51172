"""Follow-ups and reminders count calendar days in the clinic's time zone (America/New_York here), not days of 24
hours: "6 weeks after a 9:00 visit" is 9:00 on that day even when the clocks changed in between. Counted in hours,
everything crossing a clock change went an hour early or late, and a visit just after midnight had its follow-up
due the evening before."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from intake import services
from intake.models import FollowUp, Invitation, Questionnaire
from intake.rules.schedule import calendar_days_after
from intake.services import follow_ups
from tests.intake.factories import make_invitation, routine_answers

NEW_YORK = ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A wall-clock time in New York (clocks go back on 7 Nov 2027 and forward on 14 Mar 2027)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def sent_visit(appointment_at: datetime.datetime):
    intake = services.create_submitted_intake_for_demo(
        answers=routine_answers(), email="pat@example.org", patient_name="Pat Example", appointment_at=appointment_at
    )
    mail.outbox.clear()
    return intake


@pytest.mark.parametrize(
    ("moment", "days", "expected"),
    [
        (at(2027, 10, 5, 9, 0), 42, at(2027, 11, 16, 9, 0)),  # over the autumn change
        (at(2027, 10, 5, 0, 30), 42, at(2027, 11, 16, 0, 30)),  # just after midnight: the same calendar day
        (at(2027, 3, 10, 10, 0), 7, at(2027, 3, 17, 10, 0)),  # over the spring change
        (at(2027, 3, 15, 9, 0), -7, at(2027, 3, 8, 9, 0)),  # days before
        (at(2027, 1, 5, 9, 0), 7, at(2027, 1, 12, 9, 0)),  # no change in between
    ],
)
def test_calendar_days_keep_the_wall_clock_time_across_a_clock_change(moment, days, expected):
    assert calendar_days_after(moment, days, NEW_YORK) == expected
    assert calendar_days_after(moment, days, NEW_YORK).astimezone(NEW_YORK).hour == expected.hour


def test_calendar_days_from_the_repeated_autumn_hour_keep_its_second_pass():
    """2027-11-07: 1:30 comes twice. The second 1:30 (EST) moved 0 days came back as the first, an hour earlier; a
    week on it is the plain 1:30 of that day, and a week back too."""
    second = at(2027, 11, 7, 1, 30).replace(fold=1)
    assert calendar_days_after(second, 0, NEW_YORK) == second.astimezone(datetime.UTC)  # ambiguous: != across zones
    assert calendar_days_after(second, 7, NEW_YORK) == at(2027, 11, 14, 1, 30)
    assert calendar_days_after(second, -7, NEW_YORK) == at(2027, 10, 31, 1, 30)
    first = at(2027, 11, 7, 1, 30).astimezone(datetime.UTC)
    assert calendar_days_after(at(2027, 11, 14, 1, 30), -7, NEW_YORK) == first  # onto the repeated hour: the first


@pytest.mark.django_db
def test_a_follow_up_is_due_at_the_visit_time_six_weeks_on_across_the_autumn_clock_change(time_machine):
    sent_visit(at(2027, 10, 5, 9, 0))
    follow_ups.send_due_messages(now=at(2027, 10, 5, 9, 0))
    due = FollowUp.objects.get(time_point="6w").due_at
    assert timezone.localtime(due) == at(2027, 11, 16, 9, 0)

    time_machine.move_to(at(2027, 11, 16, 8, 30), tick=False)
    assert follow_ups.send_due_messages()["follow_ups"] == 0  # half an hour early: not yet
    assert mail.outbox == []
    time_machine.move_to(at(2027, 11, 16, 9, 0), tick=False)
    assert follow_ups.send_due_messages()["follow_ups"] == 1
    assert [message.to for message in mail.outbox] == [["pat@example.org"]]


@pytest.mark.django_db
def test_a_visit_just_after_midnight_has_its_follow_up_due_on_the_right_day():
    sent_visit(at(2027, 10, 5, 0, 30))
    follow_ups.send_due_messages(now=at(2027, 10, 5, 0, 30))
    due = timezone.localtime(FollowUp.objects.get(time_point="6w").due_at)
    assert due.date() == datetime.date(2027, 11, 16)  # 42 days after 5 October, not the evening of the 15th


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moved_to", "six_weeks_on"),
    [
        (at(2027, 11, 2, 9, 0), at(2027, 12, 14, 9, 0)),  # the change falls in the six weeks after the new date
        (at(2027, 11, 9, 9, 0), at(2027, 12, 21, 9, 0)),  # the move itself crosses the change
    ],
)
def test_follow_ups_moved_with_the_visit_keep_the_new_visit_time_over_a_clock_change(
    moved_to, six_weeks_on, time_machine
):
    visit = sent_visit(at(2027, 10, 5, 9, 0))
    follow_ups.send_due_messages(now=at(2027, 10, 5, 9, 0))
    time_machine.move_to(at(2027, 10, 1, 12, 0), tick=False)
    services.renew_link(visit.invitation, send_email=False, appointment_at=moved_to)
    assert timezone.localtime(FollowUp.objects.get(time_point="6w").due_at) == six_weeks_on  # at 9:00 still


@pytest.mark.django_db
def test_a_follow_up_reminder_comes_7_days_later_at_the_same_time_across_the_spring_clock_change(time_machine):
    """Sent on 10 March at 10:00 (before clocks go forward): the reminder is due on 17 March at 10:00, not 11:00."""
    sent_visit(at(2027, 1, 27, 10, 0))  # 6 weeks on is 10 March 10:00
    follow_ups.send_due_messages(now=at(2027, 1, 27, 10, 0))
    time_machine.move_to(at(2027, 3, 10, 10, 0), tick=False)
    assert follow_ups.send_due_messages()["follow_ups"] == 1
    mail.outbox.clear()

    time_machine.move_to(at(2027, 3, 17, 9, 30), tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 0
    time_machine.move_to(at(2027, 3, 17, 10, 30), tick=False)
    assert follow_ups.send_due_messages()["follow_up_reminders"] == 1
    assert Invitation.objects.get(kind=Questionnaire.FOLLOW_UP).reminders.get().which == "1"


@pytest.mark.django_db
def test_a_pre_visit_reminder_comes_7_days_before_at_the_visit_time_across_the_spring_clock_change(time_machine):
    """A visit on Monday 15 March at 9:00 (after clocks go forward): the 7-day reminder is due on 8 March at 9:00."""
    time_machine.move_to(at(2027, 3, 1, 9, 0), tick=False)
    make_invitation(appointment_at=at(2027, 3, 15, 9, 0))
    time_machine.move_to(at(2027, 3, 8, 8, 30), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 0  # half an hour early: not yet
    time_machine.move_to(at(2027, 3, 8, 9, 0), tick=False)
    assert follow_ups.send_due_messages()["pre_visit_reminders"] == 1
