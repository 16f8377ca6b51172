"""The pre-visit intake as data: seven steps of questions, in the order of docs/clinical/INTAKE.md (version 2027.1),
and the short pages the patient answers them on. The module-level ``STEPS``, ``PAGES`` ... are the intake's; the
form as an object, and the follow-up beside it, are in ``intake.rules.catalogue``.

Why a declarative catalogue: the Django forms, the staff screens, the exports, the triage engine and the tests all
need the same field codes, choice codes, wording, bounds and "when is this asked" rules. Keeping them here, in plain
Python with no Django import, gives one place to review the patient-facing wording and one source of truth that the
triage rules (``intake.rules.triage``) reuse, so a question that is not shown is never treated as "unanswered".

Public API
----------
- ``Choice(code, label)``; ``Question(code, kind, label, hint="", required=True, choices=(), min_value=None,
  max_value=None, max_length=None, applies=None, future_ok=False)`` with ``kind`` in ``KINDS``;
  ``Question.applies_to(answers, *, today=None)`` says whether the question is asked given the answers so far;
  ``Question.choice_label(code)``. yes/no questions carry their choices (``YNS_CHOICES``, ``YN_CHOICES``).
- ``Step(slug, title, intro, questions)``; ``STEPS`` (in the document's order); ``STEP_SLUGS``;
  ``step_by_slug(slug)`` (KeyError if unknown); ``QUESTIONS`` (code -> Question); ``question_by_code(code)``.
  Steps are what staff screens group answers by and what a whole intake is checked by.
- ``PSFS_QUESTIONS``, ``PSFS_PAIRS`` ((activity code, rating code) x 3).
- ``Page(slug, step, title, intro, questions, stores=())``; ``PAGES`` (in the order the patient sees them: the
  consent page ``CONSENT_PAGE`` first, then each step's pages; the first page of a step has the step's slug);
  ``PAGE_SLUGS``; ``page_by_slug(slug)`` (KeyError if unknown); ``page_of(code)``; ``page_applies(page, answers,
  *, today=None)`` (a page none of whose questions is asked is skipped); ``step_number(page)``; ``NOT_ON_A_PAGE``
  (``date_of_birth``, from the confirmed invitation; ``distance_unit``, from the clinic's units).
- ``questions_that_apply(step_or_page, answers, *, today=None) -> list[Question]``.
- ``Question.measure`` (height, weight, distance, walk: shown in the clinic's units and stored in metric by
  ``intake.rules.units``) and ``Question.date_name`` (the name a date goes by in its error messages).
- The day the "asked when" rules are judged on: ``on_day(day)`` (a context manager) and ``current_day()``.
- ``CE_QUESTION_CODES`` (the seven cauda-equina questions), ``CE_EMERGENCY_CODES`` (the same seven since 2027.1),
  ``IBP_QUESTION_CODES``, ``YES_VALUES``, ``is_yes(value)``, the visibility predicates (``has_leg_symptoms``,
  ``is_runner``, ``asks_inflammatory_questions``, ...), ``inflammatory_window(answers, today)``,
  ``age_when_pain_began(answers)``, ``months_before(day, months)``, ``date_or_iso(value)``,
  ``max_weekly_distance(unit)``, ``age_in_years(born, on)``, ``number_value(value)``, ``as_date(value)``,
  ``as_codes(value)``.
- Validation (``validate_answers``, the ``MSG_*`` constants) and staff display (``human_value``) are in
  ``intake.rules.questionnaire_checks``, which builds on this module.

Decisions worth knowing:
- Every label, hint, title, intro, choice label and date name is marked with the no-op ``gettext_noop`` (as ``_``)
  and translated where it is shown; field and choice codes are never translated (staff read answers in English).
- Pages (issue 14): a few questions each, so no page is longer than 2.5 phone screens with every follow-up open;
  the seven cauda-equina questions are on three pages and ``ce_onset`` on a fourth that shows only after a yes or
  not sure; a page whose questions all depend on answers given elsewhere (the running pages after "I don't run",
  the inflammatory block, the leg weakness page) is skipped when none of them is asked. Consent is its own first
  page, before any question.
- ``answers`` is always the whole intake so far (all earlier steps), because some rules look back.
- "not_sure" opens a follow-up exactly like "yes" (docs/clinical/TRIAGE.md: "yes" means yes or not sure), so
  ``ce_onset`` is asked after any of the seven CE questions (docs/clinical/INTAKE.md: "any of the above" includes the
  sexual-function question).
- The seven safety questions are worded the way the CES symptom card speaks: one sign per line of the hint ("\n" in
  the catalogue, a line each on the page), and
  "new or getting worse" in every label, so a sign that crept up over weeks counts (docs/clinical/INTAKE.md 2027.1,
  step 1). "Walking is getting harder" is no longer part of ``ce_both_legs_weaker`` (docs/clinical/TRIAGE.md
  2027.1: CE6).
- The running step's follow-ups are asked unless ``running_status`` is ``not_a_runner`` (so they show on an empty
  form); the leg follow-ups only once ``leg_symptoms`` is yes; ``leg_weakness_worsening`` and ``foot_drop`` only once
  ``leg_weakness`` is yes too; ``weekly_distance_before`` only once a change other than ``none`` is picked.
- The inflammatory back pain block (``IBP_QUESTION_CODES``) is asked only when ``pain_start_date`` is *more than*
  3 calendar months before today (exactly 3 months is not more: 15 December is not more than 3 months before
  15 March; a shorter month clamps, so 3 months before 31 May is 28 or 29 February) and the patient was under 45 on
  ``pain_start_date`` (whole years, ``age_in_years``). Without both dates it is not asked. The two dates may also be
  ISO strings (answers read back from JSON by the staff screens).
- Which day is "today" for that rule: predicates take only the answers, so the day comes from a module-level
  context variable. ``on_day(day)`` sets it for a block; ``questions_that_apply(..., today=day)``,
  ``Question.applies_to(..., today=day)`` and ``questionnaire_checks.validate_answers(..., today=day)`` set it for
  their own call, so a caller that passes ``today`` gets the same answer from all three. A caller that passes no day
  (and is not inside ``on_day``) gets the process's local date (``datetime.date.today()``; under Django that is the
  ``TIME_ZONE`` date, the same as ``timezone.localdate()`` unless a request activates another zone). The rule only
  moves one way over time (pain only gets older; the age at its start is fixed), so a question asked on one day is
  still asked on any later day.
- Outcome measures (docs/clinical/INTAKE.md, "Outcome measures"; issue 12): PEG's third item,
  ``pain_enjoyment_interference``, sits beside the other two (``pain_week_avg``, ``pain_interference``) on a page of
  its own with ``pain_interference`` ("How pain affects your life"), and is required like them (PEG is scored only
  when all three are answered: docs/clinical/INTAKE.md open question 4, answered this way). The PSFS
  (``PSFS_QUESTIONS``, ``PSFS_PAIRS``) follows on two short pages: the first activity and its 0-10 rating are
  required, a second and third optional; a named activity needs its rating and a rating its activity
  (``questionnaire_checks``). The follow-up form (``intake.rules.follow_up``, ``intake.rules.catalogue``) reuses
  these questions.
- Optional (no "R" in docs/clinical/INTAKE.md): ``sex``, height, weight, ``walking_distance_m``, ``worse_with``,
  ``medications``, ``onset_cause_other``, ``weekly_distance_before`` and the unmarked running questions, all of "Your
  visit" except ``consent``, and the inflammatory back pain block (none of it is marked "R"; it only informs the IBP
  flag, and an unanswered item simply does not count towards it). ``foot_drop`` is required when asked (step 4: "all R
  unless marked"); ``long_term_steroids``, ``hands_clumsy`` and ``balance_worse`` are required (step 5: "YNS, R").
- ``race_date`` is the one date allowed in the future (a goal race usually is); ``future_ok`` marks it.
- Bounds the document does not set, chosen as "clearly a typo beyond this": years running 80, shoe age 120 months,
  strength sessions 14 a week (twice a day), rest days 7, walking distance 50,000 m; short free text (the other onset
  cause, race goal) 200 characters, long free text 2,000.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from intake.rules.units import MILE_KM, Measure, System
from intake.rules.wording import gettext_noop

Kind = Literal["yns", "yn", "choice", "multi", "integer", "decimal", "scale", "date", "text", "phone", "consent"]
KINDS: tuple[Kind, ...] = (
    "yns", "yn", "choice", "multi", "integer", "decimal", "scale", "date", "text", "phone", "consent"
)  # fmt: skip

Answers = Mapping[str, object]
Predicate = Callable[[Answers], bool]


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class Question:
    code: str
    kind: Kind
    label: str
    hint: str = ""
    required: bool = True
    choices: tuple[Choice, ...] = ()
    min_value: int | Decimal | None = None
    max_value: int | Decimal | None = None
    max_length: int | None = None
    applies: Predicate | None = None
    future_ok: bool = False
    measure: Measure | None = None  # a measurement shown in the clinic's units, stored in metric (intake.rules.units)
    date_name: str = ""  # what a date is called in its error messages ("Date of birth must include a month")

    def applies_to(self, answers: Answers, *, today: datetime.date | None = None) -> bool:
        if self.applies is None:
            return True
        if today is None:
            return self.applies(answers)
        with on_day(today):
            return self.applies(answers)

    @property
    def choice_codes(self) -> frozenset[str]:
        return frozenset(choice.code for choice in self.choices)

    def choice_label(self, code: str) -> str:
        for choice in self.choices:
            if choice.code == code:
                return choice.label
        return code


@dataclass(frozen=True)
class Step:
    """One of the seven steps of docs/clinical/INTAKE.md: how staff screens group the answers, and the validation
    unit of a whole intake."""

    slug: str
    title: str
    intro: str
    questions: tuple[Question, ...]


CONSENT_PAGE = "consent"


@dataclass(frozen=True)
class Page:
    """One screen of the patient's form: a few questions of one step (``step``), saved together on "Next".

    ``stores``: (code, value) the page writes without asking, when that question applies (the running page stores
    ``distance_unit`` "km": distances are typed in the clinic's units and stored in kilometers).
    """

    slug: str
    step: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    stores: tuple[tuple[str, str], ...] = ()


# --- vocabulary shared with the triage engine -------------------------------------------------------------------

YES_VALUES = frozenset({"yes", "not_sure"})
CE_QUESTION_CODES: tuple[str, ...] = (
    "ce_saddle_numbness",
    "ce_wiping_sensation",
    "ce_urine_start_difficulty",
    "ce_urine_leak_or_no_sensation",
    "ce_bowel_control",
    "ce_both_legs_weaker",
    "ce_sexual_change",
)
# Since 2027.1 every CE sign opens the emergency page, the sexual-function one included (CE7 is urgent:
# docs/clinical/TRIAGE.md).
CE_EMERGENCY_CODES: tuple[str, ...] = CE_QUESTION_CODES
IBP_QUESTION_CODES: tuple[str, ...] = (
    "wakes_second_half_night",
    "better_with_movement",
    "nsaid_relief",
    "family_spa",
    "joint_swelling",
    "heel_pain",
    "psoriasis",
)
IBP_MIN_MONTHS = 3  # back pain for *more than* this many calendar months
IBP_AGE_LIMIT = 45  # ... that began before this age
NONE_CODE = "none"
NOT_A_RUNNER = "not_a_runner"
_WEEKLY_DISTANCE_CAP = {"km": Decimal(400), "mi": Decimal(250)}


def is_yes(value: object) -> bool:
    """docs/clinical/TRIAGE.md: "yes" means ``yes`` or ``not_sure``."""
    return isinstance(value, str) and value in YES_VALUES


def max_weekly_distance(unit: object) -> Decimal:
    """The cap for a distance in ``unit`` (``km`` 400, ``mi`` 250); the looser km cap when the unit is unknown."""
    return _WEEKLY_DISTANCE_CAP.get(unit, _WEEKLY_DISTANCE_CAP["km"]) if isinstance(unit, str) else Decimal(400)


def max_typed_distance_km(system: System) -> Decimal:
    """The cap for a distance as the patient types it, in the km it is stored in: 400 km, or 250 miles (402.336 km).
    Until stop 32 the km cap applied to both, so a US runner could type at most 248 miles."""
    return _WEEKLY_DISTANCE_CAP["mi"] * MILE_KM if system == "us" else _WEEKLY_DISTANCE_CAP["km"]


def max_stored_distance(unit: object) -> Decimal:
    """The cap for a stored distance, in its stored ``unit``: one stored in km may have been typed in miles, whose cap
    is a little over 400 km (`max_typed_distance_km`, to the stored cent)."""
    if unit == "mi":
        return _WEEKLY_DISTANCE_CAP["mi"]
    return max_typed_distance_km("us").quantize(Decimal("0.01"))


def age_in_years(born: datetime.date, on: datetime.date) -> int:
    """Whole years completed on ``on`` (a birthday falling on ``on`` counts)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def number_value(value: object) -> Decimal | None:
    """A finite number as a Decimal (floats via their shortest repr, so 1.3 stays 1.3); anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        return None
    return number if number.is_finite() else None


def as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else None


def as_codes(value: object) -> tuple[str, ...]:
    """A multi-choice answer as a tuple of its string codes; anything that is not a collection as empty."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` calendar months earlier, clamped to the month's end (31 May -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    if year < datetime.MINYEAR:
        return datetime.date.min
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def date_or_iso(value: object) -> datetime.date | None:
    """A date, or an ISO date string as answers read back from JSON hold it; anything else None."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return as_date(value)


def age_when_pain_began(answers: Answers) -> int | None:
    """Whole years on ``pain_start_date``, or None without both dates."""
    born, started = date_or_iso(answers.get("date_of_birth")), date_or_iso(answers.get("pain_start_date"))
    if born is None or started is None:
        return None
    return age_in_years(born, started)


def inflammatory_window(answers: Answers, today: datetime.date) -> bool:
    """Back pain for more than 3 months that began before 45: when the IBP block is asked and the IBP flag can rise."""
    started = date_or_iso(answers.get("pain_start_date"))
    age = age_when_pain_began(answers)
    return (
        started is not None
        and age is not None
        and started < months_before(today, IBP_MIN_MONTHS)
        and (age < IBP_AGE_LIMIT)
    )


# --- the day the conditional questions are judged on -----------------------------------------------------------------

_DAY: ContextVar[datetime.date | None] = ContextVar("intake_questionnaire_day", default=None)


def current_day() -> datetime.date:
    """The day set by ``on_day``; outside it, the process's local date (see the module docstring)."""
    return _DAY.get() or datetime.date.today()


@contextlib.contextmanager
def on_day(day: datetime.date) -> Iterator[None]:
    """Judge "asked when" rules on ``day`` inside the block (the day of the request or of the submission)."""
    token = _DAY.set(day)
    try:
        yield
    finally:
        _DAY.reset(token)


# --- when conditional questions are asked --------------------------------------------------------------------------


def any_ce_concern(answers: Answers) -> bool:
    return any(is_yes(answers.get(code)) for code in CE_QUESTION_CODES)


def has_leg_symptoms(answers: Answers) -> bool:
    return is_yes(answers.get("leg_symptoms"))


def has_leg_weakness(answers: Answers) -> bool:
    return has_leg_symptoms(answers) and is_yes(answers.get("leg_weakness"))


def asks_inflammatory_questions(answers: Answers) -> bool:
    """The IBP block: pain for more than 3 months that began before 45, judged on ``current_day()``."""
    return inflammatory_window(answers, current_day())


def onset_is_other(answers: Answers) -> bool:
    return answers.get("onset_cause") == "other"


def is_runner(answers: Answers) -> bool:
    return answers.get("running_status") != NOT_A_RUNNER


def changed_training(answers: Answers) -> bool:
    return is_runner(answers) and any(code != NONE_CODE for code in as_codes(answers.get("training_changes")))


# --- the catalogue ---------------------------------------------------------------------------------------------------
# ``_`` is the no-op marker (``wording.gettext_noop``): makemessages collects every label, hint, title, intro, choice
# and date name below, and the forms and templates translate them when they show them. Field codes are never marked.
_ = gettext_noop


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, label) for code, label in pairs)


