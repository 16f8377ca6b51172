"""The export's scores per visit from the answers read for it (dashboard.scores.scores_by_visit): no database."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from dashboard import scores

PEG = {"pain_week_avg": 6, "pain_enjoyment_interference": 5, "pain_interference": 4}  # mean 5.0
PSFS = {  # mean 4.0
    "psfs_1_activity": "Running",
    "psfs_1": 3,
    "psfs_2_activity": "Sitting",
    "psfs_2": 4,
    "psfs_3_activity": "Gardening",
    "psfs_3": 5,
}


def text(*answers: Mapping[str, object]) -> str:
    """Answers as the database gives them to the export: one JSON object."""
    return json.dumps({key: value for part in answers for key, value in part.items()})


def by_column(values: tuple[Decimal | None, ...]) -> dict[str, Decimal | None]:
    columns = [f"{instrument.code} {point}" for instrument, point in scores.columns()]
    return dict(zip(columns, values, strict=True))


def test_each_questionnaire_is_scored_at_its_time_point_and_the_rest_are_empty():
    six_weeks = text(
        {"pain_week_avg": 2, "pain_enjoyment_interference": 3}, {"psfs_1_activity": "Running", "psfs_1": 9}
    )
    found = scores.scores_by_visit([(7, "intake", text(PEG, PSFS)), (7, "6w", six_weeks)])
    assert by_column(found[7]) == {
        "peg intake": Decimal("5.0"),
        "peg 6w": None,  # PEG needs all three items
        "peg 3m": None,
        "peg 12m": None,
        "psfs intake": Decimal("4.0"),
        "psfs 6w": Decimal("9.0"),  # the PSFS, one activity of three
        "psfs 3m": None,
        "psfs 12m": None,
    }


def test_visits_answered_alike_share_their_scores_and_differ_from_others():
    found = scores.scores_by_visit(
        [(1, "intake", text(PEG)), (2, "intake", text(PEG)), (3, "intake", text(PEG, {"pain_interference": 10}))]
    )
    assert found[1] is found[2]
    assert by_column(found[3])["peg intake"] == Decimal("7.0")


def test_answers_that_count_as_missing_leave_the_score_empty():
    found = scores.scores_by_visit(
        [(1, "intake", text(PEG, {"pain_week_avg": "6", "pain_interference": None, "psfs_1": True, "psfs_2": 4.5}))]
    )
    assert set(found[1]) == {None}


def test_a_psfs_rating_of_no_activity_named_is_not_in_the_score():
    found = scores.scores_by_visit([(1, "intake", text({"psfs_1_activity": "Running", "psfs_1": 3, "psfs_2": 10}))])
    assert by_column(found[1])["psfs intake"] == Decimal("3.0")
