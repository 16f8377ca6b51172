"""The alerts' admin writes its times as the staff pages do, "Mar 20, 2030, 9:00 AM EDT" in the clinic's zone, where
it said Django's "March 20, 2030, 1 p.m." (README, "Dates and times on staff pages"); the list still sorts by them.
The heartbeat rows name their time in the clinic's zone too, not UTC."""

from __future__ import annotations

import datetime
import re

import pytest

from alerts.models import Alert, SweeperHeartbeat, WorkerHeartbeat
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 3, 20, 13, 0, tzinfo=datetime.UTC)  # 9:00 AM EDT
LIST_URL = "/admin/alerts/alert/"


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _alert(time_machine, *, sent_after_minutes: int | None) -> Alert:
    time_machine.move_to(NOW, tick=False)
    alert = Alert.objects.create(
        intake=make_intake("urgent_bowel"),
        kind=Alert.Kind.URGENT,
        status=Alert.Status.SENT if sent_after_minutes is not None else Alert.Status.PENDING,
        next_attempt_at=NOW + datetime.timedelta(minutes=2),
        sent_at=NOW + datetime.timedelta(minutes=sent_after_minutes) if sent_after_minutes is not None else None,
    )
    return alert


def test_the_alert_list_writes_created_next_attempt_and_sent_as_the_staff_pages_do(client, administrator, time_machine):
    _alert(time_machine, sent_after_minutes=1)
    client.force_login(administrator)
    page = _text(client.get(LIST_URL))
    cells = re.findall(r'<td class="field-(created|next_attempt|sent)[^"]*">([^<]*)</td>', page)
    assert [text for _name, text in cells] == [
        "Mar 20, 2030, 9:00 AM EDT",
        "Mar 20, 2030, 9:02 AM EDT",
        "Mar 20, 2030, 9:01 AM EDT",
    ]
    assert not re.search(r"\d [ap]\.m\.", page)


def test_the_alert_list_still_sorts_by_its_times(client, administrator, time_machine):
    older = _alert(time_machine, sent_after_minutes=None)
    Alert.objects.filter(pk=older.pk).update(created_at=NOW - datetime.timedelta(hours=1))
    newer = Alert.objects.create(intake=older.intake, kind=Alert.Kind.ESCALATION, next_attempt_at=NOW)
    client.force_login(administrator)
    page = client.get(LIST_URL).content.decode()
    created_column = re.search(r'<th scope="col" class="sortable[^"]*column-created', page)
    assert created_column is not None  # a header the administrator can click to sort by
    link = re.search(r'column-created.*?<a href="(\?o=[^"]+)"', page, re.S)
    assert link is not None
    by_created = client.get(LIST_URL + link.group(1)).content.decode()
    assert by_created.index(f"/admin/alerts/alert/{older.pk}/") < by_created.index(f"/admin/alerts/alert/{newer.pk}/")


def test_an_alerts_page_writes_its_times_as_the_staff_pages_do(client, administrator, time_machine):
    alert = _alert(time_machine, sent_after_minutes=None)
    client.force_login(administrator)
    page = client.get(f"/admin/alerts/alert/{alert.pk}/change/").content.decode()
    readonly = dict(re.findall(r'<label>([^<]*):</label>\s*<div class="readonly">([^<]*)</div>', page))
    assert readonly["Created at"] == "Mar 20, 2030, 9:00 AM EDT"
    assert readonly["Next attempt at"] == "Mar 20, 2030, 9:02 AM EDT"
    assert readonly["Sent at"] == "-"
    assert not re.search(r"\d [ap]\.m\.", page)


def test_the_heartbeats_name_their_time_in_the_clinics_zone():
    """Stored in UTC; their names read "2030-03-20 13:00:05 UTC", four hours off the clinic's clocks."""
    swept = SweeperHeartbeat(swept_at=NOW + datetime.timedelta(seconds=5))
    assert str(swept) == "Sweeper last ran Mar 20, 2030, 9:00:05 AM EDT"
    waiting = WorkerHeartbeat(waiting_since=NOW + datetime.timedelta(seconds=5))
    assert str(waiting) == "Worker ping waiting since Mar 20, 2030, 9:00:05 AM EDT"
    assert str(WorkerHeartbeat(waiting_since=None)) == "Worker ping answered"


def test_an_escalations_page_still_says_which_review_round_and_attempt_it_is(client, administrator, time_machine):
    """Naming the fields the page shows, for its times, left out the alert's round and attempt (which escalation of
    which round: "keeps escalating", docs/clinical/TRIAGE.md), shown on the page before."""
    first = _alert(time_machine, sent_after_minutes=None)
    escalation = Alert.objects.create(
        intake=first.intake, kind=Alert.Kind.ESCALATION, round=2, attempt=3, next_attempt_at=NOW
    )
    client.force_login(administrator)
    page = client.get(f"/admin/alerts/alert/{escalation.pk}/change/").content.decode()
    readonly = dict(re.findall(r'<label>([^<]*):</label>\s*<div class="readonly">([^<]*)</div>', page))
    assert readonly["Round"] == "2"
    assert readonly["Attempt"] == "3"