YNS_CHOICES = _choices(("yes", _("Yes")), ("no", _("No")), ("not_sure", _("Not sure")))
YN_CHOICES = _choices(("yes", _("Yes")), ("no", _("No")))
LONG_TEXT, SHORT_TEXT = 2000, 200


def _yns(code: str, label: str, hint: str = "") -> Question:
    return Question(code, "yns", label, hint, choices=YNS_CHOICES)


def _yn(code: str, label: str, hint: str = "", *, required: bool = True, applies: Predicate | None = None) -> Question:
    return Question(code, "yn", label, hint, required=required, choices=YN_CHOICES, applies=applies)


def _text(
    code: str, label: str, hint: str = "", *, max_length: int = LONG_TEXT, applies: Predicate | None = None
) -> Question:
    return Question(code, "text", label, hint, required=False, max_length=max_length, applies=applies)


def _scale(code: str, label: str, hint: str) -> Question:
    return Question(code, "scale", label, hint, min_value=0, max_value=10)


def _distance(code: str, label: str, *, required: bool = True, applies: Predicate = is_runner) -> Question:
    # The stored bound (km): 400 typed in km, or 250 typed in miles (402.34 km); the published FHIR Questionnaire
    # gives it as the item's maxValue, which a US runner's 250 miles must not exceed (review of the stop-32 commits).
    return Question(code, "decimal", label, required=required, min_value=0, max_value=max_stored_distance("km"),
                    applies=applies, measure="distance")  # fmt: skip


