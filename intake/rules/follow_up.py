"""The follow-up questionnaire (form "follow-up-2027.1", issue 12): what a patient answers 6 weeks, 3 months and
12 months after the visit, and how its answers are triaged.

Pages, in order: the CES safety step (the same seven cauda-equina questions as the pre-visit intake, and
``ce_onset`` after any "yes" or "not sure"), then the cord-compression questions of rules 2027.1 (CM1:
``hands_clumsy``, ``balance_worse``; docs/clinical/TRIAGE.md, "Metastatic spinal cord compression and cord
compression"), then new or changed leg symptoms, PEG, the PSFS, the global rating of change and running status
(docs/clinical/INTAKE.md, "Outcome measures"). No consent page: the patient agreed at the pre-visit intake to share
their answers with the care team, and a follow-up is part of the same care (the invitation e-mail says what it is).

Decisions worth knowing:
- Questions are the intake's own (same code, same wording) wherever the meaning is the same, so every triage rule,
  browser rule and check applies unchanged. One is reworded for the follow-up: ``leg_symptoms`` asks about leg
  symptoms that are *new or changed since the visit*; its "yes" opens the same leg questions, so a new sciatica,
  a weak foot or symptoms in both legs flag as they would at intake, and the reading list's "new leg symptoms" is
  that answer.
- ``follow_up_running`` is optional: a patient who did not run before can skip it.

Triage of a follow-up (``assess_follow_up``)
--------------------------------------------
Some rules need facts a follow-up does not ask again: the age (SP8, R6) and a cancer history (SP1, which with a new
nerve symptom makes MSCC, urgent). They come from the patient's pre-visit intake: ``with_background(answers,
background)`` puts the intake's answers to ``BACKGROUND_CODES`` (``date_of_birth``, ``cancer_history``) underneath
and the follow-up's answers on top. Nothing else is carried over: the intake's leg or running answers describe the
back before the visit, and would raise flags the follow-up did not find.

The follow-up is judged with ``triage.assess_interim`` (only answers actually given raise flags): the questions it
does not ask (the general-health ones) are not unanswered. Its required questions are checked before it is sent,
so at submission every question it asks has an answer. A cancer history from the intake is context, not news: SP1
is kept only as the partner of a raised MSCC (the staff see why it is urgent); alone it does not make every follow-up
of a patient with a cancer history "serious" again (it was acted on at the visit). Latched answers work as at
intake (``earlier``).

Public API
----------
- ``STEPS``, ``PAGES`` (the follow-up's, in order), ``FOLLOW_UP_LEG_SYMPTOMS`` (the reworded question),
  ``GLOBAL_CHANGE``, ``FOLLOW_UP_RUNNING``, ``BACKGROUND_CODES``.
- ``with_background(answers, background) -> dict``; ``assess_follow_up(answers, *, background, today, earlier=None)``.
- ``default_answers(background) -> dict``: what the follow-up's pages start with before anything is saved (the
  activities named at intake, for the PSFS).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from intake.rules.questionnaire import (
    CE_QUESTION_CODES,
    PSFS_PAIRS,
    QUESTIONS,
    Choice,
    Page,
    Question,
    Step,
)
from intake.rules.triage import EarlierAnswer, TriageResult, assess_interim, level_for_flags
from intake.rules.wording import gettext_noop as _

BACKGROUND_CODES: tuple[str, ...] = ("date_of_birth", "cancer_history")
HISTORY_ONLY_FLAGS = frozenset({"SP1"})  # kept only beside the combination it makes (MSCC)

FOLLOW_UP_LEG_SYMPTOMS = Question(
    "leg_symptoms",
    "yn",
    _("Since your visit, have you had new or different pain, numbness or tingling in a leg?"),
    _("Count the buttock, thigh, lower leg and foot. Answer “No” if your legs feel the same as before, or better."),
    choices=QUESTIONS["leg_symptoms"].choices,
)
GLOBAL_CHANGE = Question(
    "global_change",
    "choice",
    _("Compared with just before your first visit, how is your back now?"),
    choices=(
        Choice("much_worse", _("Much worse")),
        Choice("worse", _("Worse")),
        Choice("little_worse", _("A little worse")),
        Choice("same", _("About the same")),
        Choice("little_better", _("A little better")),
        Choice("better", _("Better")),
        Choice("much_better", _("Much better")),
    ),
)
FOLLOW_UP_RUNNING = Question(
    "follow_up_running",
    "choice",
    _("Which best describes your running now?"),
    _("If you did not run before your back problem, you can skip this."),
    required=False,
    choices=(
        Choice("not_running", _("I'm not running")),
        Choice("run_walk", _("I'm mixing running and walking")),
        Choice("running_less", _("I'm running, but less than before")),
        Choice("usual_running", _("I'm back to my usual running")),
    ),
)
NOT_BACK_TO_RUNNING = frozenset({"not_running", "run_walk", "running_less"})
NO_BETTER = frozenset({"much_worse", "worse", "little_worse", "same"})


def _q(*codes: str) -> tuple[Question, ...]:
    return tuple(QUESTIONS[code] for code in codes)


_LEG_CODES = ("leg_side", "leg_pain_lowest_point", "worse_back_or_leg", "leg_numbness_tingling")
_WEAKNESS_CODES = ("leg_weakness", "leg_weakness_worsening", "foot_drop")
_PEG_CODES = ("pain_week_avg", "pain_enjoyment_interference", "pain_interference")
_PSFS_CODES = tuple(code for pair in PSFS_PAIRS for code in pair)
_SINCE = _("Since your visit: answer “Yes” if it is new or getting worse, even if it came on slowly. If you are not "
           "sure, choose “Not sure”.")  # fmt: skip

STEPS: tuple[Step, ...] = (
    Step(
        "safety",
        _("Safety check"),
        _SINCE,
        (*_q(*CE_QUESTION_CODES, "ce_onset"), *_q("hands_clumsy", "balance_worse")),
    ),
    Step(
        "legs",
        _("Your legs"),
        _("Tell us about any change in your legs since your visit."),
        (FOLLOW_UP_LEG_SYMPTOMS, *_q(*_LEG_CODES, *_WEAKNESS_CODES)),
    ),
    Step(
        "measures", _("Pain and activities"), _("How your back affects your life now."), _q(*_PEG_CODES, *_PSFS_CODES)
    ),
    Step("progress", _("How you are doing"), _("Two last questions."), (GLOBAL_CHANGE, FOLLOW_UP_RUNNING)),
)
_BY_CODE: Mapping[str, Question] = {question.code: question for step in STEPS for question in step.questions}


def _page(slug: str, step: str, title: str, intro: str, *codes: str) -> Page:
    return Page(slug, step, title, intro, tuple(_BY_CODE[code] for code in codes))


# fmt: off
PAGES: tuple[Page, ...] = (
    _page("safety", "safety", _("Safety check"),
          _("We ask these questions first at every check-in, because a few rare back problems need care right away. "
            "Answer “Yes” if the sign is new or getting worse, even if it came on slowly. If you are not sure, choose "
            "“Not sure”."),
          "ce_saddle_numbness", "ce_wiping_sensation"),
    _page("safety_bladder", "safety", _("Your bladder and bowels"), _SINCE,
          "ce_urine_start_difficulty", "ce_urine_leak_or_no_sensation", "ce_bowel_control"),
    _page("safety_legs", "safety", _("Your legs and sex life"), _SINCE,
          "ce_both_legs_weaker", "ce_sexual_change"),
    _page("safety_onset", "safety", _("When the change started"),
          _("You told us about a change that can need care right away. This helps the care team judge how urgent it "
            "is."),
          "ce_onset"),
    _page("safety_hands", "safety", _("Your hands and balance"), _SINCE, "hands_clumsy", "balance_worse"),
    _page("legs", "legs", _("Your legs"), _("Tell us about any change in your legs since your visit."),
          "leg_symptoms", *_LEG_CODES),
    _page("legs_weakness", "legs", _("Leg weakness"), "", *_WEAKNESS_CODES),
    _page("measures", "measures", _("How your pain affects your life"), _("Think about the past week."),
          *_PEG_CODES),
    _page("measures_activities", "measures", _("Activities your back makes hard"),
          _("Rate how well you can do each activity now. If you named activities before, they are filled in for "
            "you. You can change them."),
          "psfs_1_activity", "psfs_1"),
    # The intake's second and third activities are filled in (default_answers), and a named activity needs its
    # rating: "Skip this page" was refused beside them. Rated again, they give the PSFS a change to compare.
    _page("measures_activities_more", "measures", _("Other activities"),
          _("You can name up to two more activities. If you named more before, they are filled in: rate each one now, "
            "or clear its name. If there are none, leave this page empty."),
          "psfs_2_activity", "psfs_2", "psfs_3_activity", "psfs_3"),
    _page("progress", "progress", _("How you are doing"), "", "global_change", "follow_up_running"),
)
# fmt: on


def with_background(answers: Mapping[str, object], background: Mapping[str, object]) -> dict[str, object]:
    """The follow-up's answers on top of the pre-visit intake's ``BACKGROUND_CODES`` answers."""
    merged: dict[str, object] = {code: background[code] for code in BACKGROUND_CODES if code in background}
    merged.update(answers)
    return merged


def assess_follow_up(
    answers: Mapping[str, object],
    *,
    background: Mapping[str, object],
    today: datetime.date,
    earlier: Mapping[str, EarlierAnswer] | None = None,
) -> TriageResult:
    """Triage a follow-up (answered so far, or whole) with the background facts (see the module docstring)."""
    result = assess_interim(with_background(answers, background), today=today, earlier=earlier)
    if result.has("MSCC"):
        return result
    flags = tuple(flag for flag in result.flags if flag.code not in HISTORY_ONLY_FLAGS)
    if len(flags) == len(result.flags):
        return result
    return TriageResult(level_for_flags(flags), flags, result.rules_version, result.ce_onset)


def default_answers(background: Mapping[str, object]) -> dict[str, object]:
    """The activities the patient named at intake, offered again on the follow-up's PSFS pages."""
    return {
        code: value for code, _rating in PSFS_PAIRS if isinstance(value := background.get(code), str) and value.strip()
    }
