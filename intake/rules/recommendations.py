"""Which starter articles to suggest to a patient after the intake (docs/clinical/ARTICLES.md, "Recommend when").

Why a table: editors and clinicians need to check the suggestions against the document, and a new article should be
one new row, not a new branch. Each row names the article, its tier and its triggers; each trigger quotes the
"Recommend when" clause it implements and carries a weight. Pure standard-library code, so the tests need no
database and the service can store the result (``Intake.recommended_articles``) when the intake is submitted.

Public API
----------
- ``recommend(answers, result, *, limit=5, staff_contacted=True) -> list[str]``: article slugs, most relevant
  first, no duplicates, at most ``limit``.
- ``ARTICLE_RULES`` (the table), ``ArticleRule``, ``Trigger``, ``Context``; ``ARTICLE_SLUGS`` (the document's order:
  articles 1-10 and 15, the ones the portal ships); ``AFTER_STAFF_CONTACT`` (slugs held back until staff have spoken
  to the patient); ``CES_ARTICLE``, ``CANCER_ARTICLE``; the tier constants.

Ordering (documented decisions, rules version 2027.1)
-----------------------------------------------------
Articles sort by tier, then by score (the sum of the weights of the triggers that matched: 2 for a triage flag or
for article 1's combined condition, 1 for a single answer), then by their number in docs/clinical/ARTICLES.md.

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
   articles, and ``staff_contacted=False`` leaves it out (the slot goes to the next article). A caller that stores the
   list at submission and shows it before the call should drop ``AFTER_STAFF_CONTACT`` slugs when displaying.
4. ``NERVE``: the sciatica article for a lone SC flag (SC2 or SC3) on a lower level, or SC flags at urgent/serious.
5. ``GENERAL``: everything else, by score.

Held back by level (``ArticleRule.not_at_levels``): "Do I need a scan?" (9) is never suggested at ``urgent`` or
``serious``: its message, no scan without red flags, is reassurance that does not hold for a patient with red flags.
"Form, surfaces and shoes" (5) is never suggested at ``urgent``: running form is no concern for someone sent to
emergency care.

Answers from the running step count only for runners (``running_status`` not ``not_a_runner``), because the
running questions are not asked otherwise. "Leg symptoms" and "no leg symptoms" need an explicit answer; "worries
given" and "a race goal" mean non-blank text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from intake.rules.questionnaire import NONE_CODE, as_codes, has_leg_symptoms, is_runner, is_yes
from intake.rules.triage import LevelCode, TriageResult

LEAD, SAFETY, PROMPT, NERVE, GENERAL = range(5)
CES_ARTICLE = "cauda-equina-warning-signs"
CANCER_ARTICLE = "cancer-history-and-back-pain"
CANCER_FLAGS = frozenset({"SP1", "MET", "MSCC"})

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
    "cancer-history-and-back-pain",
)


@dataclass(frozen=True)
class Context:
    """What the triggers look at: the answers and the triage result."""

    answers: Mapping[str, object]
    result: TriageResult

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


@dataclass(frozen=True)
class Trigger:
    when: str  # the "Recommend when" clause of docs/clinical/ARTICLES.md it implements
    weight: int
    test: Callable[[Context], bool]


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


def _cancer_leads(result: TriageResult) -> bool:
    return bool(CANCER_FLAGS & set(result.codes)) and result.emergency != "ces"


def _strain_after_run_or_lift(c: Context) -> bool:
    return (
        c.answers.get("leg_symptoms") == "no"
        and c.answers.get("onset_cause") in ("running", "lifting_bending")
        and c.result.level == "routine"
    )


# fmt: off
ARTICLE_RULES: tuple[ArticleRule, ...] = (
    ArticleRule(1, "back-pain-after-a-run", GENERAL, (
        Trigger("no leg symptoms, onset_cause running or lifting_bending, level routine", 2, _strain_after_run_or_lift),
    )),
    ArticleRule(2, "sciatica-explained-for-runners", NERVE, (
        Trigger("level sciatica", 2, lambda c: c.result.level == "sciatica"),
        Trigger("any SC flag", 1, lambda c: any(code.startswith("SC") for code in c.result.codes)),
    ), lead_when=lambda r: r.level == "sciatica"),
    ArticleRule(3, CES_ARTICLE, SAFETY, (
        Trigger("anyone with leg symptoms", 1, lambda c: has_leg_symptoms(c.answers)),
        Trigger("level serious or urgent", 1, lambda c: c.result.level in ("urgent", "serious")),
        Trigger("flag CE8", 1, lambda c: c.flag("CE8")),
    ), lead_when=lambda r: r.emergency == "ces"),
    ArticleRule(4, "building-mileage-safely", GENERAL, (
        Trigger("flag R3", 2, lambda c: c.flag("R3")),
        Trigger("training_changes not none", 1,
                lambda c: any(code != NONE_CODE for code in as_codes(c.run("training_changes")))),
        Trigger("a race_goal", 1, lambda c: c.text_given("race_goal", running=True)),
    )),
    ArticleRule(5, "form-surfaces-and-shoes", GENERAL, (
        Trigger("flag R4", 2, lambda c: c.flag("R4")),
        Trigger("surfaces includes concrete, asphalt or sloped_road", 1,
                lambda c: bool({"concrete", "asphalt", "sloped_road"} & set(as_codes(c.run("surfaces"))))),
    ), not_at_levels=frozenset({"urgent"})),
    ArticleRule(6, "strength-and-core-training", GENERAL, (
        Trigger("flag R5", 2, lambda c: c.flag("R5")),
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
    ArticleRule(15, CANCER_ARTICLE, SAFETY, (
        Trigger("SP1, MET or MSCC", 2, lambda c: bool(CANCER_FLAGS & set(c.result.codes))),
    ), lead_when=_cancer_leads),
)
# fmt: on


AFTER_STAFF_CONTACT = frozenset(rule.slug for rule in ARTICLE_RULES if rule.after_staff_contact)


def recommend(
    answers: Mapping[str, object],
    result: TriageResult,
    *,
    limit: int = 5,
    staff_contacted: bool = True,
) -> list[str]:
    """Article slugs for this patient, most relevant first, at most ``limit`` (see the module docstring)."""
    context = Context(answers, result)
    ranked: list[tuple[int, int, int, str]] = []
    for rule in ARTICLE_RULES:
        if (rule.after_staff_contact and not staff_contacted) or result.level in rule.not_at_levels:
            continue
        score = rule.score(context)
        if score > 0:
            ranked.append((rule.tier_for(result), -score, rule.number, rule.slug))
    return [slug for *_, slug in sorted(ranked)][: max(limit, 0)]