_PSFS_HINT = _("0 means you can't do it at all. 10 means you can do it as well as before your back problem.")
# The Patient-Specific Functional Scale (docs/clinical/INTAKE.md, "Outcome measures"; outcomes/instruments/data/
# psfs.toml): up to three activities, each rated 0-10. The first is required; a second or third rating is asked for
# once its activity is named (``questionnaire_checks``: a rating without its activity, or the reverse, is an error).
PSFS_QUESTIONS: tuple[Question, ...] = (
    Question(
        "psfs_1_activity",
        "text",
        _("Name one activity that your back makes hard to do."),
        _("For example, running, lifting your child or sitting at work. Running counts."),
        max_length=SHORT_TEXT,
    ),
    Question("psfs_1", "scale", _("How well can you do this activity now?"), _PSFS_HINT, min_value=0, max_value=10),
    Question(
        "psfs_2_activity",
        "text",
        _("Is there a second activity your back makes hard?"),
        _("You can skip this."),
        required=False,
        max_length=SHORT_TEXT,
    ),
    Question(
        "psfs_2",
        "scale",
        _("How well can you do the second activity now?"),
        _PSFS_HINT,
        required=False,
        min_value=0,
        max_value=10,
    ),
    Question(
        "psfs_3_activity",
        "text",
        _("Is there a third activity your back makes hard?"),
        _("You can skip this."),
        required=False,
        max_length=SHORT_TEXT,
    ),
    Question(
        "psfs_3",
        "scale",
        _("How well can you do the third activity now?"),
        _PSFS_HINT,
        required=False,
        min_value=0,
        max_value=10,
    ),
)
PSFS_PAIRS: tuple[tuple[str, str], ...] = (("psfs_1_activity", "psfs_1"), ("psfs_2_activity", "psfs_2"),
                                           ("psfs_3_activity", "psfs_3"))  # fmt: skip

