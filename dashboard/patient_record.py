"""Reads for the patient page (issue 12): a patient's questionnaires in order, each with its status and flags, and
the answers the outcome charts score. Three queries, whatever the number of questionnaires.

Order: each visit's pre-visit intake (by appointment), then that visit's follow-ups by the day they fall due; a
follow-up not sent yet is listed with its status and no answers.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard import follow_ups
from dashboard.scores import questionnaire_label
from dashboard.selectors import FlagData
from intake.models import FollowUp, Intake, IntakeFlag, Questionnaire

ANSWERED = "answered"
IN_PROGRESS = "in_progress"
# The follow-up list's words for every status it knows (a locked link printed as "locked" here: the stop-34 audit),
# and the pre-visit form's own.
STATUS_WORDS = {**dict(follow_ups.STATUSES), ANSWERED: "Answered", IN_PROGRESS: "Started, not sent yet"}


@dataclass(frozen=True)
class QuestionnaireEntry:
    label: str  # "Pre-visit intake", "Follow-up 6 weeks"
    kind: str
    time_point: str  # "intake" for the pre-visit intake
    visit_id: int  # the pre-visit intake this one belongs to (itself for a pre-visit intake)
    status: str
    when: datetime.datetime | None  # sent back, else due
    intake_id: int | None = None
    level: int | None = None
    flags: tuple[FlagData, ...] = ()
    answers: Mapping[str, object] = field(default_factory=dict, repr=False)
    visit_cancelled: bool = False  # a pre-visit intake whose visit the front desk cancelled

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def answered(self) -> bool:
        return self.status == ANSWERED


def _status(intake: Intake | None) -> str:
    if intake is None:
        return follow_ups.SENT
    return ANSWERED if intake.status == Intake.Status.SUBMITTED else IN_PROGRESS


def questionnaires(patient_id: int, *, now: datetime.datetime) -> list[QuestionnaireEntry]:
    intakes = list(
        Intake.objects.filter(patient_id=patient_id)
        .select_related("invitation__follow_up")
        .order_by("appointment_at", "id")
        .only(
            "id", "kind", "status", "level", "answers", "appointment_at", "submitted_at", "created_at",
            "invitation__id", "invitation__cancelled_at", "invitation__follow_up__id",
            "invitation__follow_up__visit_id", "invitation__follow_up__time_point",
        )
    )  # fmt: skip
    flags: dict[int, list[FlagData]] = {}
    for intake_id, code, short, reason in IntakeFlag.objects.filter(intake__patient_id=patient_id).values_list(
        "intake_id", "code", "short", "reason"
    ):
        flags.setdefault(intake_id, []).append(FlagData(code, short, reason))
    answered_by_follow_up = {
        intake.invitation.follow_up.pk: intake
        for intake in intakes
        if intake.kind == Questionnaire.FOLLOW_UP and hasattr(intake.invitation, "follow_up")
    }
    scheduled = (
        FollowUp.objects.filter(patient_id=patient_id, cancelled_at__isnull=True)
        .annotate(status=follow_ups.status_expression(now))
        .order_by("due_at", "id")
        .values_list("pk", "visit_id", "time_point", "due_at", "status")
    )

    def entry(intake: Intake, *, visit_id: int, time_point: str, status: str | None = None) -> QuestionnaireEntry:
        return QuestionnaireEntry(
            label=questionnaire_label(intake.kind, time_point),
            kind=intake.kind,
            time_point=time_point,
            visit_id=visit_id,
            status=status or _status(intake),
            when=intake.submitted_at or intake.created_at,
            intake_id=intake.pk,
            level=intake.level,
            flags=tuple(flags.get(intake.pk, ())),
            answers=intake.answers or {},
            visit_cancelled=intake.kind == Questionnaire.INTAKE and intake.invitation.cancelled_at is not None,
        )

    by_visit: dict[int, list[QuestionnaireEntry]] = {}
    for pk, visit_id, time_point, due_at, status in scheduled:
        intake = answered_by_follow_up.pop(pk, None)
        if intake is not None:
            found = _status(intake)
            by_visit.setdefault(visit_id, []).append(
                entry(intake, visit_id=visit_id, time_point=time_point, status=found if found == ANSWERED else status)
            )
        else:
            by_visit.setdefault(visit_id, []).append(
                QuestionnaireEntry(
                    questionnaire_label(Questionnaire.FOLLOW_UP, time_point),
                    Questionnaire.FOLLOW_UP,
                    time_point,
                    visit_id,
                    status,
                    due_at,
                )
            )
    ordered: list[QuestionnaireEntry] = []
    for intake in intakes:
        if intake.kind == Questionnaire.INTAKE:
            ordered.append(entry(intake, visit_id=intake.pk, time_point="intake"))
            ordered.extend(by_visit.pop(intake.pk, []))
    # Follow-up answers whose schedule row is gone (cancelled after they were answered): kept, after the rest.
    for intake in answered_by_follow_up.values():
        follow_up = intake.invitation.follow_up
        ordered.append(entry(intake, visit_id=follow_up.visit_id, time_point=follow_up.time_point))
    return ordered


def episode(entries: list[QuestionnaireEntry], intake_id: int) -> list[QuestionnaireEntry]:
    """The questionnaires of the visit `intake_id` belongs to: its pre-visit intake and that visit's follow-ups."""
    visit = next((each.visit_id for each in entries if each.intake_id == intake_id), None)
    return [each for each in entries if each.visit_id == visit]
