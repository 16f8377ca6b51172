"""What a patient's step page asks of the database (issue 16), rate limits on as in production: the same few
statements on the first page and on the last, however many answers are stored."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug
from tests.intake.conftest import answer_up_to
from tests.intake.factories import post_data, routine_answers

pytestmark = pytest.mark.django_db

FIRST, LAST = PAGE_SLUGS[1], PAGE_SLUGS[-1]  # the first question page (after consent) and the last


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


def _statements(client, method: str, path: str, data: object = None) -> list[str]:
    """The statements one request sends. The save's transaction shows here as a savepoint in the test's own
    transaction (BEGIN and COMMIT in production, which Django does not log): left out."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path) if method == "get" else client.post(path, data)
    assert response.status_code == (200 if method == "get" else 302)
    return [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]


def test_a_step_page_reads_the_session_and_the_intake_and_nothing_else(patient, limits_on):
    first = _statements(patient.client, "get", f"/intake/step/{FIRST}/")
    answer_up_to(patient, LAST, routine_answers())
    last = _statements(patient.client, "get", f"/intake/step/{LAST}/")

    for statements in (first, last):
        assert len(statements) == 2, statements
        assert "django_session" in statements[0]
        assert "intake_intake" in statements[1]
        assert not any("portal_ratelimit_cache" in sql for sql in statements)  # a page view is not counted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite counts a post in two statements")
def test_saving_an_ordinary_page_counts_the_post_and_writes_once_without_a_lock(patient, limits_on):
    answers = routine_answers()

    def save(slug: str) -> list[str]:
        return _statements(patient.client, "post", f"/intake/step/{slug}/", post_data(page_by_slug(slug), answers))

    save(FIRST)  # the link's counter is made here (and now and then sweeps expired ones): not what is measured
    first = save(FIRST)  # red-flag questions, all answered "no"
    answer_up_to(patient, LAST, answers)
    last = save(LAST)

    for statements in (first, last):
        # Session, count, intake, then one conditional write (intake.services.unlocked_write): no transaction.
        assert len(statements) == 4, statements
        assert "django_session" in statements[0]
        assert "portal_ratelimit_cache" in statements[1]
        assert "intake_intake" in statements[2]
        assert statements[3].startswith('UPDATE "intake_intake"')
        assert not any("FOR UPDATE" in sql for sql in statements)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite locks no row")
def test_a_page_once_something_is_flagged_is_saved_under_the_row_lock(patient, limits_on):
    answers = {**routine_answers(), "ce_saddle_numbness": "yes"}
    save = lambda: _statements(  # noqa: E731
        patient.client, "post", f"/intake/step/{FIRST}/", post_data(page_by_slug(FIRST), answers)
    )
    save()
    statements = save()

    assert sum("FOR UPDATE" in sql for sql in statements) >= 1
    assert sum(sql.startswith('UPDATE "intake_intake"') for sql in statements) == 1