_SAFETY_INTRO = _(
    "We ask these questions first because a few rare back problems need care right away. Answer “Yes” if the sign is "
    "new or getting worse, even if it came on slowly. If you are not sure, choose “Not sure”."
)
# fmt: off
_SAFETY = Step(
    "safety",
    _("Safety check"),
    _SAFETY_INTRO,
    (
        _yns("ce_saddle_numbness",
             _("Do you have numbness, tingling or a change in feeling in your saddle area that is new or getting "
               "worse?"),
             _("Your saddle area is the skin between your inner thighs, around your bottom and around your genitals. "
               "It is the part that would touch a bike seat.")),
        _yns("ce_wiping_sensation",
             _("Does wiping after the toilet feel different from normal, in a way that is new or getting worse?"),
             _("For example:\nThe skin feels numb.\nYou can hardly feel the toilet paper.")),
        _yns("ce_urine_start_difficulty",
             _("Is peeing harder to start, stop or control, in a way that is new or getting worse?"),
             _("Pee means urine. Count any of these:\nIt is hard to start.\nIt is hard to stop.\n"
               "It is hard to control.\nThe flow is weaker than normal.")),
        _yns("ce_urine_leak_or_no_sensation",
             _("Do you leak pee, or have trouble feeling your bladder, in a way that is new or getting worse?"),
             _("Your bladder holds your pee. Count any of these:\nYou leak pee or need pads.\n"
               "You can't tell when your bladder is full.\nYou can't tell when it is empty.\n"
               "You can't feel pee passing.")),
        _yns("ce_bowel_control",
             _("Do you have trouble with bowel control that is new or getting worse?"),
             _("Count any of these:\nIt is hard to hold in a poop.\nYou leak poop.\nYou can't feel a poop passing.")),
        _yns("ce_both_legs_weaker", _("Do both of your legs feel weak, in a way that is new or getting worse?"),
             _("Count it if both legs feel weak or give way. Leg pain that stops you walking far is asked about "
               "later.")),
        _yns("ce_sexual_change",
             _("Have you noticed a change in sex or in feeling in your genitals that is new or getting worse?"),
             _("Count any of these:\nTrouble getting or keeping an erection.\nA change when you ejaculate (come).\n"
               "Less feeling in your genitals during sex.")),
        Question("ce_onset", "choice", _("When did the change you marked start?"),
                 _("If you marked more than one, think of the most recent."),
                 choices=_choices(("within_14_days", _("In the last 14 days")),
                                  ("older_stable", _("More than 14 days ago, and it has stayed the same")),
                                  ("getting_worse", _("It is getting worse"))),
                 applies=any_ce_concern),
    ),
)

_ABOUT = Step(
    "about",
    _("About you"),
    _("A few details help us read your answers the right way."),
    (
        # Asked once, on the page that opens the link (the birth-date check), and stored from the invitation.
        Question("date_of_birth", "date", _("What is your date of birth?"), date_name=_("Date of birth")),
        Question("sex", "choice", _("What is your sex?"), required=False,
                 choices=_choices(("female", _("Female")), ("male", _("Male")), ("other", _("Other")),
                                  ("prefer_not", _("I'd rather not say")))),
        Question("height_cm", "decimal", _("How tall are you?"), _("You can skip this."),
                 required=False, min_value=50, max_value=250, measure="height"),
        Question("weight_kg", "decimal", _("How much do you weigh?"), _("You can skip this."),
                 required=False, min_value=20, max_value=350, measure="weight"),
        # Filled in from the invitation when the clinic has a number; stored in E.164 (intake.rules.phone_numbers).
        Question("phone", "phone", _("What phone number can we call you on?"),
                 _("We call this number if your answers mean we should talk to you soon. Include the area code.")),
    ),
)

