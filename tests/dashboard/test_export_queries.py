"""The CSV export costs the same queries whatever the number of intakes, follow-ups among them (issue 16).

Four come with every signed-in staff page (the session, the user, the user's and the groups' permissions); the export
adds the audit's count and record, then four per keyset page of EXPORT_BATCH rows: the rows (with the answers the
outcome measures score), the audit's note of their intakes, their flags, and the answered follow-ups of their visits.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.dashboard.factories import bulk_assessed_intakes, make_follow_up, make_intake

pytestmark = pytest.mark.django_db
EXPORT = reverse("dashboard:export")
SIGNED_IN = 3  # session, user, permissions (the user's own and their groups')
AUDIT = 2  # the count of exported rows, the audit record
PER_PAGE = 4  # rows, the audit's note of their intakes, flags, answered follow-ups


def many_intakes(count: int) -> None:
    """`count` more assessed intakes with two flags and answers each, inserted in bulk."""
    bulk_assessed_intakes(
        count,
        flags=(("SC1", "SC1"), ("SC2", "SC2")),
        answers=lambda n: {"pain_week_avg": n % 11, "pain_enjoyment_interference": 4, "pain_interference": 5},
    )


def export_queries(client) -> tuple[int, int]:
    """The export's queries and its lines (the header included)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(EXPORT)
        assert response.status_code == 200
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    return len(captured), len(lines)


def test_the_export_costs_the_same_queries_with_8_and_80_intakes_and_their_follow_ups(client, clinician):
    visit = make_intake("routine_plain")
    make_follow_up(visit, "6w", sent_days_ago=60, seed=1)
    make_follow_up(visit, "3m", sent_days_ago=5, seed=2)
    client.force_login(clinician)
    client.get(EXPORT)  # the session's first request may write it; measure the next
    measured = []
    for more in (5, 72):  # 3 + 5 = 8 intakes, then 80
        many_intakes(more)
        measured.append(export_queries(client))
    assert measured == [(SIGNED_IN + AUDIT + PER_PAGE, 1 + 8), (SIGNED_IN + AUDIT + PER_PAGE, 1 + 80)]


# A last page exactly full is followed by one more read of rows, which finds none (one query).
@pytest.mark.parametrize(
    ("batch", "queries"), [(25, 3 * PER_PAGE), (30, 2 * PER_PAGE + 1), (60, PER_PAGE + 1), (61, PER_PAGE)]
)
def test_each_keyset_page_of_rows_costs_four_queries(client, clinician, monkeypatch, batch, queries):
    from dashboard import selectors

    monkeypatch.setattr(selectors, "EXPORT_BATCH", batch)
    many_intakes(60)
    client.force_login(clinician)
    client.get(EXPORT)
    assert export_queries(client) == (SIGNED_IN + AUDIT + queries, 1 + 60)
