"""What the patient page shows around one questionnaire (issue 12): every questionnaire of the patient in order, and
a chart per outcome measure (PEG, PSFS) across the questionnaires of this visit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dashboard import patient_record, scores
from dashboard.outcome_chart import MeasureChart, measure_chart
from dashboard.patient_record import QuestionnaireEntry
from intake.models import Intake, Questionnaire


@dataclass(frozen=True)
class PatientRecord:
    questionnaires: list[QuestionnaireEntry]
    current: QuestionnaireEntry | None
    charts: list[MeasureChart]

    @property
    def scored_intake_ids(self) -> list[int]:
        """The questionnaires whose scores the charts show (for the audit trail)."""
        return [
            entry.intake_id
            for entry in self.questionnaires
            if entry.intake_id is not None and entry.visit_id == (self.current.visit_id if self.current else None)
        ]

    @property
    def shown_intake_ids(self) -> list[int]:
        """Every questionnaire the page lists with its level and flags, of every visit (for the audit trail)."""
        return [entry.intake_id for entry in self.questionnaires if entry.intake_id is not None]


def _charted(entry: QuestionnaireEntry) -> bool:
    return entry.kind == Questionnaire.INTAKE or entry.answered


def record(intake: Intake, *, now: datetime.datetime) -> PatientRecord:
    entries = patient_record.questionnaires(intake.patient_id, now=now)
    current = next((entry for entry in entries if entry.intake_id == intake.pk), None)
    visit = [entry for entry in patient_record.episode(entries, intake.pk) if _charted(entry)]
    charts = [
        measure_chart(
            instrument,
            [(scores.time_point_label(entry.time_point), entry.when, entry.answers) for entry in visit],
            short=scores.SHORT_NAMES.get(instrument.code, ""),
        )
        for instrument in scores.measures()
    ]
    return PatientRecord(entries, current, [chart for chart in charts if chart.scored])
