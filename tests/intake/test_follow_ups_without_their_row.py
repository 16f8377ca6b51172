"""A follow-up whose `FollowUp` row is gone (its visit's row removed by the retention purge a batch before it, or by
hand) reads its background from the patient's latest sent pre-visit intake (`assessment.background_visit`). When
that intake's cancer history comes back (its review undone, or a yes posted from an old tab after "Send"), such a
follow-up is relatched and triaged again at once, as one with its row is: the relatch finds its follow-ups by the
same rule (`assessment.follow_ups_beneath`). Before, only follow-ups found through `FollowUp` rows were reached, and
this one's leg numbness stayed without MSCC (a sent one's for ever)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alerts.models import Alert
from intake.models import FollowUp, Intake, Level
from intake.services.assessment import background_visit, follow_ups_beneath
from tests.intake.factories import make_invitation, routine_answers
from tests.intake.test_mscc_leg_answers import _codes
from tests.intake.test_mscc_leg_review import (
    _follow_up_with_leg_numbness,
    _follow_up_with_leg_numbness_after_the_visit_review,
    _open_latches,
    _sent_with,
)

pytestmark = pytest.mark.django_db


def _without_its_row(follow_up: Intake) -> Intake:
    FollowUp.objects.filter(invitation_id=follow_up.invitation_id).delete()
    follow_up.refresh_from_db()
    return follow_up


def _later_visit(visit: Intake, **changes: object) -> Intake:
    """Another pre-visit intake of `visit`'s patient, sent after it."""
    from intake.services.demo import create_assessed_intake

    invitation, _ = make_invitation(
        patient=visit.patient,
        date_of_birth=visit.patient.date_of_birth,
        name=visit.patient.name,
        email=visit.patient.email,
    )
    later = create_assessed_intake(
        invitation=invitation,
        answers=routine_answers(date_of_birth=visit.patient.date_of_birth, **changes),
        today=timezone.localdate(),
        submitted_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    assert later.patient_id == visit.patient_id
    return later


def _is_mscc_latched_and_alerted(follow_up: Intake) -> bool:
    follow_up.refresh_from_db()
    latched = _open_latches(follow_up)
    return (
        follow_up.level == Level.URGENT
        and "MSCC" in _codes(follow_up)
        and {"leg_numbness_tingling", "cancer_history"} <= set(latched)
        and Alert.objects.filter(intake=follow_up, kind=Alert.Kind.URGENT).count() == 1
    )


@pytest.mark.parametrize("sent", [False, True], ids=["being answered", "sent"])
def test_undoing_the_visit_review_relatches_a_follow_up_whose_row_is_gone(clinician, sent):
    from intake.services.review_undo import review_token, undo_review

    visit, follow_up = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician, sent=sent)
    _without_its_row(follow_up)
    assert background_visit(follow_up) == visit  # the fallback: the patient's latest sent pre-visit intake

    undo_review(visit, by=clinician, review=review_token(visit))

    assert _is_mscc_latched_and_alerted(follow_up)
    assert follow_up.status == (Intake.Status.SUBMITTED if sent else Intake.Status.IN_PROGRESS)


def test_a_cancer_yes_from_an_old_tab_of_the_sent_visit_relatches_a_follow_up_whose_row_is_gone(patient):
    visit = _sent_with(patient, cancer_history="no")
    answering = _without_its_row(_follow_up_with_leg_numbness(visit))
    sent = _without_its_row(_follow_up_with_leg_numbness(visit, time_point="3m", sent=True))

    patient.client.post("/intake/step/general_health/", {"cancer_history": "yes"})

    assert "cancer_history" in _open_latches(visit)
    for follow_up in (answering, sent):
        assert _is_mscc_latched_and_alerted(follow_up), follow_up.status


def test_a_follow_up_without_its_row_is_not_relatched_by_a_visit_it_does_not_read(clinician):
    """The same rule both ways: once a later visit is sent, a follow-up without its row reads that one, so undoing
    the earlier visit's review reaches it no more (its background has no cancer history); its visit's own
    follow-ups, found through their rows, are still reached."""
    from intake.services.review_undo import review_token, undo_review

    visit, orphan = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician)
    with_row = _follow_up_with_leg_numbness(visit, time_point="3m")
    _without_its_row(orphan)
    later = _later_visit(visit, cancer_history="no")
    assert background_visit(orphan) == later
    assert background_visit(with_row) == visit
    assert set(follow_ups_beneath(visit)) == {with_row}
    assert set(follow_ups_beneath(later)) == {orphan}

    undo_review(visit, by=clinician, review=review_token(visit))

    assert _is_mscc_latched_and_alerted(with_row)
    orphan.refresh_from_db()
    assert "MSCC" not in _codes(orphan)
    assert not _open_latches(orphan)


def test_follow_ups_beneath_a_visit_are_those_whose_background_it_is(clinician):
    """`follow_ups_beneath` and `background_visit` agree on every follow-up of the patient: with its row, without
    it, and the pre-visit intakes themselves (no background)."""
    visit, orphan = _follow_up_with_leg_numbness_after_the_visit_review("cancer_history", clinician)
    with_row = _follow_up_with_leg_numbness(visit, time_point="3m")
    _without_its_row(orphan)
    later = _later_visit(visit)
    later_follow_up = _follow_up_with_leg_numbness(later, time_point="6w")

    intakes = Intake.objects.filter(patient_id=visit.patient_id)
    for candidate in (visit, later):
        beneath = set(follow_ups_beneath(candidate))
        assert beneath == {intake for intake in intakes if background_visit(intake) == candidate}
    assert background_visit(visit) is None
    assert background_visit(later_follow_up) == later
    assert background_visit(with_row) == visit