_BACK_PAIN = Step(
    "back_pain",
    _("Your back pain"),
    _("Tell us about the pain in your back. There are no wrong answers."),
    (
        Question("pain_start_date", "date", _("When did this back pain start?"),
                 _("A rough date is fine. If you are not sure of the day, enter 1."),
                 date_name=_("The date your back pain started")),
        Question("onset_cause", "choice", _("What do you think started the pain?"),
                 choices=_choices(("running", _("Running")), ("lifting_bending", _("Lifting or bending")),
                                  ("fall_impact", _("A fall, crash or blow")),
                                  ("no_clear_cause", _("Nothing I can think of")), ("other", _("Something else")))),
        _text("onset_cause_other", _("What else do you think started it?"), max_length=SHORT_TEXT,
              applies=onset_is_other),
        _yn("first_episode", _("Is this the first time you have had back pain like this?")),
        _scale("pain_now", _("How bad is your pain right now?"),
               _("0 means no pain. 10 means the worst pain you can imagine.")),
        _scale("pain_week_avg", _("On average, how bad has your pain been over the past week?"),
               _("0 means no pain. 10 means the worst pain you can imagine.")),
        _scale("pain_enjoyment_interference", _("This week, how much has pain spoiled the things you enjoy in life?"),
               _("0 means not at all. 10 means you could not enjoy anything.")),
        _scale("pain_interference", _("This week, how much has pain gotten in the way of your daily life?"),
               _("0 means not at all. 10 means you could not do anything.")),
        *PSFS_QUESTIONS,
        Question("pain_locations", "multi", _("Where do you feel the pain? Choose all that apply."),
                 choices=_choices(("low_back", _("Lower back")), ("buttock", _("Buttock")),
                                  ("mid_upper_back", _("Middle or upper back")),
                                  ("chest_band", _("A band around the chest or ribs")), ("neck", _("Neck")))),
        _yn("night_rest_pain", _("Is the pain there all the time when you rest or at night?"),
            _("Answer yes only if changing position does not ease it.")),
        Question("worse_with", "multi", _("What makes the pain worse? Choose all that apply."), required=False,
                 choices=_choices(("bending_forward", _("Bending forward")),
                                  ("leaning_back", _("Leaning or arching back")),
                                  ("sitting", _("Sitting")), ("standing_up", _("Standing up")),
                                  ("walking", _("Walking")), ("running", _("Running")),
                                  ("coughing", _("Coughing, sneezing or straining")))),
        # The inflammatory back pain block: long-lasting pain that began young (see the module docstring).
        _yn("wakes_second_half_night", _("Does the pain wake you up in the second half of the night?"),
            _("For example, it wakes you in the early morning hours."), required=False,
            applies=asks_inflammatory_questions),
        _yn("better_with_movement", _("Does your back feel better when you exercise?"),
            _("Answer yes only if it gets better with exercise, but not with rest."), required=False,
            applies=asks_inflammatory_questions),
        Question("nsaid_relief", "choice",
                 _("Did your back pain get clearly better within 2 days of taking ibuprofen or naproxen?"),
                 _("These medicines ease pain and swelling. Advil and Motrin are ibuprofen. Aleve is naproxen."),
                 required=False,
                 choices=_choices(("yes", _("Yes, it clearly helped")), ("no", _("No")),
                                  ("not_tried", _("I have not tried one"))),
                 applies=asks_inflammatory_questions),
        _yn("family_spa",
            _("Does a parent, brother, sister or child have ankylosing spondylitis or axial spondyloarthritis?"),
            _("These are kinds of arthritis that affect the spine."), required=False,
            applies=asks_inflammatory_questions),
        _yn("joint_swelling", _("Have you ever had swollen, painful joints?"),
            _("Count it if it is happening now or happened in the past."), required=False,
            applies=asks_inflammatory_questions),
        _yn("heel_pain", _("Have you had pain where a tendon joins a bone, such as the back or bottom of your heel?"),
            _("A tendon is the tough cord that joins a muscle to a bone."), required=False,
            applies=asks_inflammatory_questions),
        _yn("psoriasis", _("Have you ever had psoriasis?"), _("Psoriasis is a skin problem with red, scaly patches."),
            required=False, applies=asks_inflammatory_questions),
    ),
)

_LEGS = Step(
    "legs",
    _("Leg symptoms"),
    _("Back problems can cause feelings in the legs. These questions help us tell what is going on."),
    (
        _yn("leg_symptoms", _("Do you have pain, numbness or tingling in a leg?"),
            _("Count the buttock, thigh, lower leg and foot.")),
        Question("leg_side", "choice", _("Which leg is it?"),
                 choices=_choices(("left", _("Left")), ("right", _("Right")), ("both", _("Both legs"))),
                 applies=has_leg_symptoms),
        Question("leg_pain_lowest_point", "choice", _("How far down your leg does it go?"),
                 choices=_choices(("buttock", _("Buttock only")), ("thigh", _("Thigh, above the knee")),
                                  ("below_knee", _("Below the knee")), ("foot", _("Into the foot"))),
                 applies=has_leg_symptoms),
        Question("worse_back_or_leg", "choice", _("Which hurts more: your back or your leg?"),
                 choices=_choices(("back", _("My back")), ("leg", _("My leg")), ("same", _("About the same"))),
                 applies=has_leg_symptoms),
        _yn("leg_numbness_tingling", _("Do you have numbness or pins and needles in your leg or foot?"),
            applies=has_leg_symptoms),
        _yn("leg_weakness", _("Does your leg or foot feel weak?"),
            _("For example, your leg gives way, or you trip more than usual."), applies=has_leg_symptoms),
        _yn("leg_weakness_worsening", _("Is the weakness getting worse?"), applies=has_leg_weakness),
        _yn("foot_drop", _("Is your foot so weak that it slaps down or catches when you walk?"),
            _("Also answer yes if you can't stand on your heel, or on your toes, on that side."),
            applies=has_leg_weakness),
        # Meters to the cent: in whole meters, 18 yards came back as 17 (intake.rules.units).
        Question("walking_distance_m", "decimal", _("About how far can you walk before leg pain makes you stop?"),
                 _("Skip this if walking does not bring on leg pain."),
                 required=False, min_value=0, max_value=50_000, applies=has_leg_symptoms, measure="walk"),
        _yn("sitting_eases", _("Does sitting down ease the leg pain?"), applies=has_leg_symptoms),
    ),
)

