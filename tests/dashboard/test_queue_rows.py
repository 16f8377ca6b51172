"""The queue's rows are prepared once in Python (dashboard.presenters.queue_rows): what each shows, and that the
fast formatting says exactly what Django's date filter and timesince say."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.timesince import timesince

from dashboard.presenters import FORMER_STAFF, STAFF_TIMES, queue_rows, staff_datetime
from dashboard.selectors import FlagData, QueueEntry
from intake.models import Level

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 1, 5, 0, 4, tzinfo=NEW_YORK),  # midnight
        datetime.datetime(2026, 1, 5, 12, 0, tzinfo=NEW_YORK),  # noon
        datetime.datetime(2026, 3, 8, 9, 59, tzinfo=NEW_YORK),
        datetime.datetime(2026, 11, 21, 23, 45, tzinfo=NEW_YORK),
        datetime.datetime(2026, 7, 1, 4, 30, tzinfo=datetime.UTC),  # shown in the clinic's zone
    ],
)
def test_appointment_times_read_as_the_date_filter_wrote_them(moment):
    with translation.override("en"), timezone.override(NEW_YORK):
        assert staff_datetime(moment) == dateformat.format(timezone.localtime(moment), "D M j, g:i A")


@pytest.mark.parametrize(
    "ago",
    [
        datetime.timedelta(seconds=20),
        datetime.timedelta(minutes=1),
        datetime.timedelta(hours=1, minutes=1),
        datetime.timedelta(hours=5, minutes=59),
        datetime.timedelta(days=1),
        datetime.timedelta(days=9, hours=3),
        datetime.timedelta(days=40),
        datetime.timedelta(days=800),
    ],
)
def test_how_long_ago_reads_as_django_says_it_in_english(ago):
    with translation.override("en"):
        assert timesince(NOW - ago, NOW, time_strings=STAFF_TIMES) == timesince(NOW - ago, NOW)


def entry(**changes) -> QueueEntry:
    fields = {
        "intake_id": 42,
        "level": Level.URGENT,
        "is_reviewed": False,
        "appointment_at": NOW + datetime.timedelta(days=2),
        "submitted_at": NOW - datetime.timedelta(hours=3),
        "reviewed_at": None,
        "rules_version": "2027.1",
        "patient_name": "Ann Urgent",
        "date_of_birth": datetime.date(1980, 12, 3),
        "reviewed_by": None,
        "flags": (FlagData("CE1", "Saddle numbness", "Saddle numbness: yes"),),
    }
    return QueueEntry(**{**fields, **changes})


def test_a_row_carries_everything_the_template_prints():
    with translation.override("en"), timezone.override(NEW_YORK):
        (row,) = queue_rows([entry()], today=NOW.date(), now=NOW, intake_url=lambda pk: f"/staff/intakes/{pk}/")
    assert row.url == "/staff/intakes/42/"
    assert (row.level_code, row.level_label, row.level_symbol) == ("urgent", "Urgent", "▲ ")
    assert row.css == "queue-row is-unreviewed row-urgent"
    assert row.age == "45"
    assert row.submitted == "3\xa0hours ago"
    assert row.submitted_title == "2026-12-02 07:30"
    assert row.flags[0].css == "flag-urgent"
    assert row.flags[0].reason == "Saddle numbness: yes"


def test_front_desk_rows_link_nowhere_and_unknowns_are_said_plainly():
    removed = entry(is_reviewed=True, reviewed_by=None, date_of_birth=None, submitted_at=None, level=Level.ROUTINE)
    (row,) = queue_rows([removed], today=NOW.date(), now=NOW, intake_url=None)
    assert row.url == ""
    assert row.reviewed_by == FORMER_STAFF
    assert row.age == "\u2013"
    assert row.submitted == ""  # "Stopped at safety step"
    assert row.css == "queue-row row-routine"
    assert row.level_symbol == ""
