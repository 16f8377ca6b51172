"""Two requests sending the same intake at the same moment (a double tap, two tabs) make exactly one submission.

Needs real row locks, so it runs on PostgreSQL (CI and `DATABASE_URL=... make test`); SQLite serialises writers
anyway and its in-memory test database is not shared between threads.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from intake import services
from intake.models import Intake
from intake.rules.questionnaire import STEP_SLUGS
from tests.intake.factories import make_invitation, routine_answers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="needs PostgreSQL row locks"),
]


def test_two_simultaneous_submissions_make_one(alert_calls):
    invitation, _ = make_invitation()
    intake = services.start_intake(invitation)
    for slug in STEP_SLUGS:
        services.save_step(intake, slug, routine_answers(weight_loss="yes"), now=timezone.now())

    barrier = threading.Barrier(4)
    results: list[Intake] = []
    failures: list[BaseException] = []

    def send() -> None:
        try:
            copy = Intake.objects.get(pk=intake.pk)
            barrier.wait()
            results.append(services.submit_intake(copy, now=timezone.now()))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert len({result.submitted_at for result in results}) == 1
    assert len(alert_calls) == 1
