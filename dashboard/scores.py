"""Outcome scores per visit and time point (issue 12): the pre-visit intake, then each follow-up of the schedule.

A visit is a pre-visit intake; its follow-ups point at it (`FollowUp.visit`). Scores come from the answers through
the instruments' own scoring (`outcomes.instruments`, pure functions); only the answers the instruments score are
read from the database, as one JSON text per questionnaire (`scored_answers`: the CSV export reads it with each keyset
page of rows, and the answered follow-ups of their visits in one more query), and visits answered alike are scored
once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Func, QuerySet, TextField, Value

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


class ScoredAnswers(Func):
    """The answers to `codes` as one JSON object, as text (null for a code not answered): equal answers come back as
    equal text, scored once (see `scores_by_visit`)."""

    output_field = TextField()

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        super().__init__(F("answers"))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        # The stored answers are compressed: each `answers -> code` would unpack them again (six codes took the
        # export over a second at 50,000 intakes). `#> '{}'` (no path: the whole value) unpacks them once, in a
        # subquery that OFFSET 0 keeps from being merged back into one expression per code. Like `->`, it gives
        # nulls for answers that are not an object.
        answers, params = compiler.compile(self.source_expressions[0])
        pairs = ", ".join("%s, (a -> %s)" for _ in self.codes)
        subquery = f"(SELECT {answers} #> '{{}}' AS a OFFSET 0) AS s"
        sql = f"(SELECT jsonb_build_object({pairs})::text FROM {subquery})"  # noqa: S608 - values as parameters
        return sql, (*(value for code in self.codes for value in (code, code)), *params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        # `->` (SQLite 3.38) gives JSON, which json_object keeps as JSON: a stored "3" stays a string, true stays true.
        answers, params = compiler.compile(self.source_expressions[0])
        pairs = ", ".join(f"%s, ({answers} -> %s)" for _ in self.codes)
        return f"json_object({pairs})", tuple(value for code in self.codes for value in (code, *params, f'$."{code}"'))


def visit_scores(
    answers_by_point: Mapping[str, dict[str, object]], wanted: Sequence[tuple[Instrument, str]]
) -> tuple[Decimal | None, ...]:
    """A visit's scores in `wanted` (`columns()`) order, from the answers of its questionnaires by time point."""
    return tuple(
        score_value(instrument, answers_by_point[point]) if point in answers_by_point else None
        for instrument, point in wanted
    )


def scored_answers() -> Func | Value:
    """The answers the measures score, as JSON text (ScoredAnswers): an annotation of intakes. An activity's rating
    comes with the activity's name (the PSFS): a rating of no activity named does not count."""
    codes = sorted(
        {
            code
            for instrument in measures()
            for item in instrument.scored_items
            for code in (item.code, item.activity_code)
            if code
        }
    )
    return ScoredAnswers(codes) if codes else Value("{}", output_field=TextField())


# (visit id, time point, the answers the measures score as JSON text): one questionnaire of a visit.
Answered = tuple[int, str, str]


def own_answers(visits: Iterable[int] | QuerySet[Any]) -> QuerySet[Any]:
    """The visits' pre-visit intakes as Answered rows, each with the intake's id after it (a query)."""
    return (
        Intake.objects.filter(pk__in=visits, kind=Questionnaire.INTAKE)
        .order_by()
        .annotate(visit=F("pk"), point=Value(INTAKE_POINT), scored=scored_answers())
        .values_list("visit", "point", "scored", "pk")
    )


def follow_up_answers(visits: Iterable[int] | QuerySet[Any]) -> QuerySet[Any]:
    """The follow-ups answered for the visits as Answered rows, each with the intake's id after it (a query; an
    intake answers its invitation's follow-up)."""
    return (
        Intake.objects.filter(invitation__follow_up__visit_id__in=visits, status=Intake.Status.SUBMITTED)
        .order_by()
        .annotate(
            visit=F("invitation__follow_up__visit_id"),
            point=F("invitation__follow_up__time_point"),
            scored=scored_answers(),
        )
        .values_list("visit", "point", "scored", "pk")
    )


def scores_by_visit(answered: Iterable[Answered]) -> dict[int, tuple[Decimal | None, ...]]:
    """Visit id -> its scores in `columns()` order, from its questionnaires' answers. A visit whose questionnaires
    were answered like one already scored (same answers at the same time points) takes that visit's scores."""
    texts: dict[int, dict[str, str]] = {}
    for visit, point, text in answered:
        texts.setdefault(visit, {})[point] = text
    wanted = columns()
    known: dict[tuple[tuple[str, str], ...], tuple[Decimal | None, ...]] = {}
    found: dict[int, tuple[Decimal | None, ...]] = {}
    for visit, by_point in texts.items():
        answered_alike = tuple(sorted(by_point.items()))
        values = known.get(answered_alike)
        if values is None:
            answers = {point: json.loads(text) for point, text in answered_alike}
            values = known[answered_alike] = visit_scores(answers, wanted)
        found[visit] = values
    return found
