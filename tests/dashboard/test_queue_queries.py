"""The queue and the CSV export cost a fixed number of queries, whatever the number of intakes (issue 16).

Three come with every signed-in staff page (the session, the user, and the user's permissions: their own and their
groups' in one query, accounts/backends.py); the queue
adds three: what needs action (the intakes waiting for review per level and this week's arrivals for the chart, with
where the history stands: the newest intake and review), the page's rows, and their flags. While urgent intakes wait,
the banner that says to call them today lists the first few with their phone numbers: read off the page when it
starts with them (the first page of the whole queue, or of the urgent or waiting ones), one query more on any other
page. The history (reviewed intakes per level, the chart's earlier weeks) is counted when it moves: two queries more
then. A filter the counts per level cannot size (flag, dates, name) adds one capped count.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard import queue_counts, selectors
from intake.models import Intake, Invitation, Level
from tests.dashboard.factories import bulk_assessed_intakes

pytestmark = pytest.mark.django_db
QUEUE = reverse("dashboard:queue")
EXPORT = reverse("dashboard:export")
SIGNED_IN = 3  # session, user, permissions (the user's own and their groups')
QUEUE_QUERIES = 3  # waiting and this week's counts with the history's version, rows, flags
CALL_LIST = 1  # the urgent patients to call, on a page that does not start with them (bulk_intakes always has some)


def bulk_intakes(count: int) -> None:
    """`count` assessed intakes with a flag each, inserted in bulk (the sizes differ, the rows do not)."""
    Invitation.objects.all().delete()
    bulk_assessed_intakes(count)


def queries_for(client, path: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
        assert response.status_code == 200
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize("role", ["clinician", "front_desk"])
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, SIGNED_IN + QUEUE_QUERIES),
        ({"page": "2"}, SIGNED_IN + QUEUE_QUERIES + CALL_LIST),
        ({"level": "urgent", "reviewed": "no"}, SIGNED_IN + QUEUE_QUERIES),  # sized by the counts per level
        ({"reviewed": "yes"}, SIGNED_IN + QUEUE_QUERIES + CALL_LIST),
        ({"appointment_from": "2026-01-01"}, SIGNED_IN + QUEUE_QUERIES + CALL_LIST + 1),  # plus one capped count
    ],
)
def test_the_queue_costs_the_same_queries_with_60_and_240_intakes(client, request, role, params, expected):
    client.force_login(request.getfixturevalue(role))
    counts = []
    bulk_intakes(0)
    for more in (60, 180):  # 60, then 240: two pages at least, so page 2 is not the first page
        bulk_assessed_intakes(more)
        client.get(QUEUE)  # the session's first request may write it; measure the next
        counts.append(queries_for(client, QUEUE, params))
    assert counts == [expected, expected]


def test_the_flag_filter_and_the_name_search_add_one_capped_count(client, clinician):
    client.force_login(clinician)
    bulk_intakes(60)
    client.get(QUEUE)
    assert queries_for(client, QUEUE, {"flag": "SC1"}) == SIGNED_IN + QUEUE_QUERIES + CALL_LIST + 1
    searched = client.post(reverse("dashboard:queue-search"), {"name": "patient 12"})["Location"]
    assert queries_for(client, searched) == SIGNED_IN + QUEUE_QUERIES + CALL_LIST + 1


def test_a_search_that_reads_as_a_reference_costs_one_look_up_more(client, clinician):
    from intake.references import reference_for

    client.force_login(clinician)
    bulk_intakes(30)
    client.get(QUEUE)
    intake = Intake.objects.order_by("pk").last()
    assert intake is not None
    searched = client.post(reverse("dashboard:queue-search"), {"name": reference_for(intake.pk)})["Location"]
    # is it an intake? then the capped count
    assert queries_for(client, searched) == SIGNED_IN + QUEUE_QUERIES + CALL_LIST + 2


def test_a_list_longer_than_the_cap_says_so_instead_of_counting_it_all(client, clinician, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 20)
    client.force_login(clinician)
    bulk_intakes(60)
    html = client.get(QUEUE, {"flag": "SC1"}).content.decode()
    assert "20+ intakes" in html
    assert "page 1 of 1+" not in html  # 20 rows make one page of 50
    assert "60 intakes" in client.get(QUEUE).content.decode()  # unfiltered: exact, from the counts per level


@pytest.mark.parametrize("batch", [7, 2000])
def test_the_export_reads_keyset_pages_of_fixed_size_and_loses_no_row(client, clinician, monkeypatch, batch):
    monkeypatch.setattr(selectors, "EXPORT_BATCH", batch)
    client.force_login(clinician)
    bulk_intakes(60)
    response = client.get(EXPORT)
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    ids = [line.split(",")[0] for line in lines[1:]]
    expected = [str(pk) for pk in selectors.queue_intakes(selectors.QueueFilters()).values_list("pk", flat=True)]
    assert ids == expected
    assert len(ids) == 60


def test_the_export_costs_three_queries_a_page_of_rows(client, clinician, monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_BATCH", 25)
    client.force_login(clinician)
    bulk_intakes(60)
    client.get(QUEUE)
    # the permissions check, the audit count and record, then three pages (25, 25, 10) of rows, the audit's note of
    # their intakes, flags and the scores of the visits they belong to
    assert queries_for(client, EXPORT) == SIGNED_IN + 2 + 3 * 4


def test_the_history_is_counted_again_only_when_it_moves(client, clinician):
    client.force_login(clinician)
    bulk_intakes(20)
    assert queries_for(client, QUEUE) == SIGNED_IN + QUEUE_QUERIES + 2  # the history counted
    assert queries_for(client, QUEUE) == SIGNED_IN + QUEUE_QUERIES  # and kept
    intake = Intake.objects.filter(is_reviewed=False).first()
    assert intake is not None
    client.post(reverse("dashboard:review", args=[intake.pk]), {"outcome": "routine_appointment", "note": ""})
    assert queries_for(client, QUEUE) == SIGNED_IN + QUEUE_QUERIES + 2  # a review moved it


def test_counts_and_chart_are_right_at_once_after_a_review_and_a_new_intake(client, clinician):
    from tests.dashboard.factories import make_intake

    client.force_login(clinician)
    bulk_intakes(8)
    before = {c.level.code: (c.unreviewed, c.total) for c in client.get(QUEUE).context["counts"]}
    waiting = make_intake("urgent_saddle_bladder", name="New Urgent")
    after = {c.level.code: (c.unreviewed, c.total) for c in client.get(QUEUE).context["counts"]}
    assert after["urgent"] == (before["urgent"][0] + 1, before["urgent"][1] + 1)
    assert client.get(QUEUE).context["weeks"][-1].counts[1] >= 1
    client.post(reverse("dashboard:review", args=[waiting.pk]), {"outcome": "emergency_care", "note": "Sent to A&E."})
    reviewed = {c.level.code: (c.unreviewed, c.total) for c in client.get(QUEUE).context["counts"]}
    assert reviewed["urgent"] == (before["urgent"][0], before["urgent"][1] + 1)


@pytest.mark.parametrize(
    "filters",
    [
        selectors.QueueFilters(),
        selectors.QueueFilters(level=Level.URGENT),
        selectors.QueueFilters(reviewed=False),
        selectors.QueueFilters(level=Level.URGENT, reviewed=False),
    ],
)
def test_the_call_list_read_off_the_first_page_is_the_one_its_query_gives(filters, django_assert_num_queries):
    bulk_intakes(40)  # six urgent intakes waiting, among reviewed and other ones
    page = selectors.queue_page(filters, page=None, counts=queue_counts.level_counts())
    assert page.starts_with_urgent
    with django_assert_num_queries(0):
        read_off = selectors.urgent_contacts(page=page)
    assert read_off == selectors.urgent_contacts()
    assert len(read_off) == 5


@pytest.mark.parametrize(
    ("filters", "page"),
    [
        (selectors.QueueFilters(), "2"),
        (selectors.QueueFilters(reviewed=True), None),
        (selectors.QueueFilters(level=Level.SERIOUS), None),
        (selectors.QueueFilters(flag="SC1"), None),
        (selectors.QueueFilters(name="Patient"), None),
        (selectors.QueueFilters(appointment_from=datetime.date(2026, 1, 1)), None),
    ],
)
def test_a_page_that_may_leave_urgent_intakes_out_does_not_give_the_call_list(filters, page):
    bulk_intakes(120)
    shown = selectors.queue_page(filters, page=page, counts=queue_counts.level_counts())
    assert not shown.starts_with_urgent
    assert len(selectors.urgent_contacts(page=shown)) == 5  # asked of the database instead


def test_what_needs_action_is_counted_in_one_query_as_the_orm_counts_it(django_assert_num_queries):
    from django.db.models.functions import Coalesce

    bulk_intakes(40)  # sent 0 to 39 days ago, a third of them reviewed
    stopped = Intake.objects.order_by("pk")[:6]
    Intake.objects.filter(pk__in=[i.pk for i in stopped[:3]]).update(  # stopped at the safety step last week
        submitted_at=None, created_at=timezone.now() - datetime.timedelta(days=8)
    )
    Intake.objects.filter(pk__in=[i.pk for i in stopped[3:]]).update(level=None)  # not assessed: never counted
    today = timezone.localdate()
    with django_assert_num_queries(1):
        now = queue_counts.queue_now(today=today)
    assessed = selectors.assessed_intakes()
    arrived = assessed.annotate(arrived=Coalesce("submitted_at", "created_at"))
    monday = today - datetime.timedelta(days=today.weekday())
    assert now.monday == monday
    assert now.waiting == queue_counts._per_level(assessed.filter(is_reviewed=False))
    assert now.this_week == queue_counts._per_level(arrived.filter(arrived__gte=selectors.start_of_day(monday)))
    assert sum(now.waiting.values()) > 0
    assert now.version[0] == Intake.objects.order_by("-pk").values_list("pk", flat=True)[0]


def test_a_review_moves_the_historys_version():
    bulk_intakes(10)
    today = timezone.localdate()
    before = queue_counts.queue_now(today=today).version
    assert queue_counts.queue_now(today=today).version == before
    waiting = Intake.objects.filter(is_reviewed=False).values_list("pk", flat=True)[0]
    Intake.objects.filter(pk=waiting).update(is_reviewed=True, reviewed_at=timezone.now())
    assert queue_counts.queue_now(today=today).version != before
    assert queue_counts.queue_now(today=today + datetime.timedelta(days=1)).version != before


@pytest.mark.parametrize("filters", [selectors.QueueFilters(), selectors.QueueFilters(flag="SC1", reviewed=False)])
def test_every_page_holds_its_part_of_the_queue_in_order(filters):
    bulk_intakes(120)
    expected = list(selectors.queue_intakes(filters).values_list("pk", flat=True))
    counts = queue_counts.level_counts()
    first = selectors.queue_page(filters, page="1", counts=counts)
    pages = [first] + [selectors.queue_page(filters, page=str(n), counts=counts) for n in range(2, first.num_pages + 1)]
    assert [entry.intake_id for page in pages for entry in page.entries] == expected
    assert len(pages) > 1
    assert all(len(page.entries) == selectors.PAGE_SIZE for page in pages[:-1])
