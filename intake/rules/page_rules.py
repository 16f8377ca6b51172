"""A follow-up's browser rule (intake.rules.conditions) fitted to the page it is shown on.

Why: intake.js evaluates a rule on the inputs of the page in front of it. Since the questionnaire is split into
pages, a rule may name a field answered on an earlier page (``ce_onset`` after a "yes" on any of three safety pages,
the running pages after ``running_status``, ``foot_drop`` after ``leg_symptoms``). The script cannot see those, so
each such part of the rule is decided here from the answers already saved, and only the parts about fields on this
page are left for the browser.

Public API
----------
- ``bind(rule, answers, on_page) -> rule | bool``: the rule with every leaf about a field outside ``on_page``
  replaced by its value on ``answers`` (``conditions.evaluate``), simplified; ``True``/``False`` when nothing is
  left for the browser to decide.
- ``bound_rule((rule, note), answers, on_page) -> (rule | None, note)``: for a page: None when the question is always
  shown on this page (nothing left to decide, or decided "shown"); a rule that never holds (``{"any": []}``) when it is
  decided "not shown".
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from intake.rules.conditions import evaluate

Rule = dict[str, Any]
NEVER: Rule = {"any": []}


def bind(rule: Mapping[str, Any], answers: Mapping[str, object], on_page: Set[str]) -> Rule | bool:
    for key, settles_on in (("any", True), ("all", False)):
        if key in rule:
            parts = [bind(part, answers, on_page) for part in rule[key]]
            if any(part is settles_on for part in parts):
                return settles_on
            left = [part for part in parts if not isinstance(part, bool)]
            if not left:
                return not settles_on
            return left[0] if len(left) == 1 else {key: left}
    if rule["field"] in on_page:
        return dict(rule)
    return evaluate(rule, answers)


def bound_rule(
    rule_and_note: tuple[Mapping[str, Any], str], answers: Mapping[str, object], *, on_page: Set[str]
) -> tuple[Rule | None, str]:
    rule, note = rule_and_note
    bound = bind(rule, answers, on_page)
    if bound is True:
        return None, ""
    if bound is False:
        return NEVER, note
    return bound, note
