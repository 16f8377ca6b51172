"""The pre-visit intake as data: seven steps of questions, in the order of INTAKE.md.

Why a declarative catalogue: the Django forms, the staff screens, the exports, the triage engine and the tests all
need the same field codes, choice codes, wording, bounds and "when is this asked" rules. Keeping them here, in plain
Python with no Django import, gives one place to review the patient-facing wording and one source of truth that the
triage rules (``intake.rules.triage``) reuse, so a question that is not shown is never treated as "unanswered".

Public API
----------
- ``Choice(code, label)``; ``Question(code, kind, label, hint="", required=True, choices=(), min_value=None,
  max_value=None, max_length=None, applies=None, future_ok=False)`` with ``kind`` in ``KINDS``;
  ``Question.applies_to(answers)`` says whether the question is asked given the answers so far;
  ``Question.choice_label(code)``. yes/no questions carry their choices (``YNS_CHOICES``, ``YN_CHOICES``).
- ``Step(slug, title, intro, questions)``; ``STEPS`` (INTAKE.md order); ``STEP_SLUGS``; ``step_by_slug(slug)``
  (KeyError if unknown); ``QUESTIONS`` (code -> Question); ``question_by_code(code)``.
- ``questions_that_apply(step, answers) -> list[Question]``.
- ``CE_EMERGENCY_CODES`` (CE1-CE6), ``CE_QUESTION_CODES`` (CE1-CE7), ``YES_VALUES``, ``is_yes(value)``, the
  visibility predicates (``has_leg_symptoms``, ``is_runner``, ...), ``max_weekly_distance(unit)``,
  ``age_in_years(born, on)``, ``number_value(value)``, ``as_date(value)``, ``as_codes(value)``.
- Validation (``validate_answers``, the ``MSG_*`` constants) and staff display (``human_value``) are in
  ``intake.rules.questionnaire_checks``, which builds on this module.

Decisions worth knowing:
- ``answers`` is always the whole intake so far (all earlier steps), because some rules look back.
- "not_sure" opens a follow-up exactly like "yes" (TRIAGE.md: "yes" means yes or not sure), so ``ce_onset`` is asked
  after any of the seven CE questions (INTAKE.md: "any of the above" includes the sexual-function question).
- The running step's follow-ups are asked unless ``running_status`` is ``not_a_runner`` (so they show on an empty
  form); the leg follow-ups only once ``leg_symptoms`` is yes; ``weekly_distance_before`` only once a change other
  than ``none`` is picked.
- Optional per INTAKE.md (no "R"): ``sex``, height, weight, ``walking_distance_m``, ``worse_with``, ``medications``,
  ``onset_cause_other``, ``weekly_distance_before`` and the unmarked running questions, and all of "Your visit"
  except ``consent``.
- ``race_date`` is the one date allowed in the future (a goal race usually is); ``future_ok`` marks it.
- Bounds not set by INTAKE.md, chosen as "clearly a typo beyond this": years running 80, shoe age 120 months,
  strength sessions 14 a week (twice a day), rest days 7, walking distance 50,000 m; short free text (the other onset
  cause, race goal) 200 characters, long free text 2,000.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["yns", "yn", "choice", "multi", "integer", "decimal", "scale", "date", "text", "consent"]
KINDS: tuple[Kind, ...] = ("yns", "yn", "choice", "multi", "integer", "decimal", "scale", "date", "text", "consent")

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

    def applies_to(self, answers: Answers) -> bool:
        return self.applies is None or self.applies(answers)

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
    slug: str
    title: str
    intro: str
    questions: tuple[Question, ...]


# --- vocabulary shared with the triage engine -------------------------------------------------------------------

YES_VALUES = frozenset({"yes", "not_sure"})
CE_EMERGENCY_CODES: tuple[str, ...] = (
    "ce_saddle_numbness",
    "ce_wiping_sensation",
    "ce_urine_start_difficulty",
    "ce_urine_leak_or_no_sensation",
    "ce_bowel_control",
    "ce_both_legs_weaker",
)
CE_QUESTION_CODES: tuple[str, ...] = (*CE_EMERGENCY_CODES, "ce_sexual_change")
NONE_CODE = "none"
NOT_A_RUNNER = "not_a_runner"
_WEEKLY_DISTANCE_CAP = {"km": Decimal(400), "mi": Decimal(250)}


def is_yes(value: object) -> bool:
    """TRIAGE.md: "yes" means ``yes`` or ``not_sure``."""
    return isinstance(value, str) and value in YES_VALUES


def max_weekly_distance(unit: object) -> Decimal:
    """The cap for a distance in ``unit`` (``km`` 400, ``mi`` 250); the looser km cap when the unit is unknown."""
    return _WEEKLY_DISTANCE_CAP.get(unit, _WEEKLY_DISTANCE_CAP["km"]) if isinstance(unit, str) else Decimal(400)


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


# --- when conditional questions are asked --------------------------------------------------------------------------


def any_ce_concern(answers: Answers) -> bool:
    return any(is_yes(answers.get(code)) for code in CE_QUESTION_CODES)


def has_leg_symptoms(answers: Answers) -> bool:
    return is_yes(answers.get("leg_symptoms"))


def has_leg_weakness(answers: Answers) -> bool:
    return has_leg_symptoms(answers) and is_yes(answers.get("leg_weakness"))


def onset_is_other(answers: Answers) -> bool:
    return answers.get("onset_cause") == "other"


def is_runner(answers: Answers) -> bool:
    return answers.get("running_status") != NOT_A_RUNNER


def changed_training(answers: Answers) -> bool:
    return is_runner(answers) and any(code != NONE_CODE for code in as_codes(answers.get("training_changes")))


# --- the catalogue ---------------------------------------------------------------------------------------------------


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, label) for code, label in pairs)


YNS_CHOICES = _choices(("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure"))
YN_CHOICES = _choices(("yes", "Yes"), ("no", "No"))
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


# fmt: off
_SAFETY = Step(
    "safety",
    "Safety check",
    "We ask these questions first because a few rare back problems need care right away. They are about new or "
    "recent changes. If you are not sure, choose “Not sure”.",
    (
        _yns("ce_saddle_numbness", "Do you have new or recent numbness or tingling in your saddle area?",
             "The saddle area is the skin between your legs, around your bottom and your genitals: the parts that "
             "would touch a bike seat. Any change in feeling there counts."),
        _yns("ce_wiping_sensation", "Does wiping after using the toilet feel new or recently different from normal?",
             "For example, the skin feels numb, or you can hardly feel the paper."),
        _yns("ce_urine_start_difficulty", "Have you had new or recent trouble starting to pee, or feeling it flow?",
             "Pee is urine."),
        _yns("ce_urine_leak_or_no_sensation",
             "Have you had new or recent leaking of pee, or trouble telling when your bladder is full?",
             "The bladder is the part of your body that holds pee."),
        _yns("ce_bowel_control",
             "Have you had new or recent trouble holding in a poop, leaking, or not feeling it pass?",
             "Doctors call this bowel control."),
        _yns("ce_both_legs_weaker", "Do you have new or recent weakness in both legs, or is walking getting harder?"),
        _yns("ce_sexual_change", "Have you noticed a new or recent change in sexual function or genital feeling?",
             "For example, trouble getting or keeping an erection, a change in ejaculation, or less feeling in your "
             "genitals."),
        Question("ce_onset", "choice", "When did the change you marked start?",
                 "If you marked more than one, think of the most recent.",
                 choices=_choices(("within_14_days", "In the last 14 days"),
                                  ("older_stable", "More than 14 days ago, and it has stayed the same"),
                                  ("getting_worse", "It is getting worse")),
                 applies=any_ce_concern),
    ),
)

_ABOUT = Step(
    "about",
    "About you",
    "A few details help us read your answers the right way.",
    (
        Question("date_of_birth", "date", "What is your date of birth?"),
        Question("sex", "choice", "What is your sex?", required=False,
                 choices=_choices(("female", "Female"), ("male", "Male"), ("other", "Other"),
                                  ("prefer_not", "I'd rather not say"))),
        Question("height_cm", "decimal", "How tall are you, in centimeters?",
                 "For example, 5 feet 7 inches is about 170 cm. You can skip this.",
                 required=False, min_value=50, max_value=250),
        Question("weight_kg", "decimal", "How much do you weigh, in kilograms?",
                 "For example, 150 pounds is about 68 kg. You can skip this.",
                 required=False, min_value=20, max_value=350),
    ),
)

_BACK_PAIN = Step(
    "back_pain",
    "Your back pain",
    "Tell us about the pain in your back. There are no wrong answers.",
    (
        Question("pain_start_date", "date", "When did this back pain start?", "A rough date is fine."),
        Question("onset_cause", "choice", "What do you think started the pain?",
                 choices=_choices(("running", "Running"), ("lifting_bending", "Lifting or bending"),
                                  ("fall_impact", "A fall, crash or blow"),
                                  ("no_clear_cause", "Nothing I can think of"), ("other", "Something else"))),
        _text("onset_cause_other", "What else do you think started it?", max_length=SHORT_TEXT,
              applies=onset_is_other),
        _yn("first_episode", "Is this the first time you have had back pain like this?"),
        _scale("pain_now", "How bad is your pain right now?",
               "0 means no pain. 10 means the worst pain you can imagine."),
        _scale("pain_week_avg", "On average, how bad has your pain been over the past week?",
               "0 means no pain. 10 means the worst pain you can imagine."),
        _scale("pain_interference", "This week, how much has pain gotten in the way of your daily life?",
               "0 means not at all. 10 means you could not do anything."),
        Question("pain_locations", "multi", "Where do you feel the pain? Choose all that apply.",
                 choices=_choices(("low_back", "Lower back"), ("buttock", "Buttock"),
                                  ("mid_upper_back", "Middle or upper back"),
                                  ("chest_band", "A band around the chest or ribs"), ("neck", "Neck"))),
        _yn("night_rest_pain", "Is the pain there all the time when you rest or at night?",
            "Answer yes only if changing position does not ease it."),
        Question("worse_with", "multi", "What makes the pain worse? Choose all that apply.", required=False,
                 choices=_choices(("bending_forward", "Bending forward"), ("sitting", "Sitting"),
                                  ("standing_up", "Standing up"), ("walking", "Walking"), ("running", "Running"),
                                  ("coughing", "Coughing or sneezing"))),
    ),
)

_LEGS = Step(
    "legs",
    "Leg symptoms",
    "Back problems can cause feelings in the legs. These questions help us tell what is going on.",
    (
        _yn("leg_symptoms", "Do you have pain, numbness or tingling in a leg?",
            "Count the buttock, thigh, lower leg and foot."),
        Question("leg_side", "choice", "Which leg is it?",
                 choices=_choices(("left", "Left"), ("right", "Right"), ("both", "Both legs")),
                 applies=has_leg_symptoms),
        Question("leg_pain_lowest_point", "choice", "How far down your leg does it go?",
                 choices=_choices(("buttock", "Buttock only"), ("thigh", "Thigh, above the knee"),
                                  ("below_knee", "Below the knee"), ("foot", "Into the foot")),
                 applies=has_leg_symptoms),
        Question("worse_back_or_leg", "choice", "Which hurts more: your back or your leg?",
                 choices=_choices(("back", "My back"), ("leg", "My leg"), ("same", "About the same")),
                 applies=has_leg_symptoms),
        _yn("leg_numbness_tingling", "Do you have numbness or pins and needles in your leg or foot?",
            applies=has_leg_symptoms),
        _yn("leg_weakness", "Does your leg or foot feel weak?",
            "For example, your foot slaps down when you walk, or you trip more than usual.", applies=has_leg_symptoms),
        _yn("leg_weakness_worsening", "Is the weakness getting worse?", applies=has_leg_weakness),
        Question("walking_distance_m", "integer",
                 "About how far can you walk before leg pain makes you stop, in meters?",
                 "100 meters is about one city block. Skip this if walking does not bring on leg pain.",
                 required=False, min_value=0, max_value=50_000, applies=has_leg_symptoms),
        _yn("sitting_eases", "Does sitting down ease the leg pain?", applies=has_leg_symptoms),
    ),
)

_GENERAL_HEALTH = Step(
    "general_health",
    "Your general health",
    "These questions help us spot rare causes of back pain. Most people answer “No” to all of them.",
    (
        _yns("cancer_history", "Have you ever had cancer?", "Count cancer that was treated and is now gone."),
        _yns("weight_loss", "Have you lost weight recently without trying?"),
        _yns("fever_unwell", "Since the pain began, have you had a fever, chills or sweats?"),
        _yns("iv_drug_use", "Have you ever injected drugs that a doctor did not prescribe?",
             "We ask everyone this. It is private and only used to keep you safe."),
        _yns("immunosuppressed", "Is your immune system weakened by an illness or a medicine?",
             "The immune system fights infection. For example, HIV, cancer treatment, steroid pills, or medicine "
             "after a transplant."),
        _yns("recent_infection_or_procedure",
             "In the last few months, have you had a serious infection, a spine injection or spine surgery?"),
        _yns("trauma_onset", "Did the pain start after a fall, a crash or another injury?"),
        _yns("osteoporosis", "Have you been told you have osteoporosis?", "Osteoporosis means thin, weak bones."),
        _yns("getting_worse_or_4_weeks",
             "Is your pain getting steadily worse, or has it lasted 4 weeks without getting better?"),
        _text("medications", "What medicines do you take?",
              "Include pain pills, vitamins and supplements. You can skip this."),
    ),
)

_RUNNING = Step(
    "running",
    "Your running",
    "These questions help us see how running and your back fit together. If you don't run, choose “I don't run” "
    "and go on to the next step.",
    (
        Question("running_status", "choice", "Which best describes your running right now?",
                 choices=_choices(("running", "I'm running as usual"), ("cut_back", "I'm running less than usual"),
                                  ("stopped", "I've stopped running for now"), (NOT_A_RUNNER, "I don't run"))),
        Question("years_running", "integer", "How many years have you been running?",
                 "Round to the nearest year. Enter 0 if less than a year.",
                 required=False, min_value=0, max_value=80, applies=is_runner),
        Question("runs_per_week", "integer", "How many runs do you do in a typical week?",
                 "If you have stopped, think of the weeks before you stopped.",
                 min_value=0, max_value=21, applies=is_runner),
        Question("distance_unit", "choice", "Do you measure distance in kilometers or miles?",
                 choices=_choices(("km", "Kilometers (km)"), ("mi", "Miles")), applies=is_runner),
        Question("weekly_distance", "decimal", "Over the last 4 weeks, how far did you run in an average week?",
                 "Use the unit you picked above.", min_value=0, max_value=400, applies=is_runner),
        Question("longest_run", "decimal", "How far was your longest single run in the last 4 weeks?",
                 required=False, min_value=0, max_value=400, applies=is_runner),
        Question("training_changes", "multi",
                 "In the weeks before the pain started, did you change your training? Choose all that apply.",
                 choices=_choices(("distance", "I ran farther"), ("speed", "I ran faster"), ("hills", "I added hills"),
                                  ("frequency", "I ran more often"), ("new_plan", "I started a new training plan"),
                                  ("after_break", "I came back after a break"), (NONE_CODE, "No changes")),
                 applies=is_runner),
        Question("weekly_distance_before", "decimal", "Before that change, how far did you run in a typical week?",
                 "Use the same unit as above.", required=False, min_value=0, max_value=400, applies=changed_training),
        Question("surfaces", "multi", "Where do you usually run? Choose all that apply.", required=False,
                 choices=_choices(("concrete", "Concrete, like sidewalks"), ("asphalt", "Asphalt roads"),
                                  ("sloped_road", "Roads that slope to one side"), ("track", "A running track"),
                                  ("treadmill", "Treadmill"), ("trail", "Trails"), ("grass_sand", "Grass or sand")),
                 applies=is_runner),
        _yn("running_shoes", "Do you run in shoes made for running?", applies=is_runner),
        Question("shoe_age_months", "integer", "How many months old are your running shoes?",
                 required=False, min_value=0, max_value=120, applies=is_runner),
        _yn("minimalist_change", "Have you recently switched to minimalist or barefoot running?",
            "Minimalist shoes are thin, flat shoes with little padding.", required=False, applies=is_runner),
        Question("warm_up", "choice", "How do you usually warm up before a run?", required=False,
                 choices=_choices((NONE_CODE, "I don't warm up"), ("walk", "I walk first"),
                                  ("dynamic", "Moving stretches or drills, like leg swings")),
                 applies=is_runner),
        Question("strength_sessions_per_week", "integer",
                 "How many times a week do you do strength or core exercises?",
                 "Your core is the muscles of your belly, sides and back.",
                 required=False, min_value=0, max_value=14, applies=is_runner),
        Question("cross_training", "multi", "What other exercise do you do? Choose all that apply.", required=False,
                 choices=_choices(("swim", "Swimming"), ("cycle", "Cycling"), ("elliptical", "Elliptical machine"),
                                  ("yoga", "Yoga"), ("pool_running", "Running in a pool"), (NONE_CODE, "None")),
                 applies=is_runner),
        Question("rest_days_per_week", "integer", "How many rest days do you take in a typical week?",
                 required=False, min_value=0, max_value=7, applies=is_runner),
        _text("race_goal", "Are you training for a race? If so, which one?", max_length=SHORT_TEXT, applies=is_runner),
        Question("race_date", "date", "When is the race?", required=False, future_ok=True, applies=is_runner),
        Question("pain_timing", "multi", "When do you feel the back pain? Choose all that apply.",
                 choices=_choices(("before", "Before a run"), ("during", "During a run"),
                                  ("after", "Right after a run"), ("next_morning", "The next morning"),
                                  ("unrelated", "It is not linked to running")),
                 applies=is_runner),
        _yn("running_time_lost", "Has back pain stopped you from running for a week or more?",
            required=False, applies=is_runner),
        _text("past_injuries", "Have you had other running injuries? Tell us about them.", applies=is_runner),
    ),
)

_VISIT = Step(
    "visit",
    "Your visit",
    "Last step. This helps us plan your visit around what matters to you.",
    (
        _text("visit_goals", "What would you like to get from this visit?"),
        _yn("expects_scan", "Do you expect to have a scan, such as an X-ray or MRI?", required=False),
        _text("worries", "Is anything worrying you about your back?"),
        Question("consent", "consent", "I agree that my answers will be shared with the care team at this clinic."),
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


def questions_that_apply(step: Step, answers: Answers) -> list[Question]:
    return [question for question in step.questions if question.applies_to(answers)]
