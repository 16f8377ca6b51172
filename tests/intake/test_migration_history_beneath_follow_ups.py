"""intake/migrations/0030: a follow-up whose MSCC partner answer (clumsy hands, a cauda equina sign, a leg answer) was
latched beside its visit's cancer history before such a latch also latched that history on the follow-up
(`answering._latch_the_history_beneath`, December 7) gets that latch, so a review of the visit that clears its
cancer latch no longer lowers the follow-up's MSCC, on its next page or when it is triaged again."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from intake.models import Intake, Level, RedFlagAnswer
from tests.intake.test_mscc_leg_review import _codes, _follow_up_with_clumsy_hands, _open_latches, _visit_with_a_latch

pytestmark = pytest.mark.django_db

migration = importlib.import_module("intake.migrations.0030_latch_visit_cancer_history_beneath_follow_ups")


def _as_before_the_upgrade(follow_up: Intake) -> None:
    """The follow-up's latch of its visit's cancer history removed: as it stood when its clumsy hands were latched
    before the follow-up latched that history too."""
    RedFlagAnswer.objects.filter(intake=follow_up, code="cancer_history").delete()
    assert "hands_clumsy" in _open_latches(follow_up)
    assert "cancer_history" not in _open_latches(follow_up)


def test_a_follow_up_being_answered_keeps_its_mscc_when_its_visit_is_reviewed_after_the_upgrade(clinician):
    from intake.services import mark_reviewed, save_page
    from tests.intake.factories import follow_up_answers

    visit = _visit_with_a_latch("cancer_history")
    follow_up = _follow_up_with_clumsy_hands(visit)
    assert follow_up.level == Level.URGENT
    assert "MSCC" in _codes(follow_up)
    _as_before_the_upgrade(follow_up)

    migration.latch_visit_cancer_history_beneath(apps, None)

    latch = _open_latches(follow_up)["cancer_history"]
    assert (latch.value, latch.given_before) == ("yes", True)
    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    save_page(follow_up, "legs", follow_up_answers(), now=timezone.now())
    follow_up.refresh_from_db()
    assert follow_up.level == Level.URGENT
    assert {"MSCC", "CM1"} <= _codes(follow_up)


def test_a_sent_follow_up_keeps_its_mscc_when_triaged_again_after_its_visits_review(clinician):
    from intake.services import mark_reviewed
    from intake.services.assessment import retriage

    visit = _visit_with_a_latch("cancer_history")
    sent = _follow_up_with_clumsy_hands(visit, sent=True)
    assert sent.status == Intake.Status.SUBMITTED
    assert "MSCC" in _codes(sent)
    _as_before_the_upgrade(sent)

    migration.latch_visit_cancer_history_beneath(apps, None)

    mark_reviewed(visit, by=clinician, outcome="routine_appointment")
    retriage(sent, now=timezone.now(), apply=True)
    sent.refresh_from_db()
    assert sent.level == Level.URGENT
    assert "MSCC" in _codes(sent)


def test_follow_ups_without_a_partner_latch_or_a_cancer_history_or_with_the_latch_already_are_left_alone(clinician):
    from intake.services import mark_reviewed

    with_history = _follow_up_with_clumsy_hands(_visit_with_a_latch("cancer_history"))  # latched already
    without_history = _follow_up_with_clumsy_hands(_visit_with_a_latch("ce_saddle_numbness"))
    reviewed = _follow_up_with_clumsy_hands(_visit_with_a_latch("cancer_history"), sent=True)
    mark_reviewed(reviewed, by=clinician, outcome="emergency_care")  # its latches cleared: nothing open beside
    assert "cancer_history" in _open_latches(with_history)
    assert "cancer_history" not in _open_latches(without_history)
    before = set(RedFlagAnswer.objects.values_list("pk", "cleared_at"))

    migration.latch_visit_cancer_history_beneath(apps, None)

    assert set(RedFlagAnswer.objects.values_list("pk", "cleared_at")) == before
