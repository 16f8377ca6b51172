"""Which starter articles to suggest to a patient after the intake (docs/clinical/ARTICLES.md, "Recommend when").

Why a table: editors and clinicians need to check the suggestions against the document, and a new article should be
one new row, not a new branch. Each row names the article, its tier and its triggers; each trigger quotes the
"Recommend when" clause it implements and carries a weight. Pure standard-library code, so the tests need no
database and the service can store the result (``Intake.recommended_articles``) when the intake is submitted.

Public API
----------
- ``recommend(answers, result, *, limit=5, staff_contacted=True, today=None, follow_up=False) -> list[str]``: article
  slugs, most relevant first, no duplicates, at most ``limit``. With ``follow_up``, ``answers`` are a follow-up's
  (with the background facts, ``intake.rules.follow_up.with_background``) and the follow-up clauses apply.
  ``today`` is the day of submission, for the clauses that need an age or how long the pain has lasted (articles
  14, 16 and 18); without it, ``questionnaire.current_day()``, the day the conditional questions are judged on (as
  ``intake.rules.conditions`` does).
- ``ARTICLE_RULES`` (the table), ``ArticleRule``, ``Trigger``, ``Context``; ``ARTICLE_SLUGS`` (the document's order:
  articles 1-18, the ones the portal ships); ``AFTER_STAFF_CONTACT`` (slugs held back until staff have spoken to the
  patient); ``CES_ARTICLE``, ``CANCER_ARTICLE``; the tier constants.

Ordering (documented decisions, rules version 2027.1)
-----------------------------------------------------
Articles sort by tier, then by score (the sum of the weights of the triggers that matched: 2 for a triage flag or
for article 1's combined condition, 1 for anything else), then, at the same score, an article one of the patient's
informational flags calls for (R1, R3-R6, IBP: docs/clinical/TRIAGE.md, they "steer the reading list") before one
matched by answers alone, then by their number in docs/clinical/ARTICLES.md. (Before stop 34 the number came
first: a runner with the stenosis pattern, R1, lost article 14 to articles 7 and 11, matched by the same two
running answers.)

1. ``LEAD``: the one article that matches the patient's main concern, first on the list:
   - the cauda-equina article (3) when any CE1-CE7 flag is raised (``TriageResult.emergency == "ces"``);
   - otherwise "If you have had cancer and now have back pain" (15) for SP1, MET or MSCC (article 15: "first on the
     list for them"). A patient with both a CE flag and a cancer history (MSCC too) sees the CES emergency page,
     so article 3 leads and 15 follows in second place (docs/clinical/ARTICLES.md, open question 1);
   - the sciatica article at level ``sciatica`` (docs/clinical/TRIAGE.md: "with the sciatica article first").
     Everyone at that level has leg symptoms, so the cauda-equina article still follows in second place.
2. ``SAFETY``: the cauda-equina article, for anyone with leg symptoms, level ``serious`` or ``urgent``, or flag CE8;
   the cancer article when it does not lead. So every urgent or serious patient gets a safety article first.
3. ``PROMPT``: "Other signs that need a prompt review" (10), for any SP flag (SP1-SP13, weak ones included), MET or
   CM1 (2027.1 corrections: "recommend it for any SP, MET or CM1 flag"). Still held back until staff have contacted
   the patient: the correction changes the trigger and the content, not the original "shown after staff
   have contacted the patient" (which it does not repeat or contradict), and the article is written as the follow-up
   to that call ("that is why we got in touch"). What the patient needs *before* the call (the CES and MSCC warning
   signs) is in articles 3 and 15, which are never held back. ``recommend`` ranks 10 straight after the safety
   articles, and ``staff_contacted=False`` leaves it out (the slot goes to the next article). The portal stores the
   list at submission without it, unless a review already records that staff reached the patient; a review whose
   outcome says they did (``intake.models.PATIENT_REACHED_OUTCOMES``) stores the list again with
   ``staff_contacted=True`` (``intake.services.assessment.share_reading_held_back_until_contact``). So the stored
   list is always the one to show, and no caller needs to filter ``AFTER_STAFF_CONTACT`` slugs.
4. ``NERVE``: the sciatica article for a lone SC flag (SC2 or SC3) on a lower level, or SC flags at urgent/serious.
5. ``GENERAL``: everything else, by score.
6. ``BACKGROUND``: "How long back pain lasts" (12), whose "every routine or sciatica intake" makes it a suggestion for
   almost everyone. It fills a place left over after every article that matched something specific to the patient
   (docs/clinical/ARTICLES.md, open question 5), so a routine patient with no other match still gets one article.

Articles 11-18 (2027.1). Each trigger quotes its "Recommend when" clause. Decisions where the document is silent:
- Follow-ups (issue 12), recomputed from each follow-up's answers: article 11 when ``follow_up_running`` is not
  "back to usual running" (not running, run-walk, running less; docs/clinical/ARTICLES.md, article 11: the plan is
  for the way back, so a patient back to usual running is not sent it, and one who skipped the question is not
  either); article 12 when ``global_change`` is "about the same" or worse (its "every routine or sciatica intake"
  clause is the intake's only); new leg symptoms (the follow-up's ``leg_symptoms`` yes) add the sciatica article (2)
  and, as for any leg symptoms, the cauda-equina article (3). The intake's running clauses of 7 and 11 read
  ``running_status``, which a follow-up does not ask, so they do not match there.
- "``medications`` given" (13) is non-blank text that is not a plain "none" ("None", "no", "n/a", "nil", "nothing").
- "Age over 50" (14) and "age under 20" (16) are whole years on ``today``, as the triage's SP8 and R6 count them;
  "pain for more than 6 weeks" (18) is a ``pain_start_date`` more than 42 days before ``today``. Without a date of
  birth or a start date the clause does not match.
- "No red flags" (18) means no flag of the urgent or serious groups (docs/clinical/TRIAGE.md), so a level of
  ``routine`` or ``sciatica``. A weak flag on its own does not count: SP11 ("no better after 4 weeks") is what pain
  for more than 6 weeks usually brings, and would make the clause all but unreachable; two weak flags raise W2,
  which does count.
- "Back to running" (11) is never suggested at ``urgent``, like article 5: a plan to start running again is no
  concern for someone sent to emergency care, and would read as permission to run.

Held back by level (``ArticleRule.not_at_levels``): "Do I need a scan?" (9) is never suggested at ``urgent`` or
``serious``: its message, no scan without red flags, is reassurance that does not hold for a patient with red flags.
"Form, surfaces and shoes" (5) is never suggested at ``urgent``: running form is no concern for someone sent to
emergency care.

Answers from the running step count only for runners (``running_status`` not ``not_a_runner``), because the
running questions are not asked otherwise. "Leg symptoms" and "no leg symptoms" need an explicit answer; "worries
given" and "a race goal" mean non-blank text.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from intake.rules.follow_up import NO_BETTER, NOT_BACK_TO_RUNNING
from intake.rules.questionnaire import (
    NONE_CODE,
    age_in_years,
    as_codes,
    current_day,
    date_or_iso,
    has_leg_symptoms,
    is_runner,
    is_yes,
    number_value,
)
from intake.rules.triage import LevelCode, TriageResult

LEAD, SAFETY, PROMPT, NERVE, GENERAL, BACKGROUND = range(6)
CES_ARTICLE = "cauda-equina-warning-signs"
CANCER_ARTICLE = "cancer-history-and-back-pain"
CANCER_FLAGS = frozenset({"SP1", "MET", "MSCC"})
RED_FLAG_GROUPS = frozenset({"urgent", "serious"})  # article 18: "no red flags" (weak flags alone do not count)
NOTHING_TAKEN = frozenset({"none", "no", "n/a", "na", "nil", "nothing", "-"})
LONG_PAIN_DAYS = 42  # article 18: "pain for more than 6 weeks"

ARTICLE_SLUGS: tuple[str, ...] = (
    "back-pain-after-a-run",
    "sciatica-explained-for-runners",
    "cauda-equina-warning-signs",
    "building-mileage-safely",
    "form-surfaces-and-shoes",
    "strength-and-core-training",
    "cross-training-while-your-back-settles",
    "is-running-bad-for-your-spine",
    "do-i-need-a-scan",
    "signs-that-need-a-prompt-review",
    "back-to-running-step-by-step",
    "how-long-back-pain-lasts",
    "medicines-for-back-pain-and-sciatica",
    "spinal-stenosis-leg-pain-when-walking",
    "cancer-history-and-back-pain",
    "back-pain-in-young-runners",
    "inflammatory-back-pain",
    "hurt-is-not-harm",
)


@dataclass(frozen=True)
class Context:
    """What the triggers look at: the answers, the triage result and the day of submission."""

    answers: Mapping[str, object]
    result: TriageResult
    today: datetime.date | None = None
    follow_up: bool = False  # the answers are a follow-up's (intake.rules.follow_up)

    @property
    def runner(self) -> bool:
        return is_runner(self.answers)

    def run(self, code: str) -> object:
        return self.answers.get(code) if self.runner else None

    def flag(self, code: str) -> bool:
        return self.result.has(code)

    def text_given(self, code: str, *, running: bool = False) -> bool:
        value = self.run(code) if running else self.answers.get(code)
        return isinstance(value, str) and bool(value.strip())

    def number(self, code: str) -> Decimal | None:
        return number_value(self.answers.get(code))

    def age(self) -> int | None:
        """Whole years on ``today``, or None without a date of birth or a day."""
        born = date_or_iso(self.answers.get("date_of_birth"))
        return None if born is None or self.today is None else age_in_years(born, self.today)

    def pain_days(self) -> int | None:
        """Days from ``pain_start_date`` to ``today``, or None without both."""
        started = date_or_iso(self.answers.get("pain_start_date"))
        return None if started is None or self.today is None else (self.today - started).days

    @property
    def red_flags(self) -> bool:
        return any(flag.group in RED_FLAG_GROUPS for flag in self.result.flags)


@dataclass(frozen=True)
class Trigger:
    when: str  # the "Recommend when" clause of docs/clinical/ARTICLES.md it implements
    weight: int
    test: Callable[[Context], bool]
    flag: bool = False  # the clause is an informational triage flag (R1, R3-R6, IBP): it breaks ties


@dataclass(frozen=True)
class ArticleRule:
    number: int
    slug: str
    tier: int
    triggers: tuple[Trigger, ...]
    lead_when: Callable[[TriageResult], bool] | None = None  # then the article moves to the LEAD tier
    after_staff_contact: bool = False
    not_at_levels: frozenset[LevelCode] = frozenset()  # never suggested at these levels

    def tier_for(self, result: TriageResult) -> int:
        return LEAD if self.lead_when is not None and self.lead_when(result) else self.tier

    def score(self, context: Context) -> int:
        return sum(trigger.weight for trigger in self.triggers if trigger.test(context))

    def flagged(self, context: Context) -> bool:
        return any(trigger.flag and trigger.test(context) for trigger in self.triggers)


def _cancer_leads(result: TriageResult) -> bool:
    return bool(CANCER_FLAGS & set(result.codes)) and result.emergency != "ces"


def _strain_after_run_or_lift(c: Context) -> bool:
    return (
        c.answers.get("leg_symptoms") == "no"
        and c.answers.get("onset_cause") in ("running", "lifting_bending")
        and c.result.level == "routine"
    )


def _at_least(code: str, threshold: int) -> Callable[[Context], bool]:
    def test(c: Context) -> bool:
        value = c.number(code)
        return value is not None and value >= threshold

    return test


def _medications_given(c: Context) -> bool:
    value = c.answers.get("medications")
    return isinstance(value, str) and value.strip().lower().rstrip(".") not in NOTHING_TAKEN | {""}


def _over_50_worse_walking(c: Context) -> bool:
    age = c.age()
    return age is not None and age > 50 and "walking" in as_codes(c.answers.get("worse_with"))


def _under_20(c: Context) -> bool:
    age = c.age()
    return age is not None and age < 20


def _routine_with_high_pain_or_worries(c: Context) -> bool:
    return c.result.level == "routine" and (_at_least("pain_week_avg", 6)(c) or c.text_given("worries"))


def _long_pain_without_red_flags(c: Context) -> bool:
    days = c.pain_days()
    return days is not None and days > LONG_PAIN_DAYS and not c.red_flags


# fmt: off
ARTICLE_RULES: tuple[ArticleRule, ...] = (
    ArticleRule(1, "back-pain-after-a-run", GENERAL, (
        Trigger("no leg symptoms, onset_cause running or lifting_bending, level routine", 2, _strain_after_run_or_lift),
    )),
    ArticleRule(2, "sciatica-explained-for-runners", NERVE, (
        Trigger("level sciatica", 2, lambda c: c.result.level == "sciatica"),
        Trigger("any SC flag", 1, lambda c: any(code.startswith("SC") for code in c.result.codes)),
        Trigger("a follow-up with new leg symptoms", 1, lambda c: c.follow_up and has_leg_symptoms(c.answers)),
    ), lead_when=lambda r: r.level == "sciatica"),
    ArticleRule(3, CES_ARTICLE, SAFETY, (
        Trigger("anyone with leg symptoms", 1, lambda c: has_leg_symptoms(c.answers)),
        Trigger("level serious or urgent", 1, lambda c: c.result.level in ("urgent", "serious")),
        Trigger("flag CE8", 1, lambda c: c.flag("CE8")),
    ), lead_when=lambda r: r.emergency == "ces"),
    ArticleRule(4, "building-mileage-safely", GENERAL, (
        Trigger("flag R3", 2, lambda c: c.flag("R3"), flag=True),
        Trigger("training_changes not none", 1,
                lambda c: any(code != NONE_CODE for code in as_codes(c.run("training_changes")))),
        Trigger("a race_goal", 1, lambda c: c.text_given("race_goal", running=True)),
    )),
    ArticleRule(5, "form-surfaces-and-shoes", GENERAL, (
        Trigger("flag R4", 2, lambda c: c.flag("R4"), flag=True),
        Trigger("surfaces includes concrete, asphalt or sloped_road", 1,
                lambda c: bool({"concrete", "asphalt", "sloped_road"} & set(as_codes(c.run("surfaces"))))),
    ), not_at_levels=frozenset({"urgent"})),
    ArticleRule(6, "strength-and-core-training", GENERAL, (
        Trigger("flag R5", 2, lambda c: c.flag("R5"), flag=True),
    )),
    ArticleRule(7, "cross-training-while-your-back-settles", GENERAL, (
        Trigger("running_status cut_back or stopped", 1, lambda c: c.run("running_status") in ("cut_back", "stopped")),
        Trigger("running_time_lost yes", 1, lambda c: is_yes(c.run("running_time_lost"))),
    )),
    ArticleRule(8, "is-running-bad-for-your-spine", GENERAL, (
        Trigger("worries given", 1, lambda c: c.text_given("worries")),
        Trigger("pain_timing includes during or after", 1,
                lambda c: bool({"during", "after"} & set(as_codes(c.run("pain_timing"))))),
    )),
    ArticleRule(9, "do-i-need-a-scan", GENERAL, (
        Trigger("expects_scan yes", 1, lambda c: is_yes(c.answers.get("expects_scan"))),
    ), not_at_levels=frozenset({"urgent", "serious"})),
    ArticleRule(10, "signs-that-need-a-prompt-review", PROMPT, (
        Trigger("any SP flag", 1, lambda c: any(code.startswith("SP") for code in c.result.codes)),
        Trigger("MET or CM1", 1, lambda c: c.flag("MET") or c.flag("CM1")),
    ), after_staff_contact=True),
    ArticleRule(11, "back-to-running-step-by-step", GENERAL, (
        Trigger("running_status cut_back or stopped", 1,
                lambda c: not c.follow_up and c.run("running_status") in ("cut_back", "stopped")),
        Trigger("running_time_lost yes", 1, lambda c: not c.follow_up and is_yes(c.run("running_time_lost"))),
        Trigger("a follow-up whose running status is not \"back to usual running\"", 1,
                lambda c: c.follow_up and c.answers.get("follow_up_running") in NOT_BACK_TO_RUNNING),
    ), not_at_levels=frozenset({"urgent"})),
    ArticleRule(12, "how-long-back-pain-lasts", BACKGROUND, (
        Trigger("every routine or sciatica intake", 1,
                lambda c: not c.follow_up and c.result.level in ("routine", "sciatica")),
        Trigger("a follow-up with global rating \"no change\" or worse", 1,
                lambda c: c.follow_up and c.answers.get("global_change") in NO_BETTER),
    )),
    ArticleRule(13, "medicines-for-back-pain-and-sciatica", GENERAL, (
        Trigger("pain_week_avg >= 5", 1, _at_least("pain_week_avg", 5)),
        Trigger("medications given", 1, _medications_given),
        Trigger("level sciatica", 1, lambda c: c.result.level == "sciatica"),
    )),
    ArticleRule(14, "spinal-stenosis-leg-pain-when-walking", GENERAL, (
        Trigger("flag R1", 2, lambda c: c.flag("R1"), flag=True),
        Trigger("age over 50 with walking in worse_with", 1, _over_50_worse_walking),
    )),
    ArticleRule(15, CANCER_ARTICLE, SAFETY, (
        Trigger("SP1, MET or MSCC", 2, lambda c: bool(CANCER_FLAGS & set(c.result.codes))),
    ), lead_when=_cancer_leads),
    ArticleRule(16, "back-pain-in-young-runners", GENERAL, (
        Trigger("flag R6", 2, lambda c: c.flag("R6"), flag=True),
        Trigger("age under 20", 1, _under_20),
    )),
    ArticleRule(17, "inflammatory-back-pain", GENERAL, (
        Trigger("flag IBP", 2, lambda c: c.flag("IBP"), flag=True),
    )),
    ArticleRule(18, "hurt-is-not-harm", GENERAL, (
        Trigger("level routine with pain_week_avg >= 6 or worries given", 1, _routine_with_high_pain_or_worries),
        Trigger("pain for more than 6 weeks with no red flags", 1, _long_pain_without_red_flags),
    )),
)
# fmt: on


AFTER_STAFF_CONTACT = frozenset(rule.slug for rule in ARTICLE_RULES if rule.after_staff_contact)


def recommend(
    answers: Mapping[str, object],
    result: TriageResult,
    *,
    limit: int = 5,
    staff_contacted: bool = True,
    today: datetime.date | None = None,
    follow_up: bool = False,
) -> list[str]:
    """Article slugs for this patient, most relevant first, at most ``limit`` (see the module docstring)."""
    context = Context(answers, result, today or current_day(), follow_up)
    ranked: list[tuple[int, int, bool, int, str]] = []
    for rule in ARTICLE_RULES:
        if (rule.after_staff_contact and not staff_contacted) or result.level in rule.not_at_levels:
            continue
        score = rule.score(context)
        if score > 0:
            ranked.append((rule.tier_for(result), -score, not rule.flagged(context), rule.number, rule.slug))
    return [slug for *_, slug in sorted(ranked)][: max(limit, 0)]
