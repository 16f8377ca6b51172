"""A page saved from a form read before another tab (or staff, or "Send") changed it.

An ordinary page is stored in one statement without the row lock, on condition that the intake is still as the
request read it (intake.services.unlocked_write, issue 16). Each test here gives the save an intake read before
something else was stored, and checks that nothing stored meanwhile is lost: the save then goes the locked way.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from intake import services
from intake.models import Intake, Level, RedFlagAnswer
from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug
from intake.rules.triage import LATCHED_QUESTIONS
from intake.services.answering import MSG_ALREADY_SENT
from tests.intake.factories import make_invitation, routine_answers

pytestmark = pytest.mark.django_db

SAFETY = "safety"  # red-flag questions (cauda equina), every answer "no" in routine_answers
ORDINARY = next(slug for slug in PAGE_SLUGS if "pain_now" in {q.code for q in page_by_slug(slug).questions})


@pytest.fixture
def started() -> Intake:
    invitation, _ = make_invitation()
    return services.record_consent(services.start_intake(invitation), now=timezone.now())


def _read(intake: Intake) -> Intake:
    """The intake as a request reads it: its own copy of the row."""
    return Intake.objects.get(pk=intake.pk)


def test_the_ordinary_page_asks_no_red_flag_question():
    assert not {q.code for q in page_by_slug(ORDINARY).questions} & (LATCHED_QUESTIONS | {services.PHONE})


def test_an_ordinary_page_is_stored_and_moves_the_resume_point(started):
    intake = services.save_page(_read(started), SAFETY, routine_answers(), now=timezone.now())

    stored = _read(started)
    assert stored.answers["ce_saddle_numbness"] == "no"
    assert stored.current_step == intake.current_step != SAFETY
    assert stored.level is None


def test_a_page_saved_meanwhile_from_another_tab_is_kept(started):
    old_tab = _read(started)
    services.save_page(_read(started), SAFETY, routine_answers(), now=timezone.now())

    services.save_page(old_tab, ORDINARY, routine_answers(), now=timezone.now())

    stored = _read(started).answers
    assert stored["ce_saddle_numbness"] == "no"  # the other tab's page
    assert {q.code for q in page_by_slug(ORDINARY).questions} & set(stored)  # this one's


def test_a_red_flag_sent_meanwhile_from_another_tab_stays_flagged(started):
    old_tab = _read(started)
    services.record_red_flags(_read(started), {"ce_saddle_numbness": "yes"}, now=timezone.now())

    services.save_page(old_tab, ORDINARY, routine_answers(), now=timezone.now())

    stored = _read(started)
    assert stored.level == Level.URGENT
    assert stored.answers["ce_saddle_numbness"] == "yes"
    assert RedFlagAnswer.objects.filter(intake=stored, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert old_tab.level == Level.URGENT  # the caller sees what is stored (its next page: the emergency advice)


def test_an_open_latch_is_counted_even_if_no_level_was_stored(started):
    # Not a state the services leave (a latch is opened and triaged in one transaction): the write checks for open
    # latches itself instead of trusting that.
    RedFlagAnswer.objects.create(intake=started, code="ce_saddle_numbness", value="yes", answered_at=timezone.now())

    services.save_page(_read(started), ORDINARY, routine_answers(), now=timezone.now())

    assert _read(started).level == Level.URGENT


def test_a_page_of_a_form_sent_meanwhile_is_refused(started):
    old_tab = _read(started)
    Intake.objects.filter(pk=started.pk).update(status=Intake.Status.SUBMITTED, submitted_at=timezone.now())

    with pytest.raises(services.InvalidAnswers) as refused:
        services.save_page(old_tab, ORDINARY, routine_answers(), now=timezone.now())

    assert refused.value.errors == {"__all__": MSG_ALREADY_SENT}
    assert not {q.code for q in page_by_slug(ORDINARY).questions} & set(_read(started).answers)
