"""Triage rules, version 2027.1 (docs/clinical/TRIAGE.md): answers in, one level and a list of flags out.

Why pure and table-driven: the rules decide who gets a phone call today, so clinicians must be able to read them
against docs/clinical/TRIAGE.md line by line, and tests must be able to run every rule without a database. Each flag
is one row in ``RULES``; the combination rules are rows in ``COMBINATIONS``; how flags become a level is
``SCIATICA_PATTERNS`` plus the flag groups. Each row names the yes/no questions behind it (``Rule.questions``) and
whether those answers latch (``Rule.latch``), so ``RED_FLAG_QUESTIONS``, ``LATCHED_QUESTIONS`` and the latched
reason suffix all come from the table. Every result carries ``RULES_VERSION`` so old intakes can be re-run when the
rules change.

Public API
----------
- ``assess(answers, *, today, earlier=None) -> TriageResult``: the full rules on a whole intake (a red-flag question
  left unanswered counts as "not sure"). ``answers`` maps field codes (docs/clinical/INTAKE.md) to typed values;
  ``today`` is the day of submission.
- ``assess_interim(answers, *, today, earlier=None) -> TriageResult``: the same rules on a partly answered intake,
  where only answers actually given (or latched earlier answers) raise flags; for acting at once on a red-flag answer
  posted on any step, even when the page has other errors.
- ``emergency_for_codes(codes) -> "ces" | "mscc" | None``: ``TriageResult.emergency`` from flag codes alone.
- ``needs_emergency_page(answers, *, today=None, earlier=None) -> bool``: ``assess_interim(...).emergency`` is set.
- ``assess_safety_step(answers, *, today=None, earlier=None)``: deprecated thin alias of ``assess_interim``, kept only
  for callers written for 2026.1 (``intake/services/demo.py`` when this was written); remove once none is left.
- ``EarlierAnswer(value, answered_at, changed_at=None, after_sending=False, given_before=False)``: a red-flag answer
  saved earlier, for ``earlier``.
- ``RED_FLAG_CHOICES`` (the choices that are red-flag answers: the fall behind SP7), ``LATCHED_QUESTION_NAMES`` (how
  a reason names a latched question), ``REASON_MAX_LENGTH`` (200, what a stored flag keeps), ``is_red_flag_answer(code,
  value)`` (yes/not sure, or such a choice) and ``takes_back(code, value)`` ("no", or another choice): how the
  latches and the pages tell a red-flag answer and its taking back, for yes/no questions and choices alike.
- ``MSCC_LEG_ANSWERS`` / ``MSCC_LEG_QUESTIONS`` (the leg answers behind SC1-SC4 and CE8, red-flag answers only beside
  a cancer history), ``acts_at_once(code, value, *, cancer_history)`` (whether a posted answer is acted on at once),
  ``cancer_history_stands(answers, *, earlier=None)`` (SP1 on the answers so far) and ``mscc_leg_answers(answers)``
  (the stored ones to latch when a cancer history comes to stand).
- ``TriageResult(level, flags, rules_version, ce_onset)`` with ``codes``, ``has(code)`` and ``emergency`` (``"ces"``
  when any CE1-CE7 flag is raised, else ``"mscc"`` when MSCC is, else None); ``Flag(code, reason, short, group)``;
  ``RULES_VERSION``; ``LevelCode``; ``LEVELS`` (most urgent first); ``level_rank(level)`` (0 = most urgent, so sorting
  by it ascending puts urgent first; ValueError for an unknown level); ``level_for_flags(flags)`` (the level a set of
  flags makes, for a caller that sets some flags aside: ``intake.rules.follow_up``); ``Emergency``; ``FLAG_GROUPS``;
  ``Rule``; ``RULES``; ``Combination``; ``COMBINATIONS``; ``FLAGS_BY_CODE`` (the reason as published, IBP with "N" for
  the count); ``CE_RULE_CODES``; ``WEAK_CODES``; ``MSCC_PARTNERS``; ``MET_PARTNERS``; ``RED_FLAG_QUESTIONS``;
  ``LATCHED_QUESTIONS``; ``IBP_CRITERIA``.

How docs/clinical/TRIAGE.md is read where it leaves room (safety first throughout)
----------------------------------------------------------------------------------
- "yes" means ``yes`` or ``not_sure`` for every yes/no question, as docs/clinical/TRIAGE.md says.
- Red-flag questions (``RED_FLAG_QUESTIONS``) are the yes/no questions of the urgent, serious and weak rows: the
  seven CE questions, the twelve general-health questions, ``first_episode`` (SP8), ``night_rest_pain`` (SP9),
  ``leg_weakness_worsening`` (SP12) and ``foot_drop`` (SP13). In ``assess`` any answer to these other than ``no``
  counts as yes: ``yes``, ``not_sure``, a missing key, None, or a value that is not a known code (an unreadable answer
  is an unanswered one). That includes the plain yes/no ones (SP8, SP9, SP12, SP13; docs/clinical/INTAKE.md, open
  question 1). Choice, list, number and date questions are not red-flag questions: they raise a flag only on the
  value the rule names (a missing ``leg_side`` is not ``both``).
- Questions that are not asked are not unanswered. Leg questions count only when ``leg_symptoms`` is yes; when it is
  no, missing or unreadable, no leg flag (CE8, SP12, SP13, SC1-SC4, R1) is raised. ``leg_weakness_worsening`` and
  ``foot_drop`` are not asked only when ``leg_weakness`` is answered ``no``; if ``leg_weakness`` itself is missing,
  they cannot be ruled out and count as unanswered (SP12, SP13).
- ``assess_interim``: a question not yet answered counts as not raised, red-flag questions included; only ``yes`` or
  ``not_sure`` actually given raises a flag. An age-based rule (SP8, R6, IBP) needs a date of birth there, and
  ``today``; without them it is not raised.
- Latching: ``earlier`` maps question codes to ``EarlierAnswer``. Only codes in ``LATCHED_QUESTIONS`` (the questions
  of the rows with ``latch=True``: CE1-CE7, SP1-SP7, SP12, SP13, CM1) and earlier values that are red-flag answers
  (``is_red_flag_answer``: ``yes``/``not_sure``, or for ``onset_cause`` the choice ``fall_impact``) count.
  When the current answer is not one (``no`` or another choice, missing or unreadable), the earlier value is used
  instead, whether or not the question is still asked (a later "no" to ``leg_symptoms`` or ``leg_weakness`` does not
  erase a latched SP12/SP13 answer either). Each raised flag whose row names a latched question gets the suffix
  ``(answered yes at 10:02, changed to no at 10:05)`` (``not sure`` for ``not_sure``; ``%H:%M`` of the times as
  given, no time-zone conversion; stored so, shown to staff as "10:02 AM" by ``dashboard.flag_reasons``); without
  ``changed_at`` it ends ``changed to no`` (current answer ``no``) or ``no longer answered`` (missing), or ``after
  Send`` for an answer sent from a page after the form itself was sent (``after_sending``: the form went with another
  answer). When a flag has more than one latched question behind it
  (SP7, CM1), one suffix holds a shorter note per question, naming it in staff words (``LATCHED_QUESTION_NAMES``):
  ``(fall, crash or blow: yes 10:02, no 10:05; osteoporosis: unsure 10:02, blank)``, so staff can tell them apart;
  one latched answer of such a flag names its question too (``osteoporosis answered yes at 10:02, ...``).
  A latched choice names its question and the choices by the choices' English labels from the questionnaire, which
  the staff page shows as the answers: ``(cause of the pain answered “A fall, crash or blow” at 10:02, changed to
  “Lifting or bending” at 10:05)``, or ``cause of the pain: “A fall, crash or blow” 10:02, “Lifting or bending”
  10:05`` beside others.
  Every reason fits the ``REASON_MAX_LENGTH`` (200) characters a stored flag keeps: when the notes would not (SP7 with
  three or four latched answers and their days, or with the fall among them), the suffix names the questions alone,
  ``(earlier red-flag answers to fall, crash or blow, cause of the pain, osteoporosis; see Red-flag answers)``, and
  the staff page's table of red-flag answers has each answer and its times.
  Combination flags (MSCC, MET, W2) carry no suffix: the SP1 or CE flag under them does. Only a clinician's review
  clears a latch; that is the caller's business (it stops passing the earlier answer).
- Leg answers beside a cancer history: the answers behind SC1-SC4 and CE8 (``MSCC_LEG_ANSWERS``: ``leg_side`` both,
  ``leg_pain_lowest_point`` below the knee or foot, ``worse_back_or_leg`` leg, numbness or weakness yes/not sure)
  make MSCC with SP1, so where a cancer history stands they are red-flag answers too (NICE NG234; the lead's safer
  reading of docs/clinical/TRIAGE.md): acted on at once and latched. The engine does not decide when to latch them
  (``acts_at_once`` and ``cancer_history_stands`` tell the caller); it counts every such latch it is given, as for
  SP12/SP13: the flag stays after a "no", after a blank, and after ``leg_symptoms`` changed to no, and a yes stored
  under an open latch counts without leg symptoms. Its suffix always names the question (``leg numbness or tingling
  answered yes at 10:02, changed to no at 10:05``); a choice by its labels, as for the fall. A leg answer stored
  before the cancer history came is latched then (``given_before``): its time is the latch's, the answer came before
  it, so the note reads ``answered yes before 10:09`` (named: ``leg weakness: yes before 10:09, no 10:15``). Without
  a latch the leg rules read exactly as before.
- ``emergency``: ``"ces"`` beats ``"mscc"`` (a patient with both sees the CES page; the spec defines the MSCC page
  only "without CE"; docs/clinical/TRIAGE.md, open question 8). CE8 is a same-day flag, not an emergency.
- SP7 (2027.1): trauma, ``onset_cause`` = ``fall_impact``, osteoporosis or long-term steroids, each alone, any onset.
  A missing ``osteoporosis`` or ``long_term_steroids`` answer therefore raises SP7 in ``assess``; a missing
  ``onset_cause`` does not (a choice question: only the fall is a red-flag answer, ``RED_FLAG_CHOICES``). The fall
  is latched like the yes/no answers behind SP7.
- SP8: age is whole years completed on ``today`` (``questionnaire.age_in_years``); the rule is "< 20 or > 50", so
  exactly 20 and exactly 50 are not flagged. In ``assess`` a missing date of birth means the age cannot be shown to be
  20-50, so SP8 is raised when ``first_episode`` counts as yes.
- CE7 is ``urgent`` like CE1-CE6 (2027.1; 2026.1 raised it only without CE1-CE6, as ``serious``).
- MSCC (urgent): SP1 and any of SC1-SC4, SP12, SP13, CE8, CM1 or CE1-CE7 (``MSCC_PARTNERS``). A lone SC2 or SC3 is
  enough: it is a nerve symptom even when it leaves the level at ``routine``.
- MET (serious): SP1 and any of SP9, SP10, SP11 or ``coughing`` in ``worse_with``, and not MSCC. ``worse_with`` is a
  list question, so a missing answer is not ``coughing``.
- CM1 (serious): ``hands_clumsy`` or ``balance_worse`` counts as yes.
- ``ce_onset`` is information for staff only (``TriageResult.ce_onset``); it never lowers the level.
- R3 is strictly greater than 1.3 x the earlier distance, both distances > 0, compared exactly (Decimal, not float),
  and only when ``weekly_distance_before`` is asked (a training change other than ``none``).
- R1 needs ``sitting_eases``, a leg question, so it is raised only with leg symptoms.
- R3-R5 apply to runners only (``running_status`` not ``not_a_runner``); informational flags need the named value, a
  missing answer never raises them. docs/clinical/TRIAGE.md has no R2; the numbering is kept as published.
- R6: "a runner" is ``running_status`` answered ``running``, ``cut_back`` or ``stopped`` (a teenager who stopped
  because of the pain is the typical case; docs/clinical/TRIAGE.md, open question 7); the age is whole years on
  ``today`` (19 yes, 20 no); a missing date of birth or status does not raise it.
- IBP: "back pain for more than 3 months that began before age 45" is ``questionnaire.inflammatory_window``, the
  same test that decides whether the IBP questions are asked (``pain_start_date`` before the day 3 calendar months
  before ``today``, so exactly 3 months is not enough; age on ``pain_start_date`` under 45). The nine criteria are
  ``IBP_CRITERIA``: "began before 35" is the age on ``pain_start_date`` under 35; ``nsaid_relief`` counts only when
  ``yes`` (not ``not_tried``); the yes/no items count when ``yes``. 4 of 9 raise IBP, and the reason ends "4 of 9
  criteria" (docs/clinical/TRIAGE.md: "count shown").
- Flags are ordered by group (urgent, serious, weak, sciatica, informational), then by code letters, then number
  (SP9 < SP12). W2 has no staff reason in docs/clinical/TRIAGE.md; the wording here is ours (open question 2).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from intake.rules.questionnaire import (
    QUESTIONS,
    age_in_years,
    age_when_pain_began,
    any_ce_concern,
    as_codes,
    as_date,
    changed_training,
    has_leg_symptoms,
    inflammatory_window,
    is_runner,
    is_yes,
    number_value,
)

RULES_VERSION = "2027.1"

# The engine names levels by code; `intake.models.Level` is the one Level type of the app, built on these codes (its
# members are these codes in this order; tests/intake/test_levels.py holds them together).
LevelCode = Literal["urgent", "serious", "sciatica", "routine"]
LEVELS: tuple[LevelCode, ...] = ("urgent", "serious", "sciatica", "routine")

Group = Literal["urgent", "serious", "weak", "sciatica", "informational"]
FLAG_GROUPS: tuple[Group, ...] = ("urgent", "serious", "weak", "sciatica", "informational")

Emergency = Literal["ces", "mscc"]


def level_rank(level: str) -> int:
    """0 for ``urgent`` up to 3 for ``routine``."""
    if level not in LEVELS:
        raise ValueError(f"unknown triage level: {level!r}")
    return LEVELS.index(level)


# Choices that raise a serious flag on their own (SP7: `onset_cause` = `fall_impact`): red-flag answers as a yes is,
# acted on the moment their page is posted whatever else on it is wrong, and latched (docs/clinical/TRIAGE.md,
# "Latched red flags and partial pages"). The one list of them: the rules, the latches and the pages read it.
RED_FLAG_CHOICES: Mapping[str, frozenset[str]] = {"onset_cause": frozenset({"fall_impact"})}
# The leg answers that make MSCC beside a cancer history (SC1-SC4, CE8): where SP1 stands they are red-flag answers
# too, acted on at once and latched like the others; without a cancer history they are ordinary answers, never
# latched (docs/clinical/TRIAGE.md, "Latched red flags and partial pages": NICE NG234 makes cancer with a nerve
# symptom an emergency, and the 2027.1 latch exists so that an emergency acted on is not taken back by a "no"). The
# engine counts a latch it is given; the services open one only while a cancer history stands (`acts_at_once`).
MSCC_LEG_ANSWERS: Mapping[str, frozenset[str]] = {
    "leg_side": frozenset({"both"}),  # CE8
    "leg_pain_lowest_point": frozenset({"below_knee", "foot"}),  # SC1
    "worse_back_or_leg": frozenset({"leg"}),  # SC2
    "leg_numbness_tingling": frozenset({"yes", "not_sure"}),  # SC3
    "leg_weakness": frozenset({"yes", "not_sure"}),  # SC4
}
MSCC_LEG_QUESTIONS = frozenset(MSCC_LEG_ANSWERS)
# Every question whose red-flag answer is a choice, not a yes: how it is read, named and taken back.
_CHOICE_ANSWERS: Mapping[str, frozenset[str]] = {
    **RED_FLAG_CHOICES,
    **{code: answers for code, answers in MSCC_LEG_ANSWERS.items() if "yes" not in answers},
}
# How a flag's reason names a latched question where it must say which one: a red-flag choice's question always, and
# each question of a flag with several (SP7, CM1). Short staff words for what each asks about ("a fall as the cause of
# the pain" on the staff page); a choice reads as its English label in the questionnaire, as the staff page shows
# every answer (``questionnaire_checks.human_value``), so a clinician reads words, not field codes.
LATCHED_QUESTION_NAMES: Mapping[str, str] = {
    "onset_cause": "cause of the pain",
    "trauma_onset": "fall, crash or blow",
    "osteoporosis": "osteoporosis",
    "long_term_steroids": "steroid pills",
    "hands_clumsy": "clumsy or numb hands",
    "balance_worse": "balance or walking worse",
    # Latched only beside a cancer history (MSCC), always named: staff read which leg answer holds MSCC.
    "leg_side": "which leg",
    "leg_pain_lowest_point": "lowest point of the leg pain",
    "worse_back_or_leg": "back or leg pain worse",
    "leg_numbness_tingling": "leg numbness or tingling",
    "leg_weakness": "leg weakness",
}

# The characters a stored flag keeps (``intake.models.IntakeFlag.reason``): every reason is made to fit.
REASON_MAX_LENGTH = 200


def is_red_flag_answer(code: str, value: object) -> bool:
    """A red-flag answer to ``code``: a choice of ``RED_FLAG_CHOICES`` for its question (of ``MSCC_LEG_ANSWERS`` for
    a leg question: a red-flag answer where a cancer history stands), else yes or not sure."""
    choices = _CHOICE_ANSWERS.get(code)
    if choices is None:
        return is_yes(value)
    return isinstance(value, str) and value in choices  # an unreadable answer (a list, a number) is not the choice


def acts_at_once(code: str, value: object, *, cancer_history: bool) -> bool:
    """Whether a posted answer is acted on the moment it is posted (stored whatever else on its page is wrong,
    latched, triaged, alerted): a red-flag answer to a latched question; where a cancer history stands, a leg answer
    that makes MSCC with it (``MSCC_LEG_ANSWERS``) too. ``cancer_history=True`` asks whether it may be (before the
    caller knows)."""
    if code in LATCHED_QUESTIONS:
        return is_red_flag_answer(code, value)
    return cancer_history and code in MSCC_LEG_QUESTIONS and is_red_flag_answer(code, value)


def cancer_history_stands(answers: Mapping[str, object], *, earlier: Mapping[str, EarlierAnswer] | None = None) -> bool:
    """SP1 holds on the answers so far (a yes or not sure given, or latched): ``answers`` with a follow-up's
    background under them (``follow_up.with_background``)."""
    return Facts(answers, None, interim=True, earlier=earlier).red("cancer_history")


def mscc_leg_answers(answers: Mapping[str, object]) -> dict[str, object]:
    """The stored leg answers that make MSCC beside a cancer history and count now (with leg symptoms): latched when
    a cancer history comes to stand beside them."""
    if not has_leg_symptoms(answers):
        return {}
    return {code: answers[code] for code in sorted(MSCC_LEG_QUESTIONS) if is_red_flag_answer(code, answers.get(code))}


def takes_back(code: str, value: object) -> bool:
    """An answer that takes a red-flag answer back: "no", or another of the question's choices for a red-flag choice
    (blank or unreadable takes nothing back: that is "no longer answered")."""
    if code not in _CHOICE_ANSWERS:
        return value == "no"
    question = QUESTIONS.get(code)
    return (
        isinstance(value, str)
        and question is not None
        and value in question.choice_codes
        and not (is_red_flag_answer(code, value))
    )


@dataclass(frozen=True)
class EarlierAnswer:
    """A red-flag answer as first saved, for latching (see the module docstring)."""

    value: str  # "yes" or "not_sure" (a red-flag choice's code for its question), as first saved
    answered_at: datetime.datetime  # when it was saved (local time; the engine only formats it)
    changed_at: datetime.datetime | None = None  # when it was changed to "no" (another choice), if it was
    after_sending: bool = False  # sent from a page of the form after the form itself was sent
    # Given before ``answered_at`` (stored earlier, latched then: a leg answer when the cancer history came): the
    # reason says "before 10:09", not "at 10:09".
    given_before: bool = False


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str
    short: str
    group: Group


@dataclass(frozen=True)
class TriageResult:
    level: LevelCode
    flags: tuple[Flag, ...] = ()
    rules_version: str = RULES_VERSION
    ce_onset: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags)

    def has(self, code: str) -> bool:
        return code in self.codes

    @property
    def emergency(self) -> Emergency | None:
        """Which emergency page comes first: ``"ces"`` for any CE1-CE7 flag, else ``"mscc"`` for MSCC, else None."""
        return emergency_for_codes(self.codes)


def emergency_for_codes(codes: Iterable[str]) -> Emergency | None:
    """``TriageResult.emergency`` from flag codes alone (e.g. the codes stored for an intake)."""
    raised = set(codes)
    if raised & CE_RULE_CODES:
        return "ces"
    if "MSCC" in raised:
        return "mscc"
    return None


class Facts:
    """The answers, read the way the rules need them (see the module docstring for each reading)."""

    def __init__(
        self,
        answers: Mapping[str, object],
        today: datetime.date | None,
        *,
        interim: bool = False,
        earlier: Mapping[str, EarlierAnswer] | None = None,
    ) -> None:
        self.answers = answers
        self.today = today
        self.interim = interim
        self.legs = has_leg_symptoms(answers)
        self.runner = is_runner(answers)
        self.latched: dict[str, EarlierAnswer] = {
            code: answer
            for code, answer in (earlier or {}).items()
            if code in _LATCHABLE
            and is_red_flag_answer(code, answer.value)
            and not is_red_flag_answer(code, answers.get(code))
        }
        # Every open latch, also one whose answer is still yes: a stored yes another page's answer hides (leg
        # symptoms changed to no) must not count for less than a "no" would (the stop-30 audit).
        self.open_latches = {
            code
            for code, answer in (earlier or {}).items()
            if code in _LATCHABLE and is_red_flag_answer(code, answer.value)
        }

    def red(self, code: str) -> bool:
        """A red-flag question: latched, or (full intake) anything but ``no``, or (interim) ``yes``/``not_sure``; a
        question of ``RED_FLAG_CHOICES``: latched, or its red-flag choice (a missing answer is not that choice)."""
        if code in self.latched:
            return True
        value = self.answers.get(code)
        if code in RED_FLAG_CHOICES:
            return is_red_flag_answer(code, value)
        return is_yes(value) if self.interim else value != "no"

    def leg(self, code: str) -> object:
        """A leg answer, or None when leg questions do not count."""
        return self.answers.get(code) if self.legs else None

    def run(self, code: str) -> object:
        """A running answer, or None for a non-runner."""
        return self.answers.get(code) if self.runner else None

    def worse_with(self, code: str) -> bool:
        return code in as_codes(self.answers.get("worse_with"))

    def age(self) -> int | None:
        born = as_date(self.answers.get("date_of_birth"))
        return None if born is None or self.today is None else age_in_years(born, self.today)

    def outside_20_to_50(self) -> bool:
        age = self.age()
        if age is None:
            return not self.interim
        return age < 20 or age > 50

    def leg_sign(self, code: str) -> bool:
        """SC1-SC4, CE8: the leg answer that raises it (``MSCC_LEG_ANSWERS``), with leg symptoms; latched (given
        only beside a cancer history), or still stored under an open latch, it counts as SP12/SP13 do: a later "no"
        to it or to ``leg_symptoms`` does not erase it."""
        if code in self.latched:
            return True
        return is_red_flag_answer(code, self.answers.get(code)) and (self.legs or code in self.open_latches)

    def weakness_follow_up(self, code: str) -> bool:
        """SP12/SP13: asked after leg weakness; latched answers count even when no longer asked, a yes still stored
        under leg symptoms changed to no included.

        A yes or not sure counts whatever the stored answer to ``leg_weakness``: the two disagree only when the
        patient changed "no" to yes on a page that then failed its checks, so that the red-flag answer was stored
        alone (``intake.services.answering.record_red_flags``), and that answer is acted on at once. The gate is for
        a missing answer, which counts as not ruled out only when weakness was not denied.
        """
        if code in self.latched:
            return True
        if is_yes(self.answers.get(code)):
            return self.legs or code in self.open_latches
        return self.legs and self.answers.get("leg_weakness") != "no" and self.red(code)

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

    def young_runner_arching(self) -> bool:
        age = self.age()
        return (
            age is not None
            and age < 20
            and self.answers.get("running_status") in ("running", "cut_back", "stopped")
            and self.worse_with("leaning_back")
        )

    def ibp_count(self) -> int:
        """How many of the nine IBP criteria are met; 0 outside the window (pain > 3 months, began before 45)."""
        if self.today is None or not inflammatory_window(self.answers, self.today):
            return 0
        return sum(1 for criterion in IBP_CRITERIA.values() if criterion(self))


IBP_MIN_CRITERIA = 4
# The nine IBP criteria of docs/clinical/TRIAGE.md (NICE NG65 referral criteria), in its order.
IBP_CRITERIA: Mapping[str, Callable[[Facts], bool]] = {
    "began before 35": lambda f: (age := age_when_pain_began(f.answers)) is not None and age < 35,
    "wakes_second_half_night": lambda f: f.answers.get("wakes_second_half_night") == "yes",
    "buttock in pain_locations": lambda f: "buttock" in as_codes(f.answers.get("pain_locations")),
    "better_with_movement": lambda f: f.answers.get("better_with_movement") == "yes",
    "nsaid_relief yes": lambda f: f.answers.get("nsaid_relief") == "yes",
    "family_spa": lambda f: f.answers.get("family_spa") == "yes",
    "joint_swelling": lambda f: f.answers.get("joint_swelling") == "yes",
    "heel_pain": lambda f: f.answers.get("heel_pain") == "yes",
    "psoriasis": lambda f: f.answers.get("psoriasis") == "yes",
}


@dataclass(frozen=True)
class Rule:
    code: str
    group: Group
    short: str  # at most 40 characters, at most three words: a dashboard row
    reason: str  # as in docs/clinical/TRIAGE.md; "{count}" is filled in by ``count`` (IBP)
    test: Callable[[Facts], bool]
    # The questions whose red-flag answer raises (or helps raise) this flag: yes/no questions, and those of
    # ``RED_FLAG_CHOICES`` or ``MSCC_LEG_ANSWERS`` (whose named choices are the red-flag answers).
    questions: tuple[str, ...] = ()
    latch: bool = False  # a red-flag answer to ``questions`` is never erased by a later "no" (another choice)
    count: Callable[[Facts], int] | None = None

    @property
    def flag(self) -> Flag:
        """The flag as published (help pages, rebuilding flags from stored codes): no count, no latch suffix."""
        return Flag(self.code, self.reason.replace("{count}", "N"), self.short, self.group)

    def raised_flag(self, facts: Facts) -> Flag:
        """The flag for this intake: with the count, and a suffix for each latched answer behind it."""
        reason = self.reason.replace("{count}", str(self.count(facts))) if self.count else self.reason
        latched = [code for code in self.questions if code in facts.latched]
        if len(latched) == 1:  # named when the flag has other questions (or latches beside SP1): which was answered
            say_which = len(self.questions) > 1 or latched[0] in MSCC_LEG_QUESTIONS
            noted = f"{reason} ({_latch_note(latched[0], facts, say_which=say_which)})"
        elif latched:
            noted = f"{reason} (" + "; ".join(_latch_note(code, facts, named=True) for code in latched) + ")"
        else:
            noted = reason
        if latched and len(noted) > REASON_MAX_LENGTH:
            # Cut to fit where it is stored, it would end mid-word and drop the last answers unseen: name the
            # questions alone (every latched rule fits so: tests/intake/test_latched_reason_wording.py); the staff
            # page's table of red-flag answers has each answer and its times in full.
            names = ", ".join(LATCHED_QUESTION_NAMES.get(code, code) for code in latched)
            noted = f"{reason} (earlier red-flag answers to {names}; see Red-flag answers)"
        return Flag(self.code, noted, self.short, self.group)


def _latch_note(code: str, facts: Facts, *, named: bool = False, say_which: bool = False) -> str:
    """``answered yes at 10:02, changed to no at 10:05`` (``say_which``: ``osteoporosis answered yes ...``); ``named``,
    beside other notes: the shorter ``osteoporosis: unsure 10:02, no 10:05``. Questions are named in words
    (``LATCHED_QUESTION_NAMES``).

    A red-flag choice always names its question, and its choices by their labels: ``cause of the pain answered “A
    fall, crash or blow” at 10:02, changed to “Lifting or bending” at 10:05`` (named: ``cause of the pain: “A fall,
    crash or blow” 10:02, “Lifting or bending” 10:05``).
    """
    earlier = facts.latched[code]
    # The times alone when both fall on one day; with their days when the "no" came on another ("at 10:02" read as
    # the same morning when the yes was the day before).
    other_day = earlier.changed_at is not None and earlier.changed_at.date() != earlier.answered_at.date()
    clock = "%b %-d %H:%M" if other_day else "%H:%M"
    said_at = f"{earlier.answered_at:{clock}}"
    at = "before" if earlier.given_before else "at"  # the answer's own time is unknown, only that it came earlier
    changed_at = f"{earlier.changed_at:{clock}}" if earlier.changed_at is not None else None
    current = facts.answers.get(code)
    name = LATCHED_QUESTION_NAMES.get(code, code)
    if code in _CHOICE_ANSWERS:
        question = QUESTIONS[code]
        said = short_said = f"“{question.choice_label(earlier.value)}”"
        answered = f"{name} answered {said}"
        became = (
            f"“{question.choice_label(current)}”" if isinstance(current, str) and takes_back(code, current) else None
        )
    else:
        said, short_said = ("not sure", "unsure") if earlier.value == "not_sure" else ("yes", "yes")
        answered = f"{name} answered {said}" if say_which else f"answered {said}"
        became = "no" if changed_at is not None or current == "no" else None
    if earlier.after_sending and changed_at is None:  # the form went with another answer; this yes came after it
        return f"{name}: {short_said} {said_at} after Send" if named else f"{answered} {at} {said_at}, after Send"
    if named:
        now = (f"{became} {changed_at}" if changed_at else became) if became else "blank"
        said_when = f"before {said_at}" if earlier.given_before else said_at
        return f"{name}: {short_said} {said_when}, {now}"
    if became is None:
        return f"{answered} {at} {said_at}, no longer answered"
    return f"{answered} {at} {said_at}, changed to {became}" + (f" at {changed_at}" if changed_at else "")


def _ce(code: str, question: str, short: str, reason: str) -> Rule:
    return Rule(code, "urgent", short, reason, lambda f: f.red(question), (question,), latch=True)


def _sp(code: str, question: str, short: str, reason: str) -> Rule:
    return Rule(code, "serious", short, reason, lambda f: f.red(question), (question,), latch=True)


# fmt: off
RULES: tuple[Rule, ...] = (
    # Cauda equina: urgent (CE7 too since 2027.1).
    _ce("CE1", "ce_saddle_numbness", "Saddle numbness",
        "Numbness or altered feeling in the saddle area or genitals"),
    _ce("CE2", "ce_wiping_sensation", "Wiping feels different", "Altered feeling when wiping after the toilet"),
    _ce("CE3", "ce_urine_start_difficulty", "Bladder",
        "New difficulty starting, stopping or controlling the flow of urine"),
    _ce("CE4", "ce_urine_leak_or_no_sensation", "Bladder",
        "Leaking urine or needing pads; not feeling when the bladder is full or empty, or urine passing"),
    _ce("CE5", "ce_bowel_control", "Bowel", "Loss of bowel control or of feeling when passing a bowel motion"),
    _ce("CE6", "ce_both_legs_weaker", "Both legs weaker", "Weakness in both legs, new or getting worse"),
    _ce("CE7", "ce_sexual_change", "Sexual function", "Change in erection or ejaculation, or loss of genital feeling"),
    # Cord compression: serious.
    Rule("CM1", "serious", "Possible cord compression",
         "Hand clumsiness or worsening balance: possible spinal cord compression",
         lambda f: f.red("hands_clumsy") or f.red("balance_worse"), ("hands_clumsy", "balance_worse"), latch=True),
    # Serious pathology and other same-day flags: serious.
    Rule("CE8", "serious", "Both legs", "Leg symptoms on both sides: call today, give the CES warning signs",
         lambda f: f.leg_sign("leg_side"), ("leg_side",)),
    _sp("SP1", "cancer_history", "Cancer history", "History of cancer: risk of spinal metastasis"),
    _sp("SP2", "weight_loss", "Weight loss", "Unexplained weight loss"),
    _sp("SP3", "fever_unwell", "Fever", "Fever, chills or sweats since the pain began: possible infection"),
    _sp("SP4", "iv_drug_use", "Injected drugs", "Injected drug use: infection risk"),
    _sp("SP5", "immunosuppressed", "Immunosuppressed", "Weakened immune system"),
    _sp("SP6", "recent_infection_or_procedure", "Recent infection", "Recent infection, spinal injection or surgery"),
    Rule("SP7", "serious", "Possible fracture",
         "Fall, crash or blow; or osteoporosis or long-term steroids: possible fracture",
         lambda f: f.red("trauma_onset") or f.red("onset_cause") or f.red("osteoporosis")
         or f.red("long_term_steroids"),
         ("trauma_onset", "onset_cause", "osteoporosis", "long_term_steroids"), latch=True),
    Rule("SP12", "serious", "Leg weakening", "Weakness in a leg or foot that is getting worse",
         lambda f: f.weakness_follow_up("leg_weakness_worsening"), ("leg_weakness_worsening",), latch=True),
    Rule("SP13", "serious", "Foot drop",
         "Marked weakness: foot slaps or catches, or cannot stand on heels or toes",
         lambda f: f.weakness_follow_up("foot_drop"), ("foot_drop",), latch=True),
    # Weak flags: serious only in twos (W2).
    Rule("SP8", "weak", "Age, first episode", "First episode of back pain outside ages 20-50",
         lambda f: f.red("first_episode") and f.outside_20_to_50(), ("first_episode",)),
    Rule("SP9", "weak", "Night pain", "Constant pain at rest or at night, not eased by changing position",
         lambda f: f.red("night_rest_pain"), ("night_rest_pain",)),
    Rule("SP10", "weak", "Thoracic/neck pain", "Thoracic or neck pain",
         lambda f: bool({"mid_upper_back", "chest_band", "neck"} & set(as_codes(f.answers.get("pain_locations"))))),
    Rule("SP11", "weak", "Worsening", "Getting steadily worse, or no better after 4 weeks",
         lambda f: f.red("getting_worse_or_4_weeks"), ("getting_worse_or_4_weeks",)),
    # Sciatica / radiculopathy.
    # SC1-SC4 and CE8 read their answers through MSCC_LEG_ANSWERS: latched beside a cancer history (MSCC).
    Rule("SC1", "sciatica", "Below knee", "Leg pain below the knee",
         lambda f: f.leg_sign("leg_pain_lowest_point"), ("leg_pain_lowest_point",)),
    Rule("SC2", "sciatica", "Leg pain worse", "Leg pain worse than back pain",
         lambda f: f.leg_sign("worse_back_or_leg"), ("worse_back_or_leg",)),
    Rule("SC3", "sciatica", "Leg numbness", "Numbness or pins and needles in the leg or foot",
         lambda f: f.leg_sign("leg_numbness_tingling"), ("leg_numbness_tingling",)),
    Rule("SC4", "sciatica", "Leg weakness", "Weakness in a leg or foot: possible nerve deficit",
         lambda f: f.leg_sign("leg_weakness"), ("leg_weakness",)),
    # Informational: they drive article recommendations.
    Rule("R1", "informational", "Stenosis pattern", "Pain on walking, eased by sitting: possible spinal stenosis",
         lambda f: is_yes(f.leg("sitting_eases")) and f.worse_with("walking"), ("sitting_eases",)),
    Rule("R3", "informational", "Mileage jump",
         "Weekly running distance rose by more than 30% (Nielsen et al. 2014)", lambda f: f.mileage_jump()),
    Rule("R4", "informational", "Footwear", "Footwear risk", lambda f: f.footwear_risk(), ("minimalist_change",)),
    Rule("R5", "informational", "No strength work", "No strength or core training", lambda f: f.no_strength_work()),
    Rule("R6", "informational", "Possible spondylolysis",
         "Young runner with pain on arching back: possible spondylolysis (stress fracture)",
         lambda f: f.young_runner_arching()),
    Rule("IBP", "informational", "Inflammatory back pain",
         "Possible inflammatory back pain (axial spondyloarthritis): consider rheumatology referral "
         "(NICE NG65 referral criteria; {count} of 9 criteria)",
         lambda f: f.ibp_count() >= IBP_MIN_CRITERIA,
         ("wakes_second_half_night", "better_with_movement", "nsaid_relief", "family_spa", "joint_swelling",
          "heel_pain", "psoriasis"),
         count=lambda f: f.ibp_count()),
)
# fmt: on


@dataclass(frozen=True)
class Combination:
    code: str
    group: Group
    short: str
    reason: str
    test: Callable[[frozenset[str], Facts], bool]  # the flags raised so far, and the answers
    unless: frozenset[str] = frozenset()  # not raised when any of these flags is

    @property
    def flag(self) -> Flag:
        return Flag(self.code, self.reason, self.short, self.group)


CE_RULE_CODES = frozenset(rule.code for rule in RULES if rule.group == "urgent")  # CE1-CE7
WEAK_CODES = frozenset(rule.code for rule in RULES if rule.group == "weak")
MSCC_PARTNERS = frozenset({"SC1", "SC2", "SC3", "SC4", "SP12", "SP13", "CE8", "CM1", *CE_RULE_CODES})
MET_PARTNERS = frozenset({"SP9", "SP10", "SP11"})

# fmt: off
COMBINATIONS: tuple[Combination, ...] = (
    Combination("MSCC", "urgent", "Possible MSCC",
                "History of cancer with nerve symptoms: possible MSCC, refer immediately",
                lambda codes, f: "SP1" in codes and bool(codes & MSCC_PARTNERS)),
    Combination("MET", "serious", "Cancer, spinal pain",
                "History of cancer with spinal pain suggesting metastases: contact within 24 hours",
                lambda codes, f: "SP1" in codes and (bool(codes & MET_PARTNERS) or f.worse_with("coughing")),
                unless=frozenset({"MSCC"})),
    Combination("W2", "serious", "2+ weak flags", "Two or more weak red flags together",
                lambda codes, f: len(codes & WEAK_CODES) >= 2),
)
# fmt: on


# Urgent and serious flags set the level on their own; sciatica flags only in one of these patterns.
SCIATICA_PATTERNS: tuple[frozenset[str], ...] = (frozenset({"SC1"}), frozenset({"SC4"}), frozenset({"SC2", "SC3"}))

# Every flag this version can raise, by code: for staff help pages and for rebuilding flags from stored codes.
FLAGS_BY_CODE: Mapping[str, Flag] = {
    flag.code: flag for flag in [r.flag for r in RULES] + [c.flag for c in COMBINATIONS]
}
# The yes/no questions of the urgent, serious and weak rows (shown to staff as concerns when not "no"); the choice
# questions among the rows' questions (``RED_FLAG_CHOICES``) are not: only their named choice is a red-flag answer.
RED_FLAG_QUESTIONS = frozenset(
    code
    for rule in RULES
    if rule.group in ("urgent", "serious", "weak")
    for code in rule.questions
    if code not in _CHOICE_ANSWERS
)
# The questions behind CE1-CE7, SP1-SP7, SP12, SP13 and CM1, from the rows marked ``latch``: the yes/no ones, and
# ``onset_cause`` (SP7), whose red-flag answer is a choice (``RED_FLAG_CHOICES``).
LATCHED_QUESTIONS = frozenset(code for rule in RULES if rule.latch for code in rule.questions)
# What a latch given to the engine may hold: those, and the MSCC leg answers (latched only beside a cancer history).
_LATCHABLE = LATCHED_QUESTIONS | MSCC_LEG_QUESTIONS


_CODE_PARTS = re.compile(r"([A-Z]+)(\d*)")


def _flag_order(flag: Flag) -> tuple[int, str, int]:
    match = _CODE_PARTS.fullmatch(flag.code)
    letters, number = (match.group(1), match.group(2)) if match else (flag.code, "")
    return FLAG_GROUPS.index(flag.group), letters, int(number) if number else -1


def level_for_flags(flags: Iterable[Flag]) -> LevelCode:
    """The level a set of raised flags makes (urgent and serious groups alone; sciatica by its patterns)."""
    return _level(tuple(flags))


def _level(flags: tuple[Flag, ...]) -> LevelCode:
    groups = {flag.group for flag in flags}
    if "urgent" in groups:
        return "urgent"
    if "serious" in groups:
        return "serious"
    codes = frozenset(flag.code for flag in flags)
    if any(pattern <= codes for pattern in SCIATICA_PATTERNS):
        return "sciatica"
    return "routine"


def _evaluate(facts: Facts) -> TriageResult:
    flags = [rule.raised_flag(facts) for rule in RULES if rule.test(facts)]
    for combination in COMBINATIONS:
        codes = frozenset(flag.code for flag in flags)
        if not combination.unless & codes and combination.test(codes, facts):
            flags.append(combination.flag)
    ordered = tuple(sorted(flags, key=_flag_order))
    onset = facts.answers.get("ce_onset")
    if not (any_ce_concern(facts.answers) and isinstance(onset, str) and onset in QUESTIONS["ce_onset"].choice_codes):
        onset = None
    return TriageResult(_level(ordered), ordered, RULES_VERSION, onset)


def assess(
    answers: Mapping[str, object], *, today: datetime.date, earlier: Mapping[str, EarlierAnswer] | None = None
) -> TriageResult:
    """Every rule of 2027.1 on a whole intake; ``today`` is the day of submission (SP8, R6, IBP)."""
    return _evaluate(Facts(answers, today, earlier=earlier))


def assess_interim(
    answers: Mapping[str, object], *, today: datetime.date | None, earlier: Mapping[str, EarlierAnswer] | None = None
) -> TriageResult:
    """Every rule on a partly answered intake: only answers given (or latched) raise flags."""
    return _evaluate(Facts(answers, today, interim=True, earlier=earlier))


def needs_emergency_page(
    answers: Mapping[str, object],
    *,
    today: datetime.date | None = None,
    earlier: Mapping[str, EarlierAnswer] | None = None,
) -> bool:
    """Whether the emergency page comes first now: ``assess_interim`` finds a CES or MSCC emergency."""
    return assess_interim(answers, today=today, earlier=earlier).emergency is not None


def assess_safety_step(
    answers: Mapping[str, object],
    *,
    today: datetime.date | None = None,
    earlier: Mapping[str, EarlierAnswer] | None = None,
) -> TriageResult:
    """Deprecated (2026.1 name): ``assess_interim``, which also ignores questions not answered yet."""
    return assess_interim(answers, today=today, earlier=earlier)
