"""The queue's rows are prepared once in Python (dashboard.queue_rows): what each shows, and that the fast formatting
says exactly what Django's date filter and timesince say."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.timesince import timesince

from dashboard.queue_rows import FORMER_STAFF, queue_rows, staff_datetime, table_body, time_since
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
        assert staff_datetime(moment, this_year=2026) == staff_datetime(moment)  # this year's: no year


def test_a_date_of_another_year_says_its_year():
    """Found by an audit: "Wed Nov 19" on a queue row was 2025's, read as this year's."""
    moment = datetime.datetime(2025, 11, 19, 14, 0, tzinfo=NEW_YORK)
    with timezone.override(NEW_YORK):
        assert staff_datetime(moment, this_year=2026) == "Wed Nov 19, 2025, 2:00 PM"
        assert staff_datetime(moment, this_year=2025) == "Wed Nov 19, 2:00 PM"


@pytest.mark.parametrize(
    "ago",
    [
        datetime.timedelta(0),
        datetime.timedelta(seconds=20),
        datetime.timedelta(minutes=1),
        datetime.timedelta(hours=1, minutes=1),
        datetime.timedelta(hours=5, minutes=59),
        datetime.timedelta(days=1),
        datetime.timedelta(days=9, hours=3),
        datetime.timedelta(days=14),
        datetime.timedelta(days=40),
        datetime.timedelta(days=365),
        datetime.timedelta(days=800),
        -datetime.timedelta(hours=2),  # in the future: "0 minutes"
    ],
)
def test_how_long_ago_reads_as_django_says_it_in_english(ago):
    with translation.override("en"):
        assert time_since(NOW - ago, NOW) == timesince(NOW - ago, NOW)


# New York's changes of the clocks in the moments below (2024-2026).
CLOCK_CHANGES = [
    datetime.datetime(2024, 3, 10, 7, tzinfo=datetime.UTC),
    datetime.datetime(2024, 11, 3, 6, tzinfo=datetime.UTC),
    datetime.datetime(2025, 3, 9, 7, tzinfo=datetime.UTC),
    datetime.datetime(2025, 11, 2, 6, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("zone", [NEW_YORK, datetime.UTC])
def test_how_long_ago_agrees_with_django_across_month_ends_and_leap_days(zone):
    """Every pair of a few hundred moments around the awkward days: the months are counted on the calendar. Pairs with
    a change of the clocks between them are the next test's: Django subtracts two times of one zone as clock
    readings, an hour out."""
    days = [(2024, 1, 31), (2024, 2, 29), (2024, 3, 10), (2024, 3, 31), (2024, 11, 3), (2025, 2, 28), (2025, 12, 31)]
    moments = [
        datetime.datetime(*day, hour, minute, tzinfo=zone) + datetime.timedelta(days=shift)
        for day in days
        for hour, minute in ((0, 0), (1, 30), (23, 59))
        for shift in (-1, 0, 1, 30)
    ]
    with translation.override("en"):
        for then in moments:
            for now in moments:
                if not any(min(then, now) < change <= max(then, now) for change in CLOCK_CHANGES):
                    assert time_since(then, now) == timesince(then, now), (then, now)


@pytest.mark.parametrize(
    ("submitted", "now"),
    [
        # 01:30 EDT, then 02:30 by the clock (01:30 EST): two hours on the night the clocks go back.
        (
            datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC),
            datetime.datetime(2026, 11, 1, 7, 30, tzinfo=datetime.UTC),
        ),
        # 01:30 EST, then 04:30 EDT by the clock: two hours on the night they go forward.
        (
            datetime.datetime(2026, 3, 8, 6, 30, tzinfo=datetime.UTC),
            datetime.datetime(2026, 3, 8, 8, 30, tzinfo=datetime.UTC),
        ),
    ],
)
def test_how_long_an_intake_has_waited_is_real_time_across_a_change_of_the_clocks(submitted, now):
    """An urgent intake that had waited two hours read "1 hour ago" on the night the clocks go back and "3 hours ago"
    on the night they go forward (the stop-32 audit of the staff pages)."""
    assert time_since(submitted.astimezone(NEW_YORK), now.astimezone(NEW_YORK)) == "2\xa0hours"


def entry(**changes) -> QueueEntry:
    fields = {
        "intake_id": 42,
        "level": Level.URGENT,
        "is_reviewed": False,
        "appointment_at": NOW + datetime.timedelta(days=2),
        "submitted_at": NOW - datetime.timedelta(hours=3),
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
    # Shown on hovering over "3 hours ago" and printed beside it, as the row's other times read (not "2026-12-02 07:30")
    assert row.submitted_title == row.submitted_clock == "Wed Dec 2, 7:30 AM"
    assert row.flags[0].css == "flag-urgent"
    assert row.flags[0].reason == "Saddle numbness: yes"


def test_front_desk_rows_link_nowhere_and_unknowns_are_said_plainly():
    removed = entry(is_reviewed=True, reviewed_by=None, date_of_birth=None, submitted_at=None, level=Level.ROUTINE)
    (row,) = queue_rows([removed], today=NOW.date(), now=NOW, intake_url=None)
    assert row.url == ""
    assert row.reviewed_by == FORMER_STAFF
    assert row.age == "\u2013"
    assert row.submitted == ""  # "Not sent yet"
    assert row.submitted_clock == ""
    assert row.css == "queue-row row-routine"
    assert row.level_symbol == ""


def test_what_people_typed_is_escaped_in_the_row():
    typed = entry(
        patient_name="<b>Ann</b> & co",
        flags=(FlagData("CE1", "<i>short</i>", 'a "quoted" <reason>'),),
        is_reviewed=True,
        reviewed_by="<script>",
    )
    with translation.override("en"), timezone.override(NEW_YORK):
        html = str(table_body(queue_rows([typed], today=NOW.date(), now=NOW, intake_url=lambda pk: f"/i/{pk}/")))
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; co" in html
    assert 'title="a &quot;quoted&quot; &lt;reason&gt;">&lt;i&gt;short&lt;/i&gt;</span>' in html
    assert "✓ &lt;script&gt;" in html
    for tag in ("<b>", "<script>", "<i>"):
        assert tag not in html


def test_an_appointment_breaks_only_after_a_comma_so_a_year_takes_a_second_line_not_the_review_column():
    """At 1366 px a last year's appointment kept on one line pushed the Review column 16 px out of view."""
    old = entry(appointment_at=datetime.datetime(2025, 11, 19, 19, 0, tzinfo=datetime.UTC))
    with translation.override("en"), timezone.override(NEW_YORK):
        html = str(table_body(queue_rows([old], today=NOW.date(), now=NOW, intake_url=None)))
    cell = '<td role="cell" class="appointment" data-label="Appointment">Wed\xa0Nov\xa019, 2025, 2:00\xa0PM</td>'
    assert cell in html


def test_an_intake_waiting_under_an_hour_on_the_night_the_clocks_go_back_never_reads_as_negative_years():
    """01:15 EDT, then 01:14 EST by the clock: 59 minutes read "-1 years, 11 months" (review of the stop-32 commits)."""
    submitted = datetime.datetime(2026, 11, 1, 5, 15, tzinfo=datetime.UTC).astimezone(NEW_YORK)
    now = datetime.datetime(2026, 11, 1, 6, 14, tzinfo=datetime.UTC).astimezone(NEW_YORK)
    assert time_since(submitted, now) == "59\xa0minutes"
    # A month on, across the same hour: a month once the clock says so, not before.
    month_later = datetime.datetime(2026, 12, 1, 6, 14, tzinfo=datetime.UTC).astimezone(NEW_YORK)
    assert time_since(datetime.datetime(2026, 11, 1, 1, 15, tzinfo=NEW_YORK), month_later) == "4\xa0weeks, 2\xa0days"