_GENERAL_HEALTH = Step(
    "general_health",
    _("Your general health"),
    _("These questions help us spot rare causes of back pain. Most people answer “No” to all of them."),
    (
        _yns("cancer_history", _("Have you ever had cancer?"), _("Count cancer that was treated and is now gone.")),
        _yns("weight_loss", _("Have you lost weight recently without trying?")),
        _yns("fever_unwell", _("Since the pain began, have you had a fever, chills or sweats?")),
        _yns("iv_drug_use", _("Have you ever injected drugs that a doctor did not prescribe?"),
             _("We ask everyone this. It is private and only used to keep you safe.")),
        _yns("immunosuppressed", _("Is your immune system weakened by an illness or a medicine?"),
             _("Your immune system fights germs. HIV, cancer treatment, steroid pills and medicine after a "
               "transplant can weaken it.")),
        _yns("recent_infection_or_procedure",
             _("In the last few months, have you had a serious infection, a spine injection or spine surgery?")),
        _yns("trauma_onset", _("Did the pain start after a fall, a crash or a hard blow to your body?")),
        _yns("osteoporosis", _("Have you been told you have osteoporosis?"), _("Osteoporosis means thin, weak bones.")),
        _yns("long_term_steroids", _("Have you taken steroid pills for 3 months or more?"),
             _("For example, prednisone. Inhalers and creams do not count.")),
        _yns("hands_clumsy", _("Have your hands become clumsy or numb?"),
             _("For example, doing up buttons or writing is harder than it used to be.")),
        _yns("balance_worse", _("Is your balance or your walking getting worse?"),
             _("For example, you feel unsteady on your feet, or your legs feel stiff.")),
        _yns("getting_worse_or_4_weeks",
             _("Is your pain getting steadily worse, or has it lasted 4 weeks without getting better?")),
        _text("medications", _("What medicines do you take?"),
              _("Include pain pills, vitamins and supplements. You can skip this.")),
    ),
)

_RUNNING = Step(
    "running",
    _("Your running"),
    _("These questions help us see how running and your back fit together. If you don't run, choose “I don't run” "
      "and go on to the next step."),
    (
        Question("running_status", "choice", _("Which best describes your running right now?"),
                 choices=_choices(("running", _("I'm running as usual")),
                                  ("cut_back", _("I'm running less than usual")),
                                  ("stopped", _("I've stopped running for now")), (NOT_A_RUNNER, _("I don't run")))),
        Question("years_running", "integer", _("How many years have you been running?"),
                 _("Round to the nearest year. Enter 0 if less than a year."),
                 required=False, min_value=0, max_value=80, applies=is_runner),
        Question("runs_per_week", "integer", _("How many runs do you do in a typical week?"),
                 _("If you have stopped, think of the weeks before you stopped."),
                 min_value=0, max_value=21, applies=is_runner),
        # Not asked since 2027: the clinic's units decide (intake.rules.units), and distances are stored in km with
        # "km" here. Kept for staff screens and for intakes answered in miles before.
        Question("distance_unit", "choice", _("Do you measure distance in kilometers or miles?"),
                 choices=_choices(("km", _("Kilometers (km)")), ("mi", _("Miles"))), applies=is_runner),
        _distance("weekly_distance", _("Over the last 4 weeks, how far did you run in an average week?")),
        _distance("longest_run", _("How far was your longest single run in the last 4 weeks?"), required=False),
        Question("training_changes", "multi",
                 _("In the weeks before the pain started, did you change your training? Choose all that apply."),
                 choices=_choices(("distance", _("I ran farther")), ("speed", _("I ran faster")),
                                  ("hills", _("I added hills")), ("frequency", _("I ran more often")),
                                  ("new_plan", _("I started a new training plan")),
                                  ("after_break", _("I came back after a break")), (NONE_CODE, _("No changes"))),
                 applies=is_runner),
        _distance("weekly_distance_before", _("Before that change, how far did you run in a typical week?"),
                  required=False, applies=changed_training),
        Question("surfaces", "multi", _("Where do you usually run? Choose all that apply."), required=False,
                 choices=_choices(("concrete", _("Concrete, like sidewalks")), ("asphalt", _("Asphalt roads")),
                                  ("sloped_road", _("Roads that slope to one side")),
                                  ("track", _("A running track")), ("treadmill", _("Treadmill")),
                                  ("trail", _("Trails")), ("grass_sand", _("Grass or sand"))),
                 applies=is_runner),
        _yn("running_shoes", _("Do you run in shoes made for running?"), applies=is_runner),
        Question("shoe_age_months", "integer", _("How many months old are your running shoes?"),
                 required=False, min_value=0, max_value=120, applies=is_runner),
        _yn("minimalist_change", _("Have you recently switched to minimalist or barefoot running?"),
            _("Minimalist shoes are thin, flat shoes with little padding."), required=False, applies=is_runner),
        Question("warm_up", "choice", _("How do you usually warm up before a run?"), required=False,
                 choices=_choices((NONE_CODE, _("I don't warm up")), ("walk", _("I walk first")),
                                  ("dynamic", _("Moving stretches or drills, like leg swings"))),
                 applies=is_runner),
        Question("strength_sessions_per_week", "integer",
                 _("How many times a week do you do strength or core exercises?"),
                 _("Your core is the muscles of your belly, sides and back."),
                 required=False, min_value=0, max_value=14, applies=is_runner),
        Question("cross_training", "multi", _("What other exercise do you do? Choose all that apply."),
                 required=False,
                 choices=_choices(("swim", _("Swimming")), ("cycle", _("Cycling")),
                                  ("elliptical", _("Elliptical machine")), ("yoga", _("Yoga")),
                                  ("pool_running", _("Running in a pool")), (NONE_CODE, _("None"))),
                 applies=is_runner),
        Question("rest_days_per_week", "integer", _("How many rest days do you take in a typical week?"),
                 required=False, min_value=0, max_value=7, applies=is_runner),
        _text("race_goal", _("Are you training for a race? If so, which one?"), max_length=SHORT_TEXT,
              applies=is_runner),
        Question("race_date", "date", _("When is the race?"), required=False, future_ok=True, applies=is_runner,
                 date_name=_("The race date")),
        Question("pain_timing", "multi", _("When do you feel the back pain? Choose all that apply."),
                 choices=_choices(("before", _("Before a run")), ("during", _("During a run")),
                                  ("after", _("Right after a run")), ("next_morning", _("The next morning")),
                                  ("unrelated", _("It is not linked to running"))),
                 applies=is_runner),
        _yn("running_time_lost", _("Has back pain stopped you from running for a week or more?"),
            required=False, applies=is_runner),
        _text("past_injuries", _("Have you had other running injuries? Tell us about them."), applies=is_runner),
    ),
)

