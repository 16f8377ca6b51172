"""Every flag row of docs/clinical/TRIAGE.md's rules tables, read from the document itself and run against the pure
engine: the flag exists, its level is the table's, its staff reason is the table's word for word, and one small change
to an all-clear intake raises it and gives the level the document says (urgent and serious rows on their own, a weak
flag alone stays routine, sciatica by its patterns, informational never raises the level).

Why read the document: test_triage.py holds the rules in its own words; a row added to or reworded in
docs/clinical/TRIAGE.md should fail here until the engine (and ``ROW_TRIGGERS``) follow it.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from intake.rules import triage
from tests.intake.test_triage import TODAY, answers_with, born_years_ago, ibp_answers, legs_with

TRIAGE_MD = Path(__file__).resolve().parents[2] / "docs/clinical/TRIAGE.md"

# The section a table sits under decides its rows' group (the MSCC table names each row's level in a column).
SECTION_GROUPS = {
    "Cauda equina (CE)": "urgent",
    "Serious pathology (SP)": "serious",
    "Weak flags (W)": "weak",
    "Sciatica / radiculopathy (SC)": "sciatica",
    "Informational flags": "informational",
}
LEVEL_ALONE = {"urgent": "urgent", "serious": "serious", "weak": "routine", "informational": "routine"}
SCIATICA_ALONE = {"SC1": "sciatica", "SC2": "routine", "SC3": "routine", "SC4": "sciatica"}
WEEKS_AGO = TODAY - datetime.timedelta(days=10)


def table_rows() -> list[tuple[str, str, str]]:
    """(code, group, reason) for each flag row of the rules tables, in the document's order."""
    rows: list[tuple[str, str, str]] = []
    section = ""
    header: list[str] = []
    for line in TRIAGE_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section, header = line[3:].strip(), []
            continue
        if not line.startswith("|"):
            header = []
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not header:
            header = cells
            continue
        if "flag" not in header or set(cells[0]) <= {"-"}:
            continue
        by_column = dict(zip(header, cells, strict=False))
        group = next((g for name, g in SECTION_GROUPS.items() if section.startswith(name)), None)
        if group is None:
            group = by_column["level"].strip("`")
        rows.append((by_column["flag"], group, by_column["reason shown to staff"]))
    return rows


# One small change to an all-clear intake (tests/intake/test_triage.py) that raises the row's flag.
ROW_TRIGGERS: dict[str, dict[str, object]] = {
    "CE1": answers_with(ce_saddle_numbness="yes"),
    "CE2": answers_with(ce_wiping_sensation="yes"),
    "CE3": answers_with(ce_urine_start_difficulty="yes"),
    "CE4": answers_with(ce_urine_leak_or_no_sensation="not_sure"),
    "CE5": answers_with(ce_bowel_control="yes"),
    "CE6": answers_with(ce_both_legs_weaker="yes"),
    "CE7": answers_with(ce_sexual_change="yes"),
    "MSCC": legs_with(cancer_history="yes", leg_numbness_tingling="yes"),
    "MET": answers_with(cancer_history="yes", pain_locations=["neck"]),
    "CM1": answers_with(balance_worse="yes"),
    "CE8": legs_with(leg_side="both"),
    "SP1": answers_with(cancer_history="yes"),
    "SP2": answers_with(weight_loss="yes"),
    "SP3": answers_with(fever_unwell="not_sure"),
    "SP4": answers_with(iv_drug_use="yes"),
    "SP5": answers_with(immunosuppressed="yes"),
    "SP6": answers_with(recent_infection_or_procedure="yes"),
    "SP7": answers_with(onset_cause="fall_impact"),
    "SP12": legs_with(leg_weakness="yes", leg_weakness_worsening="yes", foot_drop="no"),
    "SP13": legs_with(leg_weakness="yes", leg_weakness_worsening="no", foot_drop="yes"),
    "SP8": answers_with(first_episode="yes", date_of_birth=born_years_ago(51)),
    "SP9": answers_with(night_rest_pain="yes"),
    "SP10": answers_with(pain_locations=["chest_band"]),
    "SP11": answers_with(getting_worse_or_4_weeks="yes"),
    "SC1": legs_with(leg_pain_lowest_point="below_knee"),
    "SC2": legs_with(worse_back_or_leg="leg"),
    "SC3": legs_with(leg_numbness_tingling="yes"),
    "SC4": legs_with(leg_weakness="yes", leg_weakness_worsening="no", foot_drop="no"),
    "R1": legs_with(sitting_eases="yes", worse_with=["walking"]),
    "R3": answers_with(training_changes=["distance"], weekly_distance=40, weekly_distance_before=30),
    "R4": answers_with(shoe_age_months=13),
    "R5": answers_with(strength_sessions_per_week=0),
    "R6": answers_with(date_of_birth=born_years_ago(19), worse_with=["leaning_back"], pain_start_date=WEEKS_AGO),
    "IBP": ibp_answers(4),
}
# Flags a row's trigger cannot avoid: SP12 and SP13 are asked only after leg weakness (SC4).
COMPANIONS = {"SP12": {"SC4"}, "SP13": {"SC4"}}
ROWS = table_rows()


def test_the_document_has_every_flag_of_the_engine_and_only_those() -> None:
    documented = [code for code, _group, _reason in ROWS]
    assert len(documented) == len(set(documented))
    assert set(documented) == set(triage.FLAGS_BY_CODE) - {"W2"}  # W2 is named in a sentence, not a row
    assert "flag `W2`" in TRIAGE_MD.read_text(encoding="utf-8")
    assert set(ROW_TRIGGERS) == set(documented)


@pytest.mark.parametrize(("code", "group", "reason"), ROWS, ids=[row[0] for row in ROWS])
def test_each_row_raises_its_flag_with_its_level_and_reason(code: str, group: str, reason: str) -> None:
    published = triage.FLAGS_BY_CODE[code]
    assert published.group == group
    result = triage.assess(ROW_TRIGGERS[code], today=TODAY)
    raised = {flag.code: flag for flag in result.flags}
    assert code in raised
    shown = raised[code].reason
    if "count shown" in reason:  # IBP: the document says where the count goes, the flag gives it
        assert shown == reason.replace("count shown", "4 of 9 criteria")
    else:
        assert shown == reason
    if group == "sciatica":
        assert result.level == SCIATICA_ALONE[code]
    elif code in ("MSCC", "MET"):
        assert result.level == group
        assert "SP1" in raised
    else:
        assert result.level == LEVEL_ALONE[group]
        assert set(raised) == {code, *COMPANIONS.get(code, ())}, "a trigger meant to raise its row's flag alone"


def test_two_weak_rows_together_are_serious_with_w2() -> None:
    weak = [code for code, group, _reason in ROWS if group == "weak"]
    assert weak == ["SP8", "SP9", "SP10", "SP11"]
    result = triage.assess(answers_with(night_rest_pain="yes", getting_worse_or_4_weeks="yes"), today=TODAY)
    assert (result.level, {"W2", "SP9", "SP11"} <= set(result.codes)) == ("serious", True)


def test_the_rows_are_read_under_their_own_tables() -> None:
    # The CE8 row sits in the serious table although its code starts with CE; MSCC's level is in its own column.
    groups = {code: group for code, group, _reason in ROWS}
    assert (groups["CE8"], groups["MSCC"], groups["MET"], groups["CM1"]) == ("serious", "urgent", "serious", "serious")
