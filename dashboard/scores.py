"""Outcome scores per visit and time point (issue 12): the pre-visit intake, then each follow-up of the schedule.

A visit is a pre-visit intake; its follow-ups point at it (`FollowUp.visit`). Scores come from the answers through
the instruments' own scoring (`outcomes.instruments`, pure functions); only the answers the instruments score are
read from the database, for a whole page of visits in one query (the CSV export reads them per keyset page).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings

from intake.models import Intake, Questionnaire
from intake.rules.schedule import label_for, parse_schedule
from outcomes import registry
from outcomes.instruments.model import Instrument
from outcomes.instruments.scoring import score

# The measures charted and exported at every time point (docs/clinical/INTAKE.md, "Outcome measures").
MEASURES = ("peg", "psfs")
SHORT_NAMES = {"peg": "PEG", "psfs": "PSFS"}
INTAKE_POINT = "intake"
EMPTY: tuple[Decimal | None, ...] = ()


def follow_up_points() -> tuple[str, ...]:
    """The clinic's follow-up time points, soonest first (FOLLOW_UP_SCHEDULE "6w:42,3m:91,12m:365")."""
    return tuple(point.code for point in parse_schedule(settings.FOLLOW_UP_SCHEDULE))


def time_points() -> tuple[str, ...]:
    return (INTAKE_POINT, *follow_up_points())


def time_point_label(code: str) -> str:
    """ "6w" -> "6 weeks", "12m" -> "12 months", "intake" -> "Before the visit"."""
    return "Before the visit" if code == INTAKE_POINT else label_for(code)


def questionnaire_label(kind: str, time_point: str) -> str:
    """What staff call a questionnaire: "Pre-visit intake" or "Follow-up 6 weeks"."""
    if kind == Questionnaire.FOLLOW_UP:
        return f"Follow-up {time_point_label(time_point)}" if time_point else "Follow-up"
    return "Pre-visit intake"


def measures() -> list[Instrument]:
    known = registry.instruments()
    return [known[code] for code in MEASURES if code in known]


def columns() -> list[tuple[Instrument, str]]:
    """The export's score columns: each measure at each time point."""
    return [(instrument, point) for instrument in measures() for point in time_points()]


def score_value(instrument: Instrument, answers: dict[str, object]) -> Decimal | None:
    result = score(instrument, answers)
    return result.value if result is not None else None


def by_visit(visit_ids: Iterable[int]) -> dict[int, tuple[Decimal | None, ...]]:
    """Visit id -> its scores in `columns()` order: the pre-visit intake's own, then each answered follow-up's.

    One query, reading only the answers the measures score."""
    ids = sorted(set(visit_ids))
    if not ids:
        return {}
    chosen = measures()
    codes = sorted({code for instrument in chosen for code in instrument.scoring.items})
    fields = (
        "pk",
        "kind",
        "invitation__follow_up__visit_id",
        "invitation__follow_up__time_point",
        *(f"answers__{code}" for code in codes),
    )
    # Two halves in one query (UNION ALL), so each is read through its own index: the visits by their ids, and
    # the follow-ups answered for them through their visit.
    visits = Intake.objects.filter(pk__in=ids, kind=Questionnaire.INTAKE).order_by().values_list(*fields)
    answered = (
        Intake.objects.filter(invitation__follow_up__visit_id__in=ids, status=Intake.Status.SUBMITTED)
        .order_by()
        .values_list(*fields)
    )
    rows = visits.union(answered, all=True)
    found: dict[int, dict[tuple[str, str], Decimal | None]] = {}
    for pk, kind, visit_id, time_point, *values in rows:
        answers = dict(zip(codes, values, strict=True))
        visit, point = (pk, INTAKE_POINT) if kind == Questionnaire.INTAKE else (visit_id, time_point)
        for instrument in chosen:
            found.setdefault(visit, {})[(instrument.code, point)] = score_value(instrument, answers)
    wanted = columns()
    return {
        visit: tuple(values.get((instrument.code, point)) for instrument, point in wanted)
        for visit, values in found.items()
    }