_VISIT = Step(
    "visit",
    _("Your visit"),
    _("Last step. This helps us plan your visit around what matters to you."),
    (
        _text("visit_goals", _("What would you like to get from this visit?")),
        _yn("expects_scan", _("Do you expect to have a scan, such as an X-ray or MRI?"), required=False),
        _text("worries", _("Is anything worrying you about your back?")),
        # Asked first, on its own page, before any other answer is stored (PAGES).
        Question("consent", "consent",
                 _("I agree that my answers will be shared with the care team at this clinic.")),
    ),
)

# fmt: on
STEPS: tuple[Step, ...] = (_SAFETY, _ABOUT, _BACK_PAIN, _LEGS, _GENERAL_HEALTH, _RUNNING, _VISIT)
STEP_SLUGS: tuple[str, ...] = tuple(step.slug for step in STEPS)
QUESTIONS: Mapping[str, Question] = {question.code: question for step in STEPS for question in step.questions}


def step_by_slug(slug: str) -> Step:
    for step in STEPS:
        if step.slug == slug:
            return step
    raise KeyError(slug)


def question_by_code(code: str) -> Question:
    return QUESTIONS[code]


def questions_that_apply(step: Step | Page, answers: Answers, *, today: datetime.date | None = None) -> list[Question]:
    """The questions of ``step`` (or of a page) that are asked given ``answers`` (judged on ``today`` when given)."""
    if today is not None:
        with on_day(today):
            return questions_that_apply(step, answers)
    return [question for question in step.questions if question.applies_to(answers)]


def _readable(code: str, value: object) -> bool:
    """A posted value that says something: not blank, and one of the question's answers when it has a list."""
    if value in (None, ""):
        return False
    choices = QUESTIONS[code].choice_codes if code in QUESTIONS else ()
    return not choices or value in choices


def ruled_out_by_page(
    code: str, posted: Mapping[str, object], answers: Answers, *, today: datetime.date | None = None
) -> bool:
    """Whether the page posted says itself that follow-up ``code`` is not asked: its parent on the same page answered
    so that it does not apply (leg weakness "no" beside a ticked "getting worse", hidden on the page but still sent).

    ``posted`` maps the page's codes to what was posted; ``answers`` are the stored ones. Only the page's own definite
    answers can rule a question out: a blank or unreadable parent counts as "yes", and a rule decided by another
    page's stored answer (a tab left open since "leg symptoms" became "no") rules nothing out here, so such a
    red-flag answer is still taken (docs/clinical/TRIAGE.md, "Latched red flags and partial pages").
    """
    question = QUESTIONS[code]
    if question.applies is None:
        return False
    others = [other for other in posted if other != code]
    given = {other: posted[other] for other in others if _readable(other, posted[other])}
    blanks_as_yes = {**answers, **dict.fromkeys(others, "yes"), **given}
    page_all_yes = {**answers, **dict.fromkeys(others, "yes")}
    return not question.applies_to(blanks_as_yes, today=today) and question.applies_to(page_all_yes, today=today)


# --- the pages the patient sees ---------------------------------------------------------------------------------------


def _page(slug: str, step: str, title: str, intro: str, *codes: str, stores: tuple[tuple[str, str], ...] = ()) -> Page:
    return Page(slug, step, title, intro, tuple(QUESTIONS[code] for code in codes), stores)


_ACTIVITIES_INTRO = _(
    "Think of something you do in daily life, at work or for fun that your back makes hard. We "
    "will ask about the same activities later, to see how you are doing."
)
_MORE_ACTIVITIES_INTRO = _("You can name up to two more activities. Skip this page if there are none.")
_AGAIN = _("Answer “Yes” if it is new or getting worse, even if it came on slowly. If you are not sure, choose "
           "“Not sure”.")  # fmt: skip
