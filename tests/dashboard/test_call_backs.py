"""The call-back a serious intake's receipt promised, where staff work: the queue row and the intake page say the
time, and say it has passed while the intake waits (intake/call_backs.py). Clinic hours are the default,
Mon-Fri 08:00-17:00, calls within 2 hours, in America/New_York."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.call_backs import promised_call
from intake.models import Level
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

CLINIC = zoneinfo.ZoneInfo("America/New_York")
QUEUE = reverse("dashboard:queue")
TUESDAY_9 = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=CLINIC)  # a Tuesday


def _row_html(response, name: str) -> str:
    [row] = [row for row in response.context["rows"] if row.patient_name == name]
    return row.html


def test_the_queue_says_by_when_the_patient_was_promised_a_call(client, clinician):
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(minutes=30), tick=False):
        make_intake("serious_fracture", name="Serious Waiting", submitted_at=TUESDAY_9)
        make_intake("routine_plain", name="Routine", submitted_at=TUESDAY_9)
        client.force_login(clinician)
        response = client.get(QUEUE)

    assert "Call by Tue Mar 2, 11:00 AM" in _row_html(response, "Serious Waiting")
    assert "Call by" not in _row_html(response, "Routine")


def test_a_promised_time_that_has_passed_is_shown_as_overdue_on_the_queue_and_the_intake_page(client, clinician):
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=3), tick=False):
        intake = make_intake("serious_fracture", name="Serious Late", submitted_at=TUESDAY_9)
        assert intake.level == Level.SERIOUS
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Serious Late")
        page = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()

    assert 'class="small call-by is-overdue">Call was due Tue Mar 2, 11:00 AM' in row
    assert "Call-back overdue." in page
    assert "The patient's receipt says we will call by Tue Mar 2, 11:00 AM EST (1\xa0hour ago)." in page


def test_a_reviewed_intake_shows_no_call_to_make(client, clinician):
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=3), tick=False):
        intake = make_intake("serious_fracture", name="Serious Done", submitted_at=TUESDAY_9, is_reviewed=True)
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Serious Done")
        page = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()

    assert "call-by" not in row
    assert "receipt says we will call" not in page


@pytest.mark.parametrize(
    ("sent", "promised"),
    [
        (TUESDAY_9, datetime.datetime(2027, 3, 2, 11, 0, tzinfo=CLINIC)),
        (datetime.datetime(2027, 3, 5, 16, 30, tzinfo=CLINIC), datetime.datetime(2027, 3, 5, 17, 0, tzinfo=CLINIC)),
        (datetime.datetime(2027, 3, 5, 20, 0, tzinfo=CLINIC), datetime.datetime(2027, 3, 8, 10, 0, tzinfo=CLINIC)),
    ],
    ids=["in hours", "near closing: by closing", "friday night: monday morning"],
)
def test_the_promise_is_stored_when_a_serious_intake_is_sent(sent, promised):
    with time_machine.travel(sent, tick=False):
        serious = make_intake("serious_fracture", submitted_at=sent)
        urgent = make_intake("urgent_bowel", submitted_at=sent)
        call = promised_call(serious.call_back_by, submitted_at=sent, reviewed_at=None, is_reviewed=False, now=sent)
    assert serious.call_back_by == promised
    assert call is not None
    assert call.by == promised
    assert not call.overdue
    assert urgent.call_back_by is None  # told to go to the emergency room instead


def test_a_serious_intake_made_urgent_after_sending_shows_no_call_by_time_on_its_queue_row(client, clinician):
    """Sent serious (its receipt promised a call by 11:00), then a cauda equina yes from a page left open in another
    tab made it urgent. Its row said "Call by ... 11:00 AM" beside the urgent level, as if it could wait until then;
    an urgent row needs a call now, and the escalation of urgent intakes covers it. The intake page still says what
    the receipt told the patient."""
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(minutes=30), tick=False):
        intake = make_intake("serious_fracture", name="Serious Then Urgent", submitted_at=TUESDAY_9)
        assert intake.call_back_by is not None
        services.record_red_flags(intake, {"ce_saddle_numbness": "yes"}, now=timezone.now())
        intake.refresh_from_db()
        assert intake.level == Level.URGENT
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Serious Then Urgent")
        page = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()

    assert "call-by" not in row
    assert "Call by" not in row
    assert "The patient's receipt says we will call by Tue Mar 2, 11:00 AM EST." in page


def test_an_urgent_row_whose_promised_time_passed_is_not_called_overdue_on_the_queue(client, clinician):
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(minutes=30), tick=False):
        intake = make_intake("serious_fracture", name="Urgent Later", submitted_at=TUESDAY_9)
        services.record_red_flags(intake, {"ce_saddle_numbness": "yes"}, now=timezone.now())
    with time_machine.travel(TUESDAY_9 + datetime.timedelta(hours=4), tick=False):
        client.force_login(clinician)
        row = _row_html(client.get(QUEUE), "Urgent Later")

    assert "Call was due" not in row


def test_how_long_ago_an_overdue_call_was_due_is_real_time_across_a_change_of_the_clocks(client, clinician):
    """Sent Friday 3:30 PM, the receipt promised a call by closing, 5:00 PM EST; on Sunday at 9:00 AM EDT, after the
    clocks went forward that night, 39 hours have passed. The intake page read "1 day, 16 hours ago" (clock readings
    subtracted), an hour more than the queue's own count of time (found in review)."""
    friday = datetime.datetime(2027, 3, 12, 15, 30, tzinfo=CLINIC)
    with time_machine.travel(datetime.datetime(2027, 3, 14, 9, 0, tzinfo=CLINIC), tick=False):
        intake = make_intake("serious_fracture", name="Serious Over The Weekend", submitted_at=friday)
        client.force_login(clinician)
        page = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()

    assert "we will call by Fri Mar 12, 5:00 PM EST (1\xa0day, 15\xa0hours ago)." in page
