"""Triage rules, version 2026.1 (docs: TRIAGE.md): answers in, one level and a list of flags out.

Why pure and table-driven: the rules decide who gets a phone call today, so clinicians must be able to read them
against TRIAGE.md line by line, and tests must be able to run every rule without a database. Each flag is one row in
``RULES``; the combination rules are rows in ``COMBINATIONS``; how flags become a level is ``SCIATICA_PATTERNS`` plus
the flag groups. Every result carries ``RULES_VERSION`` so old intakes can be re-run when the rules change.

Public API
----------
- ``assess(answers, *, today) -> TriageResult``: the full rules. ``answers`` maps field codes (INTAKE.md) to values.
- ``assess_safety_step(answers) -> TriageResult``: only CE1-CE7, for an intake stored at the safety step, before the
  later red-flag questions exist (they must not count as "unanswered" there).
- ``needs_emergency_page(answers) -> bool``: any CE1-CE6 answer counts as yes (same as ``assess_safety_step`` giving
  ``urgent``).
- ``TriageResult(level, flags, rules_version, ce_onset)`` with ``codes`` and ``has(code)``; ``Flag(code, reason,
  short, group)``; ``RULES_VERSION``; ``LEVELS`` (most urgent first); ``level_rank(level)`` (0 = most urgent, so
  sorting by it ascending puts urgent first; ValueError for an unknown level); ``FLAG_GROUPS``; ``RULES``;
  ``COMBINATIONS``; ``FLAGS_BY_CODE``; ``RED_FLAG_QUESTIONS``.

How TRIAGE.md is read where it leaves room (safety first throughout)
------------------------------------------------------------------
- "yes" means ``yes`` or ``not_sure`` for every yes/no question, as TRIAGE.md says.
- Red-flag questions are the yes/no questions whose "yes" raises a CE or SP flag: the seven CE questions, the nine
  general-health questions, ``first_episode`` (SP8), ``night_rest_pain`` (SP9) and ``leg_weakness_worsening`` (SP12).
  Any answer to these other than ``no`` counts as yes: ``yes``, ``not_sure``, a missing key, None, or a value that is
  not a known code (an unreadable answer is an unanswered one). Choice, list, number and date questions are not
  red-flag questions: they raise a flag only on the value the rule names (a missing ``leg_side`` is not ``both``).
- Questions that are not asked are not unanswered. Leg questions count only when ``leg_symptoms`` is yes; when it is
  no, missing or unreadable, no leg flag (CE8, SP12, SC1-SC4, R1) is raised. ``leg_weakness_worsening`` is not asked
  only when ``leg_weakness`` is answered ``no``; if ``leg_weakness`` itself is missing, the worsening question cannot
  be ruled out and counts as unanswered (SP12).
- SP8: age is whole years completed on ``today`` (``intake.questionnaire.age_in_years``); the rule is "< 20 or > 50",
  so exactly 20 and exactly 50 are not flagged. A missing date of birth means the age cannot be shown to be 20-50,
  so SP8 is raised when ``first_episode`` counts as yes.
- CE7 is raised only when none of CE1-CE6 is (TRIAGE.md: "and no CE1-CE6"); with any of them the level is urgent.
- ``ce_onset`` is information for staff only (``TriageResult.ce_onset``); it never lowers the level.
- R3 is strictly greater than 1.3 x the earlier distance, both distances > 0, compared exactly (Decimal, not float),
  and only when ``weekly_distance_before`` is asked (a training change other than ``none``).
- R1 needs ``sitting_eases``, a leg question, so it is raised only with leg symptoms.
- R3-R5 apply to runners only (``running_status`` not ``not_a_runner``); informational flags need the named value, a
  missing answer never raises them. TRIAGE.md has no R2; the numbering is kept as published.
- Flags are ordered by group (urgent, serious, weak, sciatica, informational), then by code number (SP9 < SP12).
  MSCC and W2 have no staff reason in TRIAGE.md; the wording here is ours.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from intake.rules.questionnaire import (
    CE_EMERGENCY_CODES,
    QUESTIONS,
    age_in_years,
    any_ce_concern,
    as_codes,
    as_date,
    changed_training,
    has_leg_symptoms,
    is_runner,
    is_yes,
    number_value,
)

RULES_VERSION = "2026.1"

Level = Literal["urgent", "serious", "sciatica", "routine"]
LEVELS: tuple[Level, ...] = ("urgent", "serious", "sciatica", "routine")

Group = Literal["urgent", "serious", "weak", "sciatica", "informational"]
FLAG_GROUPS: tuple[Group, ...] = ("urgent", "serious", "weak", "sciatica", "informational")

RED_FLAG_QUESTIONS = frozenset(
    {
        *CE_EMERGENCY_CODES,
        "ce_sexual_change",
        "cancer_history",
        "weight_loss",
        "fever_unwell",
        "iv_drug_use",
        "immunosuppressed",
        "recent_infection_or_procedure",
        "trauma_onset",
        "osteoporosis",
        "getting_worse_or_4_weeks",
        "first_episode",
        "night_rest_pain",
        "leg_weakness_worsening",
    }
)


def level_rank(level: str) -> int:
    """0 for ``urgent`` up to 3 for ``routine``."""
    if level not in LEVELS:
        raise ValueError(f"unknown triage level: {level!r}")
    return LEVELS.index(level)


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str
    short: str
    group: Group


@dataclass(frozen=True)
class TriageResult:
    level: Level
    flags: tuple[Flag, ...] = ()
    rules_version: str = RULES_VERSION
    ce_onset: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags)

    def has(self, code: str) -> bool:
        return code in self.codes


class Facts:
    """The answers, read the way the rules need them (see the module docstring for each reading)."""

    def __init__(self, answers: Mapping[str, object], today: datetime.date | None) -> None:
        self.answers = answers
        self.today = today
        self.legs = has_leg_symptoms(answers)
        self.runner = is_runner(answers)

    def red(self, code: str) -> bool:
        """A red-flag question: anything but an explicit ``no`` counts as yes."""
        return self.answers.get(code) != "no"

    def leg(self, code: str) -> object:
        """A leg answer, or None when leg questions do not count."""
        return self.answers.get(code) if self.legs else None

    def run(self, code: str) -> object:
        """A running answer, or None for a non-runner."""
        return self.answers.get(code) if self.runner else None

    def onset(self, cause: str) -> bool:
        return self.answers.get("onset_cause") == cause

    def outside_20_to_50(self) -> bool:
        born = as_date(self.answers.get("date_of_birth"))
        if born is None or self.today is None:
            return True
        age = age_in_years(born, self.today)
        return age < 20 or age > 50

    def worsening_weakness(self) -> bool:
        return self.legs and self.answers.get("leg_weakness") != "no" and self.red("leg_weakness_worsening")

    def mileage_jump(self) -> bool:
        if not changed_training(self.answers):
            return False
        now = number_value(self.answers.get("weekly_distance"))
        before = number_value(self.answers.get("weekly_distance_before"))
        if now is None or before is None or now <= 0 or before <= 0:
            return False
        return Fraction(now) > Fraction(before) * Fraction(13, 10)  # exact: 130 vs 100 is not a rise of over 30%

    def footwear_risk(self) -> bool:
        shoe_age = number_value(self.run("shoe_age_months"))
        return (
            self.run("running_shoes") == "no"
            or (shoe_age is not None and shoe_age > 12)
            or is_yes(self.run("minimalist_change"))
        )

    def no_strength_work(self) -> bool:
        return number_value(self.run("strength_sessions_per_week")) == Decimal(0)


@dataclass(frozen=True)
class Rule:
    code: str
    group: Group
    short: str
    reason: str
    test: Callable[[Facts], bool]
    unless: frozenset[str] = frozenset()  # not raised when any of these flags is

    @property
    def flag(self) -> Flag:
        return Flag(self.code, self.reason, self.short, self.group)


_CE1_TO_CE6 = frozenset({"CE1", "CE2", "CE3", "CE4", "CE5", "CE6"})

# fmt: off
RULES: tuple[Rule, ...] = (
    # Cauda equina: urgent.
    Rule("CE1", "urgent", "Saddle numbness", "Numbness or altered feeling in the saddle area",
         lambda f: f.red("ce_saddle_numbness")),
    Rule("CE2", "urgent", "Wiping feels different", "Altered feeling when wiping after the toilet",
         lambda f: f.red("ce_wiping_sensation")),
    Rule("CE3", "urgent", "Bladder", "New difficulty starting to pass urine, or weaker sense of flow",
         lambda f: f.red("ce_urine_start_difficulty")),
    Rule("CE4", "urgent", "Bladder", "Urine leakage, or cannot tell when the bladder is full",
         lambda f: f.red("ce_urine_leak_or_no_sensation")),
    Rule("CE5", "urgent", "Bowel", "Loss of bowel control or rectal sensation",
         lambda f: f.red("ce_bowel_control")),
    Rule("CE6", "urgent", "Both legs weaker", "Weakness in both legs that is getting worse, or walking getting harder",
         lambda f: f.red("ce_both_legs_weaker")),
    # Serious pathology and other same-day flags: serious.
    Rule("CE7", "serious", "Sexual function", "New change in sexual function or genital feeling",
         lambda f: f.red("ce_sexual_change"), unless=_CE1_TO_CE6),
    Rule("CE8", "serious", "Both legs", "Leg symptoms on both sides: same-day call, give CES warning signs",
         lambda f: f.leg("leg_side") == "both"),
    Rule("SP1", "serious", "Cancer history", "History of cancer: risk of spinal metastasis",
         lambda f: f.red("cancer_history")),
    Rule("SP2", "serious", "Weight loss", "Unexplained weight loss", lambda f: f.red("weight_loss")),
    Rule("SP3", "serious", "Fever", "Fever, chills or sweats since the pain began: possible infection",
         lambda f: f.red("fever_unwell")),
    Rule("SP4", "serious", "Injected drugs", "Injected drug use: infection risk", lambda f: f.red("iv_drug_use")),
    Rule("SP5", "serious", "Immunosuppressed", "Weakened immune system", lambda f: f.red("immunosuppressed")),
    Rule("SP6", "serious", "Recent infection", "Recent infection, spinal injection or surgery",
         lambda f: f.red("recent_infection_or_procedure")),
    Rule("SP7", "serious", "Possible fracture",
         "Started after trauma, or minor strain with osteoporosis: possible fracture",
         lambda f: f.red("trauma_onset") or f.onset("fall_impact")
         or (f.red("osteoporosis") and f.onset("lifting_bending"))),
    Rule("SP12", "serious", "Leg weakening", "Weakness in a leg or foot that is getting worse",
         lambda f: f.worsening_weakness()),
    # Weak flags: serious only in twos (W2).
    Rule("SP8", "weak", "Age, first episode", "First episode of back pain outside ages 20-50",
         lambda f: f.red("first_episode") and f.outside_20_to_50()),
    Rule("SP9", "weak", "Night pain", "Constant pain at rest or at night, not eased by changing position",
         lambda f: f.red("night_rest_pain")),
    Rule("SP10", "weak", "Thoracic pain", "Thoracic pain",
         lambda f: bool({"mid_upper_back", "chest_band"} & set(as_codes(f.answers.get("pain_locations"))))),
    Rule("SP11", "weak", "Worsening", "Getting steadily worse, or no better after 4 weeks",
         lambda f: f.red("getting_worse_or_4_weeks")),
    # Sciatica / radiculopathy.
    Rule("SC1", "sciatica", "Below knee", "Leg pain below the knee",
         lambda f: f.leg("leg_pain_lowest_point") in ("below_knee", "foot")),
    Rule("SC2", "sciatica", "Leg pain worse", "Leg pain worse than back pain",
         lambda f: f.leg("worse_back_or_leg") == "leg"),
    Rule("SC3", "sciatica", "Leg numbness", "Numbness or pins and needles in the leg or foot",
         lambda f: is_yes(f.leg("leg_numbness_tingling"))),
    Rule("SC4", "sciatica", "Leg weakness", "Weakness in a leg or foot: possible nerve deficit",
         lambda f: is_yes(f.leg("leg_weakness"))),
    # Informational: they drive article recommendations.
    Rule("R1", "informational", "Stenosis pattern",
         "Leg or back pain on walking, eased by sitting: possible spinal stenosis",
         lambda f: is_yes(f.leg("sitting_eases")) and "walking" in as_codes(f.answers.get("worse_with"))),
    Rule("R3", "informational", "Mileage jump",
         "Weekly running distance rose by more than 30% (Nielsen et al. 2014, JOSPT)", lambda f: f.mileage_jump()),
    Rule("R4", "informational", "Footwear", "Footwear risk: non-running, old, or newly minimalist shoes",
         lambda f: f.footwear_risk()),
    Rule("R5", "informational", "No strength work", "No strength or core training", lambda f: f.no_strength_work()),
)
# fmt: on


@dataclass(frozen=True)
class Combination:
    code: str
    group: Group
    short: str
    reason: str
    test: Callable[[frozenset[str]], bool]

    @property
    def flag(self) -> Flag:
        return Flag(self.code, self.reason, self.short, self.group)


WEAK_CODES = frozenset(rule.code for rule in RULES if rule.group == "weak")

# fmt: off
COMBINATIONS: tuple[Combination, ...] = (
    Combination("MSCC", "urgent", "Possible MSCC",
                "History of cancer with rest or night pain, thoracic pain or worsening leg weakness: "
                "possible metastatic spinal cord compression",
                lambda codes: "SP1" in codes and bool(codes & {"SP9", "SP10", "SP12"})),
    Combination("W2", "serious", "2+ weak flags", "Two or more weak red flags together",
                lambda codes: len(codes & WEAK_CODES) >= 2),
)
# fmt: on


# Urgent and serious flags set the level on their own; sciatica flags only in one of these patterns.
SCIATICA_PATTERNS: tuple[frozenset[str], ...] = (frozenset({"SC1"}), frozenset({"SC4"}), frozenset({"SC2", "SC3"}))

# Every flag this version can raise, by code: for staff help pages and for rebuilding flags from stored codes.
FLAGS_BY_CODE: Mapping[str, Flag] = {
    flag.code: flag for flag in [r.flag for r in RULES] + [c.flag for c in COMBINATIONS]
}
CE_RULE_CODES = frozenset({*_CE1_TO_CE6, "CE7"})
_CODE_PARTS = re.compile(r"([A-Z]+)(\d*)")


def _flag_order(flag: Flag) -> tuple[int, str, int]:
    match = _CODE_PARTS.fullmatch(flag.code)
    letters, number = (match.group(1), match.group(2)) if match else (flag.code, "")
    return FLAG_GROUPS.index(flag.group), letters, int(number) if number else -1


def _level(flags: tuple[Flag, ...]) -> Level:
    groups = {flag.group for flag in flags}
    if "urgent" in groups:
        return "urgent"
    if "serious" in groups:
        return "serious"
    codes = frozenset(flag.code for flag in flags)
    if any(pattern <= codes for pattern in SCIATICA_PATTERNS):
        return "sciatica"
    return "routine"


def _evaluate(
    answers: Mapping[str, object],
    today: datetime.date | None,
    rules: tuple[Rule, ...],
    combinations: tuple[Combination, ...],
) -> TriageResult:
    facts = Facts(answers, today)
    raised = [rule for rule in rules if rule.test(facts)]
    raised_codes = frozenset(rule.code for rule in raised)
    flags = [rule.flag for rule in raised if not rule.unless & raised_codes]
    codes = frozenset(flag.code for flag in flags)
    flags += [combination.flag for combination in combinations if combination.test(codes)]
    ordered = tuple(sorted(flags, key=_flag_order))
    onset = answers.get("ce_onset")
    if not (any_ce_concern(answers) and isinstance(onset, str) and onset in QUESTIONS["ce_onset"].choice_codes):
        onset = None
    return TriageResult(_level(ordered), ordered, RULES_VERSION, onset)


def assess(answers: Mapping[str, object], *, today: datetime.date) -> TriageResult:
    """Run every rule of TRIAGE.md 2026.1 on a whole intake; ``today`` is the day of submission (for SP8)."""
    return _evaluate(answers, today, RULES, COMBINATIONS)


def assess_safety_step(answers: Mapping[str, object]) -> TriageResult:
    """Only the cauda-equina rules (CE1-CE7): later questions are not asked yet, so they cannot count."""
    return _evaluate(answers, None, tuple(rule for rule in RULES if rule.code in CE_RULE_CODES), ())


def needs_emergency_page(answers: Mapping[str, object]) -> bool:
    """Whether the patient must see the emergency message now: any CE1-CE6 answer other than ``no``."""
    return any(answers.get(code) != "no" for code in CE_EMERGENCY_CODES)