# fmt: off
PAGES: tuple[Page, ...] = (
    _page(CONSENT_PAGE, "visit", _("Before you start"),
          _("Your answers help the care team at this clinic get ready for your visit. Only the people caring for "
            "you read them. Nothing you answer is saved until you agree."),
          "consent"),
    _page("safety", "safety", _("Safety check"), _SAFETY_INTRO,
          "ce_saddle_numbness", "ce_wiping_sensation"),
    _page("safety_bladder", "safety", _("Your bladder and bowels"), _AGAIN,
          "ce_urine_start_difficulty", "ce_urine_leak_or_no_sensation", "ce_bowel_control"),
    _page("safety_legs", "safety", _("Your legs and sex life"), _AGAIN,
          "ce_both_legs_weaker", "ce_sexual_change"),
    _page("safety_onset", "safety", _("When the change started"),
          _("You told us about a change that can need care right away. This helps the care team judge how urgent it "
            "is."),
          "ce_onset"),
    _page("about", "about", _("About you"), _("A few details help us read your answers the right way."),
          "sex", "height_cm", "weight_kg", "phone"),
    _page("back_pain", "back_pain", _("Your back pain"),
          _("Tell us about the pain in your back. There are no wrong answers."),
          "pain_start_date", "onset_cause", "onset_cause_other", "first_episode"),
    _page("back_pain_scores", "back_pain", _("How much it hurts"), "",
          "pain_now", "pain_week_avg"),
    _page("back_pain_life", "back_pain", _("How pain affects your life"), _("Think about the past week."),
          "pain_enjoyment_interference", "pain_interference"),
    _page("back_pain_activities", "back_pain", _("Activities your back makes hard"), _ACTIVITIES_INTRO,
          "psfs_1_activity", "psfs_1"),
    _page("back_pain_activities_more", "back_pain", _("Other activities"), _MORE_ACTIVITIES_INTRO,
          "psfs_2_activity", "psfs_2", "psfs_3_activity", "psfs_3"),
    _page("back_pain_where", "back_pain", _("Where it hurts and what makes it worse"), "",
          "pain_locations", "night_rest_pain", "worse_with"),
    _page("back_pain_morning", "back_pain", _("More about your back pain"),
          _("Your back pain started some time ago. A few more questions help us spot pain caused by inflammation. "
            "You can skip any of them."),
          "wakes_second_half_night", "better_with_movement", "nsaid_relief"),
    _page("back_pain_family", "back_pain", _("Your family and your joints"),
          _("You can skip any of these questions."),
          "family_spa", "joint_swelling", "heel_pain", "psoriasis"),
    _page("legs", "legs", _("Leg symptoms"),
          _("Back problems can cause feelings in the legs. These questions help us tell what is going on."),
          "leg_symptoms", "leg_side", "leg_pain_lowest_point", "worse_back_or_leg", "leg_numbness_tingling"),
    _page("legs_weakness", "legs", _("Leg weakness and walking"), "",
          "leg_weakness", "leg_weakness_worsening", "foot_drop", "walking_distance_m", "sitting_eases"),
    _page("general_health", "general_health", _("Your general health"),
          _("These questions help us spot rare causes of back pain. Most people answer “No” to all of them."),
          "cancer_history", "weight_loss", "fever_unwell", "iv_drug_use"),
    _page("general_health_infection", "general_health", _("Infections, injuries and bones"),
          _("Most people answer “No” to all of these."),
          "immunosuppressed", "recent_infection_or_procedure", "trauma_onset", "osteoporosis"),
    _page("general_health_nerves", "general_health", _("Medicines, hands and balance"),
          _("Most people answer “No” to all of these."),
          "long_term_steroids", "hands_clumsy", "balance_worse", "getting_worse_or_4_weeks", "medications"),
    _page("running", "running", _("Your running"),
          _("Running and your back: if you don't run, choose “I don't run” and go on."),
          "running_status", "years_running", "runs_per_week", "weekly_distance", "longest_run", "training_changes",
          "weekly_distance_before", stores=(("distance_unit", "km"),)),
    _page("running_gear", "running", _("Where and how you run"), "",
          "surfaces", "running_shoes", "shoe_age_months", "minimalist_change", "warm_up",
          "strength_sessions_per_week"),
    _page("running_goals", "running", _("Other exercise, races and injuries"), "",
          "cross_training", "rest_days_per_week", "race_goal", "race_date", "pain_timing", "running_time_lost",
          "past_injuries"),
    _page("visit", "visit", _("Your visit"),
          _("Last step. This helps us plan your visit around what matters to you."),
          "visit_goals", "expects_scan", "worries"),
)
# fmt: on
PAGE_SLUGS: tuple[str, ...] = tuple(page.slug for page in PAGES)
# Asked on no page: the birth date comes from the confirmed invitation, the distance unit from the clinic.
NOT_ON_A_PAGE: frozenset[str] = frozenset({"date_of_birth", "distance_unit"})
_PAGE_OF: Mapping[str, Page] = {question.code: page for page in PAGES for question in page.questions}


def page_by_slug(slug: str) -> Page:
    for page in PAGES:
        if page.slug == slug:
            return page
    raise KeyError(slug)


def page_of(code: str) -> Page | None:
    """The page that asks ``code`` (None for the codes on no page)."""
    return _PAGE_OF.get(code)


def page_applies(page: Page, answers: Answers, *, today: datetime.date | None = None) -> bool:
    """A page is shown when at least one of its questions is asked (the consent page always)."""
    return bool(questions_that_apply(page, answers, today=today))


def step_number(page: Page) -> int:
    """1-based position of the page's step among the seven ("Step 2 of 7")."""
    return STEP_SLUGS.index(page.step) + 1
