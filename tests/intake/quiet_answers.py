"""What every whole-intake builder of the tests shares: "no" to each cauda equina question and to each general
health question, so no red flag is raised and nothing is in the patient's history. Django-free, so the pure rule
tests (test_triage, sample_intakes) use it as the service tests (factories) do."""

from __future__ import annotations

from intake.rules.questionnaire import CE_QUESTION_CODES

GENERAL_HEALTH_NO: dict[str, object] = dict.fromkeys(
    (
        "cancer_history",
        "weight_loss",
        "fever_unwell",
        "iv_drug_use",
        "immunosuppressed",
        "recent_infection_or_procedure",
        "trauma_onset",
        "osteoporosis",
        "long_term_steroids",
        "hands_clumsy",
        "balance_worse",
        "getting_worse_or_4_weeks",
    ),
    "no",
)
CAUDA_EQUINA_NO: dict[str, object] = dict.fromkeys(CE_QUESTION_CODES, "no")
NO_RED_FLAGS: dict[str, object] = {**CAUDA_EQUINA_NO, **GENERAL_HEALTH_NO}
